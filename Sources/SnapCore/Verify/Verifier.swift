import Foundation

/// `snap verify`: every copy of every chosen snapshot, in every store, read
/// through `SnapshotReader` (archive SHA-256, each member's SHA-256 and
/// record count, JSON and sort order of every line).
public struct Verifier: Sendable {
    public struct Result: Sendable {
        public var store: String
        public var pool: String
        public var id: SnapshotID
        /// nil when the copy is intact.
        public var problem: String?
        public var ok: Bool { problem == nil }
    }

    public let stores: [any SnapshotStore]
    public init(stores: [any SnapshotStore]) { self.stores = stores }

    /// Checks `ids` (nil: every snapshot any store holds) of `pool`; one result per store and snapshot.
    public func verify(pool: String, ids: Set<SnapshotID>?, workDirectory: String, report: (Result) -> Void) async throws {
        let listed = await listings(pool: pool)
        var all = Set<SnapshotID>()
        for case .success(let manifests) in listed.map(\.1) { all.formUnion(manifests.map(\.id)) }
        let chosen = (ids ?? all).sorted()
        for (store, listing) in listed {
            switch listing {
            case .failure(let error):
                for id in chosen { report(Result(store: store.url, pool: pool, id: id, problem: "cannot list the store: \(error)")) }
            case .success(let manifests):
                for id in chosen {
                    guard let manifest = manifests.first(where: { $0.id == id }) else {
                        report(Result(store: store.url, pool: pool, id: id, problem: "missing from this store"))
                        continue
                    }
                    let problem = await Self.check(store: store, pool: pool, manifest: manifest, workDirectory: workDirectory, keep: nil)
                    report(Result(store: store.url, pool: pool, id: id, problem: problem))
                }
            }
        }
    }

    func listings(pool: String) async -> [(any SnapshotStore, Swift.Result<[Manifest], Error>)] {
        var out: [(any SnapshotStore, Swift.Result<[Manifest], Error>)] = []
        for store in stores {
            do { out.append((store, .success(try await store.manifests(pool: pool)))) } catch { out.append((store, .failure(error))) }
        }
        return out
    }

    /// Downloads and reads one copy; nil when intact. With `keep`, an intact
    /// copy is left at that path (for sync to upload elsewhere).
    static func check(store: any SnapshotStore, pool: String, manifest: Manifest, workDirectory: String, keep: String?) async -> String? {
        let path = keep ?? "\(workDirectory)/verify-\(UUID().uuidString).tar.zst"
        do {
            try await store.downloadArchive(pool: pool, id: manifest.id, to: path)
            try SnapshotReader.read(archivePath: path, expected: manifest, source: "\(store.url)/\(pool)/\(manifest.id.value)")
            if keep == nil { try? FileManager.default.removeItem(atPath: path) }
            return nil
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            return "\(error)"
        }
    }
}
