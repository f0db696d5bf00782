import AWS
import Foundation

/// `snap verify`: every copy of every chosen snapshot, in every store, read
/// through `SnapshotReader` (archive SHA-256, each member's SHA-256 and
/// record count, JSON and sort order of every line). A store that cannot be
/// read, a `.json` that cannot be read, and one ID holding different
/// archives in different stores are findings too, never silence.
public struct Verifier: Sendable {
    public enum Finding: Sendable {
        /// One copy: nil problem when intact.
        case copy(store: String, pool: String, id: SnapshotID, problem: String?)
        /// A store whose listing failed: nothing in it could be checked.
        case storeUnreadable(StoreFailure, pool: String)
        /// The stores' `.json` files name different archives for one ID.
        case disagreement(pool: String, id: SnapshotID, digests: [(store: String, sha256: String)])
        /// An intact copy's S3 Object Lock retention (told, not a problem).
        case retention(store: String, pool: String, id: SnapshotID, lock: S3ObjectLock)

        public var isProblem: Bool {
            switch self {
            case .copy(_, _, _, let problem): return problem != nil
            case .storeUnreadable, .disagreement: return true
            case .retention: return false
            }
        }
    }

    public struct Summary: Sendable {
        /// Copies downloaded and read, or found damaged or missing.
        public var copies = 0
        public var damaged = 0
        public var snapshots = 0
        public var disagreements = 0
        public var failures: [StoreFailure] = []
    }

    public let stores: [any SnapshotStore]
    public init(stores: [any SnapshotStore]) { self.stores = stores }

    /// Checks `ids` (nil: every snapshot any store holds) of `pool`;
    /// `planned` is told how many copies will be checked, once the stores are listed.
    public func verify(
        pool: String, ids: Set<SnapshotID>?, workDirectory: String, planned: (Int) -> Void = { _ in }, report: (Finding) -> Void
    ) async -> Summary {
        var summary = Summary()
        let listed = await listings(pool: pool)
        var all = Set<SnapshotID>()
        for case .success(let l) in listed.map(\.1) {
            all.formUnion(l.manifests.map(\.id))
            all.formUnion(l.unreadable.map(\.id))
        }
        let chosen = (ids ?? all).sorted()
        summary.snapshots = chosen.count
        planned(chosen.count * listed.filter { if case .success = $0.1 { true } else { false } }.count)
        for (store, listing) in listed {
            guard case .success(let l) = listing else {
                if case .failure(let error) = listing {
                    let failure = StoreFailure(store: store.url, error: error)
                    summary.failures.append(failure)
                    report(.storeUnreadable(failure, pool: pool))
                }
                continue
            }
            for id in chosen {
                let problem: String?
                if let bad = l.unreadable.first(where: { $0.id == id }) {
                    problem = "its .json cannot be read: \(bad.reason)"
                } else if let manifest = l.manifests.first(where: { $0.id == id }) {
                    problem = await Self.check(
                        store: store, pool: pool, manifest: manifest, listedBytes: l.archiveBytes[id], workDirectory: workDirectory,
                        keep: nil)
                } else {
                    problem = "missing from this store"
                }
                summary.copies += 1
                if problem != nil { summary.damaged += 1 }
                report(.copy(store: store.url, pool: pool, id: id, problem: problem))
                if problem == nil {
                    do {
                        if let lock = try await store.retention(pool: pool, id: id) {
                            report(.retention(store: store.url, pool: pool, id: id, lock: lock))
                        }
                    } catch {
                        summary.damaged += 1
                        report(.copy(store: store.url, pool: pool, id: id, problem: "its retention cannot be read: \(error)"))
                    }
                }
            }
        }
        for id in chosen {
            let digests = Self.digests(of: id, in: listed)
            if Set(digests.map(\.sha256)).count > 1 {
                summary.disagreements += 1
                report(.disagreement(pool: pool, id: id, digests: digests))
            }
        }
        return summary
    }

    func listings(pool: String) async -> [(any SnapshotStore, Swift.Result<StoreListing, Error>)] {
        var out: [(any SnapshotStore, Swift.Result<StoreListing, Error>)] = []
        for store in stores {
            do { out.append((store, .success(try await store.listing(pool: pool)))) } catch { out.append((store, .failure(error))) }
        }
        return out
    }

    /// The archive digest each readable store's `.json` names for `id`.
    static func digests(of id: SnapshotID, in listed: [(any SnapshotStore, Swift.Result<StoreListing, Error>)]) -> [(
        store: String, sha256: String
    )] {
        listed.compactMap { store, listing in
            guard case .success(let l) = listing, let sha = l.manifests.first(where: { $0.id == id })?.archive?.sha256 else { return nil }
            return (store.url, sha)
        }
    }

    /// Reads one copy; nil when intact, else what is wrong (damage, or why
    /// it could not be read). A copy whose listed size differs from its
    /// manifest's is damaged without a download. With `keep`, an intact copy
    /// is left at that path (for sync to upload elsewhere).
    static func check(
        store: any SnapshotStore, pool: String, manifest: Manifest, listedBytes: Int64?, workDirectory: String, keep: String?
    ) async -> String? {
        await verdict(
            store: store, pool: pool, manifest: manifest, listedBytes: listedBytes, workDirectory: workDirectory, keep: keep
        ).problem
    }

    /// What reading one copy found.
    enum Verdict {
        case intact
        /// The copy itself is wrong: a checksum, a line, a rule, its archive missing.
        case damaged(String)
        /// It could not be read to the end (the network, the store refusing,
        /// this machine): nothing is known of the copy, which is not called damaged.
        case unread(any Error)

        var problem: String? {
            switch self {
            case .intact: nil
            case .damaged(let reason): reason
            case .unread(let error): "\(error)"
            }
        }

        /// Damage is what the copy's own bytes or `.json` prove; anything else left it unread.
        init(_ error: any Error) {
            if let e = error as? SnapError {
                switch e {
                case .damaged, .malformedLine, .unsorted, .badRecord, .inconsistent, .badManifest:
                    self = .damaged("\(e)")
                    return
                default: break
                }
            }
            self = .unread(error)
        }
    }

    /// As `check`, telling damage from a copy that could not be read.
    static func verdict(
        store: any SnapshotStore, pool: String, manifest: Manifest, listedBytes: Int64?, workDirectory: String, keep: String?
    ) async -> Verdict {
        guard let listedBytes else { return .damaged("the archive \(manifest.id.value).tar.zst is missing (the .json is there)") }
        if let expected = manifest.archive?.bytes, expected != listedBytes {
            return .damaged("the archive is \(listedBytes) bytes, its .json says \(expected)")
        }
        if keep == nil, store.streamsArchives,
            let verdict = await checkStreamed(store: store, pool: pool, manifest: manifest, scratch: workDirectory)
        {
            return verdict
        }
        let path = keep ?? "\(workDirectory)/verify-\(UUID().uuidString).tar.zst"
        do {
            try await store.downloadArchive(pool: pool, id: manifest.id, to: path)
            try SnapshotReader.read(
                archivePath: path, expected: manifest, source: "\(store.url)/\(pool)/\(manifest.id.value)", scratch: workDirectory)
            // Scratch in the command's private work folder, which is removed
            // when the command ends: a failed removal here loses nothing.
            if keep == nil { try? FileManager.default.removeItem(atPath: path) }
            return .intact
        } catch {
            // The copy is reported; the work file is private scratch,
            // and the whole work folder is removed when the command ends.
            try? FileManager.default.removeItem(atPath: path)
            return Verdict(error)
        }
    }

    /// Reads one copy as it downloads (`ArchiveStream`), never writing it
    /// anywhere: verify delivers nothing, so nothing waits for the end. nil
    /// when the download broke on the way (the network, not the copy): the
    /// caller then reads the copy again the download-first way, whose GETs
    /// are retried, as before streaming.
    static func checkStreamed(store: any SnapshotStore, pool: String, manifest: Manifest, scratch: String) async -> Verdict? {
        let source = "\(store.url)/\(pool)/\(manifest.id.value)"
        let stream: ArchiveStream
        do { stream = try await ArchiveStream.start(store, pool: pool, id: manifest.id, manifest: manifest) } catch {
            return Verdict(error)
        }
        StoreLog.logger.info("streaming \(source) (checked as it downloads; not written to disk)")
        var readError: (any Error)?
        do {
            try SnapshotReader.read(.descriptor(try stream.takeReadEnd()), expected: manifest, source: source, scratch: scratch)
        } catch {
            readError = error
        }
        guard let error = await stream.finish(readerError: readError) else { return .intact }
        guard stream.broke else { return Verdict(error) }
        StoreLog.logger.warning("\(error); reading it again, downloaded first")
        return nil
    }
}
