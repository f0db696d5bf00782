import AWS
import Foundation

/// Where snapshots live. For pool P a store holds `P/<ID>.tar.zst` and
/// `P/<ID>.json`; the archive is written first and the `.json` last, so a
/// snapshot exists once its `.json` exists and never before.
public protocol SnapshotStore: Sendable {
    /// The store as the user named it, for messages and `--json` output.
    var url: String { get }

    /// Every snapshot's stored manifest (with `archive`), oldest first, and
    /// the `<ID>.json` files that cannot be read. Throws when the store itself
    /// cannot be read: that is never an empty listing.
    func listing(pool: String) async throws -> StoreListing

    /// The pools that have a folder in this store.
    func pools() async throws -> [String]

    /// Stores the archive, then the manifest that makes it visible;
    /// `beforeCommit` runs between the two, and a throw from it leaves the
    /// snapshot uncommitted (create checks there that it still holds the lock).
    func write(
        pool: String, id: SnapshotID, archivePath: String, manifest: Data, beforeCommit: @Sendable () async throws -> Void
    ) async throws

    /// Copies the archive to a local file.
    func downloadArchive(pool: String, id: SnapshotID, to path: String) async throws

    /// Whether `streamArchive` works here. An S3 store streams; a local
    /// folder's archive is copied (`downloadArchive`), which costs no network.
    var streamsArchives: Bool { get }

    /// Writes the archive's bytes into `descriptor` (a pipe's write end) as
    /// they arrive, for a reader at the other end (`ArchiveStream`). Owns the
    /// descriptor: it is closed by the time this returns, and as soon as the
    /// body ends. `begun` is called once, from any thread, with the object's
    /// size (Content-Length) when its body starts; nothing is sent again
    /// after that. Throws `ArchiveStream.ReaderStopped` when the reader
    /// closed its end first (its own error is the one to tell).
    func streamArchive(pool: String, id: SnapshotID, into descriptor: Int32, begun: @escaping @Sendable (Int64?) -> Void) async throws

    /// Removes what a killed `create` left in the pool's folder (temporary
    /// files, unfinished multipart uploads). Only called while holding the lock,
    /// which is what makes anything unfinished there provably dead.
    func clearDebris(pool: String, log: @Sendable (String) -> Void) async throws

    /// The archive's Object Lock retention, if the store has such a thing
    /// and the object carries one (nil: it may be deleted).
    func retention(pool: String, id: SnapshotID) async throws -> S3ObjectLock?

    /// Removes a snapshot: its `.json` first (it stops existing), then its archive.
    func delete(pool: String, id: SnapshotID) async throws

    /// Writes one of prune's records of what it removed, `P/pruned/<name>`, so `verify --chain` can tell a
    /// pruned snapshot from a deleted one.
    func writeRecord(pool: String, name: String, data: Data) async throws

    /// Every record under `P/pruned/` (name and bytes), by name; none when there are none. A record that
    /// cannot be read is an error naming it, never left out.
    func records(pool: String) async throws -> [(name: String, data: Data)]

    /// Removes archives without a `.json`, temporary files and unfinished
    /// uploads older than `olderThan`; returns what it removed.
    func removeDebris(pool: String, olderThan: Date, log: @Sendable (String) -> Void) async throws -> [String]

    /// Makes the store itself where it does not exist yet (a local folder
    /// whose parent exists); true when it did. Only `create` calls it, and
    /// says so: for every other command a missing store is an error, never
    /// an empty one (an unmounted backup disk must not pass).
    func makeIfMissing() throws -> Bool

    /// Takes the pool's lock in this store, waiting up to `wait` for a live holder.
    func lock(pool: String, owner: LockOwner, wait: Duration, log: @escaping @Sendable (String) -> Void) async throws -> any StoreLock
}

extension SnapshotStore {
    public var streamsArchives: Bool { false }

    public func streamArchive(
        pool: String, id: SnapshotID, into descriptor: Int32, begun: @escaping @Sendable (Int64?) -> Void
    ) async throws {
        FileSystem.closeDescriptor(descriptor)
        throw SnapError.storeFailed(store: url, reason: "this store's archives are copied, not streamed (a bug in snap: report it)")
    }

    /// A bucket is never made by snap (a missing one is an error naming it).
    public func makeIfMissing() throws -> Bool { false }

    /// A local folder has no retention.
    public func retention(pool: String, id: SnapshotID) async throws -> S3ObjectLock? { nil }

    /// The readable manifests only. A malformed `<ID>.json` is left out here
    /// (it is no snapshot to act on); `list`, `verify` and `sync` use
    /// `listing` to report or repair it.
    public func manifests(pool: String) async throws -> [Manifest] { try await listing(pool: pool).manifests }
}

/// A held lock, renewed while held. Every change to it is conditional on
/// what this process last wrote (an S3 ETag, a local file's bytes), so a
/// lock taken over by someone else is never renewed or removed by us.
public protocol StoreLock: Sendable {
    /// Renews the lease and proves the lock is still ours; throws
    /// `SnapError.lockLost` when it was taken over. Called right before a commit.
    func checkHeld() async throws

    /// Removes the lock if it is still ours; problems are logged, not thrown
    /// (an unremoved lock's lease runs out by itself).
    func release() async
}

extension SnapshotStore {
    /// `write` with nothing to check before the commit.
    public func write(pool: String, id: SnapshotID, archivePath: String, manifest: Data) async throws {
        try await write(pool: pool, id: id, archivePath: archivePath, manifest: manifest, beforeCommit: {})
    }
}

extension SnapshotStore {
    /// `lock`, with its release also run by the signal handler if the
    /// process is interrupted while holding it.
    public func guardedLock(pool: String, owner: LockOwner, wait: Duration, log: @escaping @Sendable (String) -> Void) async throws
        -> any StoreLock
    {
        GuardedLock(try await lock(pool: pool, owner: owner, wait: wait, log: log), what: "releasing the lock of \(url)/\(pool)")
    }
}

/// A held lock registered with the signal handler until released.
struct GuardedLock: StoreLock {
    let inner: any StoreLock
    let token: CleanupRegistry.Token

    init(_ inner: any StoreLock, what: String) {
        self.inner = inner
        token = CleanupRegistry.shared.register(what) { await inner.release() }
    }

    func checkHeld() async throws { try await inner.checkHeld() }

    func release() async {
        CleanupRegistry.shared.unregister(token)
        await inner.release()
    }
}

/// The order every command takes store locks in: by URL. Two runs that name
/// the same stores in different orders then wait for each other in one
/// direction only, never in a cycle (issue 19, item 12).
public func lockOrder(_ stores: [any SnapshotStore]) -> [any SnapshotStore] {
    stores.sorted { $0.url < $1.url }
}
