import AWS
import Foundation
import Logging

/// The pool's lock in an S3 store: the object `<prefix>/<pool>/lock`, holding
/// a `LockRecord`. Every change is a compare-and-swap on the ETag this
/// process last saw: taken with `If-None-Match: *`, taken over, refreshed and
/// released with `If-Match`. So two waiters can never both believe they hold
/// it, and a holder whose lock was taken over finds out at its next refresh
/// or `checkHeld`, and stops before committing.
actor S3Lock: StoreLock, LeasedLock {
    private let client: S3Client
    private let bucket: String
    private let key: String
    private let store: String
    private let owner: LockOwner
    private let ttl: Duration
    private let sse: ServerSideEncryption?
    private let log: @Sendable (String) -> Void
    private var etag: String
    /// When the lease we last wrote runs out.
    private var expires: Date
    /// Why the lock is no longer ours, once that is known.
    private var lost: String?
    private var heartbeat: Task<Void, Never>?
    /// The renewal under way: the heartbeat's and `checkHeld`'s share it, so
    /// two conditional puts on the same ETag never race each other.
    private var renewal: Task<Void, Error>?

    private init(
        client: S3Client, bucket: String, key: String, store: String, owner: LockOwner, ttl: Duration, sse: ServerSideEncryption?,
        etag: String, record: LockRecord, log: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.bucket = bucket
        self.key = key
        self.store = store
        self.owner = owner
        self.ttl = ttl
        self.sse = sse
        self.etag = etag
        self.expires = record.expires
        self.log = log
    }

    /// Takes the lock, waiting up to `wait` for a live holder; a holder whose
    /// lease expired, or that is provably gone, is taken over with a message.
    static func acquire(
        client: S3Client, bucket: String, key: String, store: String, owner: LockOwner, ttl: Duration, wait: Duration,
        sse: ServerSideEncryption?, log: @escaping @Sendable (String) -> Void
    ) async throws -> S3Lock {
        let deadline = ContinuousClock.now + wait
        let source = "s3://\(bucket)/\(key)"
        func held(_ etag: String, _ record: LockRecord) async -> S3Lock {
            let lock = S3Lock(
                client: client, bucket: bucket, key: key, store: store, owner: owner, ttl: ttl, sse: sse, etag: etag, record: record,
                log: log)
            await lock.startHeartbeat()
            return lock
        }
        while true {
            let mine = LockRecord(
                owner: owner, expires: Date().addingTimeInterval(LockRecord.seconds(ttl)), leaseSeconds: Int(LockRecord.seconds(ttl)))
            if let etag = try await client.putObject(
                bucket: bucket, key: key, data: mine.data, condition: .absent, sse: sse, contentType: "application/json")
            {
                LockLog.logger.info("store \(store): took the lock \(source) until \(Timestamp.format(mine.expires))")
                return await held(etag, mine)
            }
            guard let (current, etag, age) = try await client.getObjectWithAge(bucket: bucket, key: key) else {
                continue  // released between our put and our read: try again at once
            }
            let holder = try? LockRecord(data: current, source: source)
            if let holder, holder.isOwn(owner) {
                // Our own put: its first attempt succeeded, the answer was lost,
                // and the retry met our lock. We hold it.
                return await held(etag, holder)
            }
            if let holder, let why = holder.staleness(age: age, ttl: ttl, now: Date(), me: owner) {
                if let taken = try await client.putObject(
                    bucket: bucket, key: key, data: mine.data, condition: .etag(etag), sse: sse, contentType: "application/json")
                {
                    log("store \(store): taking over the lock of \(holder.owner.description), which \(why)")
                    return await held(taken, mine)
                }
                continue  // another waiter (or a refresh) changed it first: look again
            }
            LockLog.logger.info(
                "store \(store): the lock \(source) is held by \(holder?.owner.description ?? "an unreadable record"); waiting")
            if ContinuousClock.now >= deadline {
                throw SnapError.lockHeld(
                    store: store,
                    holder: holder?.holderDescription
                        ?? "an unreadable lock object \(source); if no snap is running, delete it")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 500...1500)))
        }
    }

    private func startHeartbeat() {
        heartbeat = LeaseHeartbeat.start(self, period: ttl / 3, name: key)
    }

    func note(_ message: String) { log("store \(store): \(message)") }

    /// Renews the lease, conditional on the ETag held, or joins the renewal
    /// already under way.
    func refresh() async throws {
        if let renewal { return try await renewal.value }
        let task = Task { try await self.renew() }
        renewal = task
        defer { renewal = nil }
        try await task.value
    }

    /// A lease that ran out is lost (someone may have taken over since). A
    /// 412 whose object holds exactly what we sent is our own retried put;
    /// anything else means the lock was taken from us.
    private func renew() async throws {
        if let lost { throw SnapError.lockLost(store: store, reason: lost) }
        if expires < Date() {
            let reason = "the lease on s3://\(bucket)/\(key) ran out at \(Timestamp.format(expires)) before it could be renewed"
            lost = reason
            throw SnapError.lockLost(store: store, reason: reason)
        }
        let record = LockRecord(
            owner: owner, expires: Date().addingTimeInterval(LockRecord.seconds(ttl)), leaseSeconds: Int(LockRecord.seconds(ttl)))
        let next = record.data
        if let tag = try await client.putObject(
            bucket: bucket, key: key, data: next, condition: .etag(etag), sse: sse, contentType: "application/json")
        {
            (etag, expires) = (tag, record.expires)
            return
        }
        let current = try await client.getObjectWithETag(bucket: bucket, key: key)
        if let current, current.data == next {
            (etag, expires) = (current.etag, record.expires)
            return
        }
        let who = current.flatMap { try? LockRecord(data: $0.data, source: key) }.map { "now held by \($0.owner.description)" }
        let reason = "the lock s3://\(bucket)/\(key) was taken over (\(who ?? "deleted")) while this snap held it"
        lost = reason
        throw SnapError.lockLost(store: store, reason: reason)
    }

    func checkHeld() async throws { try await refresh() }

    func release() async {
        heartbeat?.cancel()
        _ = await heartbeat?.value
        guard lost == nil else { return }
        do {
            if try await !client.deleteObject(bucket: bucket, key: key, ifMatch: etag) {
                note("left the lock \(key) in place: it is no longer this snap's (taken over)")
            } else {
                LockLog.logger.info("store \(store): released the lock s3://\(bucket)/\(key)")
            }
        } catch {
            note("could not remove the lock \(key): \(error); its lease runs out by itself at \(Timestamp.format(expires))")
        }
    }
}
