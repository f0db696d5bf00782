import Foundation

/// The snapshots of one pool across every configured store.
public struct Catalog: Sendable {
    public struct Entry: Sendable {
        public var manifest: Manifest
        /// URLs of the stores holding it, in configuration order.
        public var stores: [String]
        /// Each store's own copy of the manifest (a damaged `.json` may differ).
        public var manifestsByStore: [String: Manifest] = [:]
        public var id: SnapshotID { manifest.id }
    }

    public let stores: [any SnapshotStore]
    public init(stores: [any SnapshotStore]) { self.stores = stores }

    /// What every store holds for `pool`: the snapshots (oldest first), the
    /// stores that could not be read, and the `<ID>.json` files that could
    /// not. Throws only when no store could be read at all; a store that
    /// cannot be read is never taken for an empty one.
    public struct Listing: Sendable {
        public var entries: [Entry]
        public var failures: [StoreFailure]
        public var unreadable: [UnreadableManifest]
    }

    public func listing(pool: String) async throws -> Listing {
        var byId: [SnapshotID: Entry] = [:]
        var failures: [StoreFailure] = []
        var unreadable: [UnreadableManifest] = []
        var firstError: Error?
        for store in stores {
            do {
                let listed = try await store.listing(pool: pool)
                unreadable += listed.unreadable
                for m in listed.manifests {
                    if byId[m.id] == nil {
                        byId[m.id] = Entry(manifest: m, stores: [store.url], manifestsByStore: [store.url: m])
                    } else {
                        byId[m.id]!.stores.append(store.url)
                        byId[m.id]!.manifestsByStore[store.url] = m
                    }
                }
            } catch {
                failures.append(StoreFailure(store: store.url, error: error))
                firstError = firstError ?? error
            }
        }
        if failures.count == stores.count, let firstError { throw noneReadable(failures, first: firstError) }
        return Listing(entries: byId.values.sorted { $0.id < $1.id }, failures: failures, unreadable: unreadable)
    }

    /// With one store, its own error; with several, one naming each.
    private func noneReadable(_ failures: [StoreFailure], first: Error) -> Error {
        if stores.count == 1 { return first }
        return SnapError.storeFailed(
            store: stores.map(\.url).joined(separator: ", "),
            reason: "no store could be read: " + failures.map(\.description).joined(separator: "; "))
    }

    /// Every snapshot of `pool`, oldest first, with a line per store that
    /// could not be read or `.json` that could not; throws if no store can be read.
    public func entries(pool: String) async throws -> (entries: [Entry], problems: [String]) {
        let l = try await listing(pool: pool)
        return (l.entries, l.failures.map(\.description) + l.unreadable.map(\.description))
    }

    /// The pools any store has a folder for, and the stores that could not
    /// be listed; throws when none could.
    public func pools() async throws -> (pools: [String], failures: [StoreFailure]) {
        var all = Set<String>()
        var failures: [StoreFailure] = []
        var firstError: Error?
        for store in stores {
            do {
                all.formUnion(try await store.pools())
            } catch {
                failures.append(StoreFailure(store: store.url, error: error))
                firstError = firstError ?? error
            }
        }
        if failures.count == stores.count, let firstError { throw noneReadable(failures, first: firstError) }
        return (all.sorted(), failures)
    }

    /// REF in `pool`; stores that could not be read, and unreadable `.json`
    /// files, are told to `warn` (the snapshot is looked up in the rest).
    public func resolve(_ ref: String, pool: String, warn: (String) -> Void = { _ in }) async throws -> Entry {
        let all = try await readableEntries(pool: pool, warn: warn)
        let id = try RefResolver.resolve(ref, in: all.map(\.id), place: placeName(pool))
        return all.first { $0.id == id }!
    }

    public func resolve(at time: String, pool: String, warn: (String) -> Void = { _ in }) async throws -> Entry {
        let all = try await readableEntries(pool: pool, warn: warn)
        let id = try RefResolver.resolve(at: time, in: all.map(\.id), place: placeName(pool))
        return all.first { $0.id == id }!
    }

    private func readableEntries(pool: String, warn: (String) -> Void) async throws -> [Entry] {
        let l = try await listing(pool: pool)
        for f in l.failures { warn("\(f); looking in the other stores") }
        for u in l.unreadable { warn("\(u.description); skipped (snap sync repairs it)") }
        return l.entries
    }

    public func placeName(_ pool: String) -> String {
        "pool \(pool) in \(stores.map(\.url).joined(separator: ", "))"
    }

    /// One store's copy of a snapshot, downloaded into a private folder of
    /// its own and not yet verified: nothing read from it may be delivered
    /// before `SnapshotReader` (or a `SnapshotStream` read to its end) has
    /// accepted it whole.
    public struct Copy: Sendable {
        /// The store whose copy this is.
        public var store: String
        /// `store/pool/id`, for messages.
        public var source: String
        /// The downloaded archive, inside `folder`.
        public var archive: String
        /// The manifest this store holds for it.
        public var manifest: Manifest
        /// The attempt's private folder; removed when the copy proves damaged.
        public var folder: String
        /// Set when the copy streams from its store as it is read instead
        /// (`ArchiveStream`; `archive` is then empty): it can be read once.
        public var stream: ArchiveStream? = nil
    }

    /// The stores holding `entry`, in configuration order: the order copies are tried in.
    public func holders(of entry: Entry) -> [any SnapshotStore] {
        stores.filter { entry.stores.contains($0.url) }
    }

    /// Downloads `store`'s copy of `entry` into `folder`, which must not
    /// exist yet. Throws if it cannot; the caller discards `folder` then.
    public func download(_ entry: Entry, pool: String, from store: any SnapshotStore, into folder: String) async throws -> Copy {
        try FileSystem.makeFolder(folder)
        let archive = "\(folder)/\(entry.id.value).tar.zst"
        let manifest = entry.manifestsByStore[store.url] ?? entry.manifest
        try await store.downloadArchive(pool: pool, id: entry.id, to: archive)
        return Copy(
            store: store.url, source: "\(store.url)/\(pool)/\(entry.id.value)", archive: archive, manifest: manifest, folder: folder)
    }

    /// Starts streaming `store`'s copy of `entry` (`ArchiveStream`): for
    /// readers that deliver nothing before the copy is proven (the diff).
    /// Throws if the download cannot begin or its size is not the manifest's.
    public func stream(_ entry: Entry, pool: String, from store: any SnapshotStore) async throws -> Copy {
        let manifest = entry.manifestsByStore[store.url] ?? entry.manifest
        let stream = try await ArchiveStream.start(store, pool: pool, id: entry.id, manifest: manifest)
        StoreLog.logger.info("streaming \(stream.source) (checked as it is read; not written to disk)")
        return Copy(store: store.url, source: stream.source, archive: "", manifest: manifest, folder: "", stream: stream)
    }

    /// Nothing of a failed attempt may reach a caller: its folder goes.
    public static func discard(_ folder: String, log: (String) -> Void) {
        guard !folder.isEmpty, FileManager.default.fileExists(atPath: folder) else { return }
        do { try FileManager.default.removeItem(atPath: folder) } catch {
            log("cannot remove the work folder \(folder): \(error)")
        }
    }

    /// Verifies the snapshot from the first store whose copy is intact: the
    /// archive is downloaded into a fresh private folder per attempt and read
    /// whole by `SnapshotReader`. Only a verified copy is returned; a damaged
    /// one's folder is removed, reported through `log`, and the next store
    /// starts from nothing. Throws the last error when no copy is intact.
    /// The caller removes `workDirectory`, which holds the returned copy.
    public func read(_ entry: Entry, pool: String, workDirectory: String, log: (String) -> Void = { _ in }) async throws
        -> VerifiedSnapshot
    {
        var lastError: Error = SnapError.unknownRef(ref: entry.id.value, where: placeName(pool))
        for (attempt, store) in holders(of: entry).enumerated() {
            let folder = "\(workDirectory)/attempt-\(attempt + 1)"
            StoreLog.logger.info(
                "reading \(store.url)/\(pool)/\(entry.id.value) (store \(attempt + 1) of \(entry.stores.count) holding it)")
            do {
                let copy = try await download(entry, pool: pool, from: store, into: folder)
                try SnapshotReader.read(archivePath: copy.archive, expected: copy.manifest, source: copy.source, scratch: folder)
                return VerifiedSnapshot(store: copy.store, source: copy.source, archive: copy.archive, manifest: copy.manifest)
            } catch {
                log("\(error)")
                lastError = error
                Self.discard(folder, log: log)
            }
        }
        throw lastError
    }
}
