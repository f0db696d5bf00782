import AWS
import Foundation

/// `snap prune`: applies a retention policy to a pool, deciding per store,
/// then clears debris (archives without a `.json` older than `grace`, stale
/// multipart uploads).
///
/// The policy runs once over the union of the stores' snapshots. A snapshot
/// it removes is removed from a store only when what keeps its place is
/// present and intact (the archive's size and SHA-256 against that store's
/// `.json`) in that same store: every kept snapshot newer than it (those
/// fill the buckets and counts that pushed it out), and, for one dropped as
/// unchanged, the kept snapshot with the same state; intact means fully
/// verified, as `snap verify` does. So a store that missed
/// recent creates keeps its older snapshots until `snap sync` fills the gap,
/// and no store is ever left without an intact copy of a state the policy
/// keeps. A removal deletes `.json` first, so the snapshot stops existing
/// before its archive goes. A removal that fails stops that store's
/// removals; one whose `.json` went but whose archive could not is counted
/// as removed (the snapshot no longer exists) and listed in `halfRemoved`.
public struct Pruner: Sendable {
    public struct Outcome: Sendable {
        public var decisions: [RetentionPolicy.Decision]
        /// Copies removed (in a dry run: that would be).
        public var removed: [(store: String, id: SnapshotID)]
        /// Copies whose `.json` was removed but whose archive could not be: where it was left.
        public var halfRemoved: [(store: String, id: SnapshotID, left: String)] = []
        /// Copies the policy removes but their store keeps, and why.
        public var spared: [(store: String, id: SnapshotID, reason: String)]
        /// Copies the policy removes but S3 Object Lock still retains: kept, with the date they may go.
        public var retained: [(store: String, id: SnapshotID, until: Date)] = []
        public var debris: [String]
        /// One line per problem, each naming its store.
        public var failures: [String]
        /// Stores whose snapshots were listed, and those that could not be (or failed later).
        public var storesRead: Int
        public var failedStores: Set<String>
    }

    public let stores: [any SnapshotStore]
    public let policy: RetentionPolicy
    public let grace: Duration
    public let waitLock: Duration
    /// Signs each prune record (`--sign`, as create signs manifests); nil: records go unsigned.
    public var sign: (@Sendable ([UInt8]) async throws -> JSONValue)?
    public var tool = ""

    public init(stores: [any SnapshotStore], policy: RetentionPolicy, grace: Duration = .seconds(86_400), waitLock: Duration = .zero) {
        self.stores = stores
        self.policy = policy
        self.grace = grace
        self.waitLock = waitLock
    }

    /// Throws `SnapError.lockHeld` when a live snap holds any store's lock
    /// (nothing is removed anywhere then); every other problem is per store.
    public func run(pool: String, dryRun: Bool, now: Date = Date(), log: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        var outcome = Outcome(decisions: [], removed: [], spared: [], debris: [], failures: [], storesRead: 0, failedStores: [])
        func fail(_ store: any SnapshotStore, _ error: Any) {
            let text = "\(error)"
            outcome.failures.append(text.hasPrefix("store \(store.url)") ? text : "store \(store.url): \(text)")
            outcome.failedStores.insert(store.url)
        }

        // Every store's lock first, as create takes them: a live holder
        // anywhere stops the prune before anything is removed.
        var locks: [String: any StoreLock] = [:]
        var usable: [any SnapshotStore] = []
        if dryRun {
            usable = stores
        } else {
            let owner = LockOwner.current()
            // One global order, as create takes them (`lockOrder`): waits never cycle.
            for store in lockOrder(stores) {
                do {
                    locks[store.url] = try await store.guardedLock(pool: pool, owner: owner, wait: waitLock, log: log)
                } catch let e as SnapError {
                    if case .lockHeld = e {
                        for l in locks.values { await l.release() }
                        throw e
                    }
                    fail(store, e)
                } catch {
                    fail(store, error)
                }
            }
            usable = stores.filter { locks[$0.url] != nil }
        }

        var held: [(store: any SnapshotStore, manifests: [SnapshotID: Manifest], archiveBytes: [SnapshotID: Int64])] = []
        for store in usable {
            do {
                let listing = try await store.listing(pool: pool)
                held.append(
                    (store, Dictionary(listing.manifests.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }), listing.archiveBytes))
            } catch {
                fail(store, error)
            }
        }
        outcome.storesRead = held.count

        var union: [SnapshotID: Manifest] = [:]
        for (_, ms, _) in held { union.merge(ms) { a, _ in a } }
        let decisions = policy.apply(to: Array(union.keys), now: now) { id in union[id].flatMap(Self.state) }
        outcome.decisions = decisions
        let kept = decisions.filter(\.keep).map(\.id)

        for (store, manifests, archiveBytes) in held {
            do {
                let work = try WorkDirectory()
                defer { work.remove() }
                var plan = StorePlan(
                    store: store, pool: pool, manifests: manifests, archiveBytes: archiveBytes, kept: kept, work: work.path)
                var going: [RetentionPolicy.Decision] = []
                for d in decisions.reversed() where !d.keep && manifests[d.id] != nil {
                    let retention: S3ObjectLock?
                    do {
                        retention = try await store.retention(pool: pool, id: d.id)
                    } catch {
                        // Unknown is never unlocked: the copy stays, named, and the store counts as failed.
                        fail(store, "keeping \(d.id.value), which the policy removes: its Object Lock retention cannot be read (\(error))")
                        continue
                    }
                    if let lock = retention, lock.retainUntil > now {
                        outcome.retained.append((store.url, d.id, lock.retainUntil))
                        log(
                            "store \(store.url): keeping \(d.id.value), which the policy removes: under \(lock.mode.rawValue.lowercased()) Object Lock retention until \(Timestamp.format(lock.retainUntil))"
                        )
                        continue
                    }
                    if let reason = try await plan.sparing(d) {
                        outcome.spared.append((store.url, d.id, reason))
                        log("store \(store.url): keeping \(d.id.value), which the policy removes: \(reason)")
                        continue
                    }
                    going.append(d)
                }
                if !dryRun && !going.isEmpty {
                    // The record first: a prune cut short after it leaves snapshots it names still there (verify
                    // --chain is content), never removed ones it does not name.
                    var record = PruneRecord(
                        pool: pool, at: Timestamp.format(now), store: store.url,
                        removed: going.map {
                            PruneRecord.Removed(id: $0.id, digest: manifests[$0.id]!.digest, reason: "not kept by the retention policy")
                        },
                        tool: tool)
                    if let sign { record.signature = try await sign(record.signedBytes) }
                    try await locks[store.url]?.checkHeld()
                    try await store.writeRecord(pool: pool, name: record.name, data: record.json.canonicalData() + Data([0x0A]))
                }
                for d in going {
                    if !dryRun {
                        try await locks[store.url]?.checkHeld()
                        do { try await store.delete(pool: pool, id: d.id) } catch let e as SnapError {
                            // The `.json` went: the snapshot no longer exists here, its archive is debris.
                            if case .partlyRemoved(_, _, let left, _) = e {
                                outcome.removed.append((store.url, d.id))
                                outcome.halfRemoved.append((store.url, d.id, left))
                            }
                            throw e
                        }
                    }
                    outcome.removed.append((store.url, d.id))
                }
                if !dryRun {
                    try await locks[store.url]?.checkHeld()
                    outcome.debris += try await store.removeDebris(
                        pool: pool, olderThan: now.addingTimeInterval(-LockRecord.seconds(grace)), log: log)
                }
            } catch {
                fail(store, error)
            }
        }
        for l in locks.values { await l.release() }
        return outcome
    }

    /// A snapshot's contents, named by its members' checksums.
    static func state(_ m: Manifest) -> String? {
        let sums = Member.data(format: m.format).map { m.files[$0]?.sha256 }
        guard sums.allSatisfy({ $0 != nil }) else { return nil }
        return sums.map { $0! }.joined(separator: ",")
    }
}
