import Foundation

/// `snap prune`: applies a retention policy to a pool in every store, then
/// clears debris (archives without a `.json` older than `grace`, stale
/// multipart uploads). A snapshot is removed `.json` first, so it stops
/// existing before its archive goes.
public struct Pruner: Sendable {
    public struct Outcome: Sendable {
        public var decisions: [RetentionPolicy.Decision]
        public var removed: [(store: String, id: SnapshotID)]
        public var debris: [String]
        public var failures: [String]
    }

    public let stores: [any SnapshotStore]
    public let policy: RetentionPolicy
    public let grace: Duration

    public init(stores: [any SnapshotStore], policy: RetentionPolicy, grace: Duration = .seconds(86_400)) {
        self.stores = stores
        self.policy = policy
        self.grace = grace
    }

    public func run(pool: String, dryRun: Bool, log: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let (entries, problems) = try await Catalog(stores: stores).entries(pool: pool)
        var byId: [SnapshotID: Manifest] = [:]
        for e in entries { byId[e.id] = e.manifest }
        let sorted = entries.map(\.id)
        // Identical to the one before it: every member's checksum equal.
        func unchanged(_ id: SnapshotID) -> Bool {
            guard let i = sorted.firstIndex(of: id), i > 0, let a = byId[sorted[i - 1]], let b = byId[id] else { return false }
            return Member.data.allSatisfy { a.files[$0]?.sha256 == b.files[$0]?.sha256 }
        }
        let decisions = policy.apply(to: sorted, unchanged: unchanged)
        var outcome = Outcome(decisions: decisions, removed: [], debris: [], failures: problems)
        if dryRun { return outcome }

        let owner = LockOwner.current()
        for store in stores {
            let lock: any StoreLock
            do {
                lock = try await store.guardedLock(pool: pool, owner: owner, wait: .seconds(0), log: log)
            } catch {
                outcome.failures.append("store \(store.url): \(error)")
                continue
            }
            do {
                let held = Set(try await store.manifests(pool: pool).map(\.id))
                for d in decisions where !d.keep && held.contains(d.id) {
                    try await store.delete(pool: pool, id: d.id)
                    outcome.removed.append((store.url, d.id))
                }
                outcome.debris += try await store.removeDebris(
                    pool: pool, olderThan: Date().addingTimeInterval(-Double(grace.components.seconds)), log: log)
            } catch {
                outcome.failures.append("store \(store.url): \(error)")
            }
            await lock.release()
        }
        return outcome
    }
}
