import Foundation

/// One store's side of a prune: which kept snapshots it holds intact,
/// checked lazily (each kept copy fully verified at most once).
struct StorePlan {
    let store: any SnapshotStore
    let pool: String
    let manifests: [SnapshotID: Manifest]
    /// Each archive's size as the store lists it (absent: no archive).
    let archiveBytes: [SnapshotID: Int64]
    /// Kept snapshots, oldest first.
    let kept: [SnapshotID]
    let work: String
    private var checked: [SnapshotID: String?] = [:]

    init(
        store: any SnapshotStore, pool: String, manifests: [SnapshotID: Manifest], archiveBytes: [SnapshotID: Int64], kept: [SnapshotID],
        work: String
    ) {
        self.store = store
        self.pool = pool
        self.manifests = manifests
        self.archiveBytes = archiveBytes
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

    /// Nil when `id` is here and its copy verifies against its `.json`; else what is wrong.
    private mutating func problem(_ id: SnapshotID) async throws -> String? {
        if let known = checked[id] { return known }
        let found = try await inspect(id)
        checked[id] = found
        return found
    }

    /// The same full verification `snap verify` does (archive and member
    /// checksums, every line's JSON and field types, sort order, counts, the
    /// consistency rule): a copy whose `.json` was rewritten to describe
    /// damaged bytes matches its checksums and is still refused. A copy that
    /// could not be read (the network, the store refusing) is no verdict on
    /// the copy: that is the store's failure, thrown.
    private func inspect(_ id: SnapshotID) async throws -> String? {
        guard let m = manifests[id] else { return "is missing" }
        guard m.archive != nil else { return "has no archive checksum in its .json" }
        switch await Verifier.verdict(
            store: store, pool: pool, manifest: m, listedBytes: archiveBytes[id], workDirectory: work, keep: nil)
        {
        case .intact: return nil
        case .damaged(let problem): return "is damaged (\(problem))"
        case .unread(let error): throw error
        }
    }
}
