import AWS
import Crypto
import Foundation

/// One store's side of a prune: which kept snapshots it holds intact,
/// checked lazily (each archive downloaded and hashed at most once).
struct StorePlan {
    let store: any SnapshotStore
    let pool: String
    let manifests: [SnapshotID: Manifest]
    /// Kept snapshots, oldest first.
    let kept: [SnapshotID]
    let work: String
    private var checked: [SnapshotID: String?] = [:]

    init(store: any SnapshotStore, pool: String, manifests: [SnapshotID: Manifest], kept: [SnapshotID], work: String) {
        self.store = store
        self.pool = pool
        self.manifests = manifests
        self.kept = kept
        self.work = work
    }

    /// Why this store must keep `d`'s snapshot, or nil when it may go: every
    /// kept snapshot newer than it, and the one with its state, intact here.
    mutating func sparing(_ d: RetentionPolicy.Decision) async throws -> String? {
        var needed = kept.filter { $0 > d.id }.reversed().map { $0 }
        if let same = d.sameAs { needed.append(same) }
        for k in needed {
            if let problem = try await problem(k) {
                return "the kept snapshot \(k.value) \(problem) in this store (snap sync copies it)"
            }
        }
        return nil
    }

    /// Nil when `id` is here and its archive matches its `.json`; else what is wrong.
    private mutating func problem(_ id: SnapshotID) async throws -> String? {
        if let known = checked[id] { return known }
        let found = try await inspect(id)
        checked[id] = found
        return found
    }

    private func inspect(_ id: SnapshotID) async throws -> String? {
        guard let m = manifests[id] else { return "is missing" }
        guard let expected = m.archive else { return "has no archive checksum in its .json" }
        let path = "\(work)/\(id.value).tar.zst"
        defer { unlink(path) }
        do {
            try await store.downloadArchive(pool: pool, id: id, to: path)
        } catch let e as SnapError {
            if case .damaged = e { return "has no archive" }
            throw e
        }
        let (bytes, sha256) = try Self.digest(path)
        if bytes != expected.bytes { return "is damaged (archive of \(bytes) bytes, its .json says \(expected.bytes))" }
        if sha256 != expected.sha256 { return "is damaged (archive SHA-256 \(sha256), its .json says \(expected.sha256))" }
        return nil
    }

    /// Size and SHA-256 (hex) of a file, read in 1 MiB blocks.
    static func digest(_ path: String) throws -> (Int64, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot open the downloaded archive")
        }
        defer { try? handle.close() }  // read-only: nothing to lose on close
        var hasher = SHA256()
        var bytes: Int64 = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw SnapError.io(path: path, reason: "cannot read the downloaded archive: \(error)")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return (bytes, Hex.encode(hasher.finalize()))
    }
}
