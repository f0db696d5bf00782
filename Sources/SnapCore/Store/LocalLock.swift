import Foundation
import Logging

/// The pool's lock in a local store: the file `<root>/<pool>/lock`, holding a
/// `LockRecord` with a lease, renewed by a heartbeat, so a lock left on a
/// shared folder by a dead process on another host is taken over once its
/// lease runs out (at once when its holder is provably gone on this host).
///
/// A file has no ETag; its bytes play that part. It is created complete and
/// exclusively (written to a temporary file, then `link`ed: EEXIST when held);
/// taken over by renaming the stale file aside and checking that what moved
/// is the record judged stale (else it is put back); renewed and released
/// only while it still holds this process's last record. A holder renews well
/// inside its lease and nobody takes over an unexpired lease from a live
/// holder, so the read-then-rename of a renewal does not race a takeover.
actor LocalLock: StoreLock, LeasedLock {
    private let path: String
    private let store: String
    private let owner: LockOwner
    private let ttl: Duration
    private let log: @Sendable (String) -> Void
    private var body: Data
    /// When the lease we last wrote runs out.
    private var expires: Date
    private var lost: String?
    private var heartbeat: Task<Void, Never>?

    private init(
        path: String, store: String, owner: LockOwner, ttl: Duration, record: LockRecord, log: @escaping @Sendable (String) -> Void
    ) {
        self.path = path
        self.store = store
        self.owner = owner
        self.ttl = ttl
        self.body = record.data
        self.expires = record.expires
        self.log = log
    }

    static func acquire(
        path: String, store: String, owner: LockOwner, ttl: Duration, wait: Duration, log: @escaping @Sendable (String) -> Void
    ) async throws -> LocalLock {
        let deadline = ContinuousClock.now + wait
        while true {
            let mine = LockRecord(
                owner: owner, expires: Date().addingTimeInterval(LockRecord.seconds(ttl)), leaseSeconds: Int(LockRecord.seconds(ttl)))
            if try create(path: path, data: mine.data) {
                LockLog.logger.info("store \(store): took the lock \(path) until \(Timestamp.format(mine.expires))")
                let lock = LocalLock(path: path, store: store, owner: owner, ttl: ttl, record: mine, log: log)
                await lock.startHeartbeat()
                return lock
            }
            guard let current = try read(path) else { continue }  // released meanwhile
            let holder = try? LockRecord(data: current, source: path)
            if let holder, let why = holder.staleness(age: Self.age(path), ttl: ttl, now: Date(), me: owner) {
                if try moveAside(path: path, expected: current) {
                    log("store \(store): taking over the lock of \(holder.owner.description), which \(why)")
                }
                continue  // now compete for it like any waiter
            }
            LockLog.logger.info(
                "store \(store): the lock \(path) is held by \(holder?.owner.description ?? "an unreadable record"); waiting")
            if ContinuousClock.now >= deadline {
                throw SnapError.lockHeld(
                    store: store, holder: holder?.holderDescription ?? "an unreadable lock file \(path); if no snap is running, delete it")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 250...750)))
        }
    }

    /// How long ago the lock file was last written: its modification time
    /// against this machine's clock (one clock for a local disk). nil when it
    /// cannot be read (it was just released or taken): the record decides then.
    static func age(_ path: String) -> TimeInterval? {
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
        return Date().timeIntervalSince(modified)
    }

    private func startHeartbeat() {
        heartbeat = LeaseHeartbeat.start(self, period: ttl / 3, name: path)
    }

    func note(_ message: String) { log("store \(store): \(message)") }

    /// Renews the lease while the file still holds our last record and that
    /// record's lease has not run out (someone may be taking it over then).
    /// No suspension inside: the actor runs one renewal at a time.
    func refresh() async throws {
        if let lost { throw SnapError.lockLost(store: store, reason: lost) }
        if expires < Date() {
            let reason = "the lease on \(path) ran out at \(Timestamp.format(expires)) before it could be renewed"
            lost = reason
            throw SnapError.lockLost(store: store, reason: reason)
        }
        let current = try Self.read(path)
        guard current == body else {
            let who = current.flatMap { try? LockRecord(data: $0, source: path) }.map { "now held by \($0.owner.description)" }
            let reason = "the lock \(path) was taken over (\(who ?? "deleted")) while this snap held it"
            lost = reason
            throw SnapError.lockLost(store: store, reason: reason)
        }
        let record = LockRecord(
            owner: owner, expires: Date().addingTimeInterval(LockRecord.seconds(ttl)), leaseSeconds: Int(LockRecord.seconds(ttl)))
        try FileSystem.atomicWrite(record.data, to: path)
        (body, expires) = (record.data, record.expires)
    }

    func checkHeld() async throws { try await refresh() }

    func release() async {
        heartbeat?.cancel()
        _ = await heartbeat?.value
        guard lost == nil else { return }
        do {
            guard try Self.read(path) == body else {
                note("left the lock \(path) in place: it is no longer this snap's (taken over)")
                return
            }
            if unlink(path) != 0 && errno != ENOENT {
                throw SnapError.io(path: path, reason: "cannot remove the lock: \(String(cString: strerror(errno)))")
            }
            LockLog.logger.info("store \(store): released the lock \(path)")
        } catch {
            note("could not remove the lock: \(error); its lease runs out by itself at \(Timestamp.format(expires))")
        }
    }

    // MARK: Files

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SnapError.io(path: path, reason: "cannot read the lock: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 { throw SnapError.io(path: path, reason: "cannot read the lock: \(String(cString: strerror(errno)))") }
            if n == 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }

    /// Creates `path` holding `data`, complete, unless it exists (false).
    static func create(path: String, data: Data) throws -> Bool {
        let tmp = FileSystem.tempName(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SnapError.io(path: tmp, reason: "cannot create the lock: \(String(cString: strerror(errno)))") }
        defer { unlink(tmp) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = written == data.count && fsync(fd) == 0
        let err = String(cString: strerror(errno))
        close(fd)
        guard synced else { throw SnapError.io(path: tmp, reason: "cannot write the lock: \(err)") }
        if link(tmp, path) != 0 {
            // ENOENT: a holder's debris sweep removed our temporary file; the
            // caller looks again, as for a held lock.
            if errno == EEXIST || errno == ENOENT { return false }
            throw SnapError.io(path: path, reason: "cannot create the lock: \(String(cString: strerror(errno)))")
        }
        FileSystem.syncFolder(String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]))
        return true
    }

    /// Renames the lock aside if it still holds `expected` (the record judged
    /// stale); true when that record is gone. Something else moved by mistake
    /// (a waiter took the lock in between) is put back.
    static func moveAside(path: String, expected: Data) throws -> Bool {
        let aside = FileSystem.tempName(for: path)
        if rename(path, aside) != 0 {
            if errno == ENOENT { return false }
            throw SnapError.io(path: path, reason: "cannot take the lock over: \(String(cString: strerror(errno)))")
        }
        defer { unlink(aside) }
        if try read(aside) == expected { return true }
        // Put back what we moved; if a third process already made a new
        // lock, the one we moved is lost to its holder, which finds out at
        // its next renewal and stops before committing.
        _ = link(aside, path)
        return false
    }
}
