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

    /// Every snapshot of `pool`, oldest first. A store that cannot be read is
    /// reported in `problems` and the others still answer; if none can, this throws.
    public func entries(pool: String) async throws -> (entries: [Entry], problems: [String]) {
        var byId: [SnapshotID: Entry] = [:]
        var problems: [String] = []
        var firstError: Error?
        for store in stores {
            do {
                for m in try await store.manifests(pool: pool) {
                    if byId[m.id] == nil {
                        byId[m.id] = Entry(manifest: m, stores: [store.url], manifestsByStore: [store.url: m])
                    } else {
                        byId[m.id]!.stores.append(store.url)
                        byId[m.id]!.manifestsByStore[store.url] = m
                    }
                }
            } catch {
                problems.append("store \(store.url): \(error)")
                firstError = firstError ?? error
            }
        }
        if problems.count == stores.count, let firstError { throw firstError }
        return (byId.values.sorted { $0.id < $1.id }, problems)
    }

    public func resolve(_ ref: String, pool: String) async throws -> Entry {
        let all = try await entries(pool: pool).entries
        let id = try RefResolver.resolve(ref, in: all.map(\.id), place: placeName(pool))
        return all.first { $0.id == id }!
    }

    public func resolve(at time: String, pool: String) async throws -> Entry {
        let all = try await entries(pool: pool).entries
        let id = try RefResolver.resolve(at: time, in: all.map(\.id), place: placeName(pool))
        return all.first { $0.id == id }!
    }

    public func placeName(_ pool: String) -> String {
        "pool \(pool) in \(stores.map(\.url).joined(separator: ", "))"
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
        var attempt = 0
        for store in stores where entry.stores.contains(store.url) {
            attempt += 1
            let folder = "\(workDirectory)/attempt-\(attempt)"
            let source = "\(store.url)/\(pool)/\(entry.id.value)"
            do {
                try FileSystem.makeFolder(folder)
                let archive = "\(folder)/\(entry.id.value).tar.zst"
                let manifest = entry.manifestsByStore[store.url] ?? entry.manifest
                try await store.downloadArchive(pool: pool, id: entry.id, to: archive)
                try SnapshotReader.read(archivePath: archive, expected: manifest, source: source)
                return VerifiedSnapshot(store: store.url, source: source, archive: archive, manifest: manifest)
            } catch {
                log("\(error)")
                lastError = error
                // Nothing of a failed attempt may reach a caller: its files go now.
                if FileManager.default.fileExists(atPath: folder) {
                    do { try FileManager.default.removeItem(atPath: folder) } catch {
                        log("cannot remove the work folder \(folder): \(error)")
                    }
                }
            }
        }
        throw lastError
    }
}
