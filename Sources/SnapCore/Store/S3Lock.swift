import AWS
import Foundation

/// The pool's lock in an S3 store: the object `<prefix>/<pool>/lock`, holding
/// a `LockRecord`. Every change is a compare-and-swap on the ETag this
/// process last saw: taken with `If-None-Match: *`, taken over, refreshed and
/// released with `If-Match`. So two waiters can never both believe they hold
/// it, and a holder whose lock was taken over finds out at its next refresh
/// or `checkHeld`, and stops before committing.
actor S3Lock: StoreLock {
    private let client: S3Client
    private let bucket: String
    private let key: String
    private let store: String
    private let owner: LockOwner
    private let ttl: Duration
    private let sse: ServerSideEncryption?
    private let log: @Sendable (String) -> Void
    private var etag: String
    private var body: Data
    /// Why the lock is no longer ours, once that is known.
    private var lost: String?
    private var heartbeat: Task<Void, Never>?

    private init(
        client: S3Client, bucket: String, key: String, store: String, owner: LockOwner, ttl: Duration, sse: ServerSideEncryption?,
        etag: String, body: Data, log: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.bucket = bucket
        self.key = key
        self.store = store
        self.owner = owner
        self.ttl = ttl
        self.sse = sse
        self.etag = etag
        self.body = body
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
        func held(_ etag: String, _ body: Data) async -> S3Lock {
            let lock = S3Lock(
                client: client, bucket: bucket, key: key, store: store, owner: owner, ttl: ttl, sse: sse, etag: etag, body: body,
                log: log)
            await lock.startHeartbeat()
            return lock
        }
        while true {
            let mine = LockRecord(owner: owner, expires: Date().addingTimeInterval(LockRecord.seconds(ttl))).data
            if let etag = try await client.putObject(
                bucket: bucket, key: key, data: mine, condition: .absent, sse: sse, contentType: "application/json")
            {
                return await held(etag, mine)
            }
            guard let (current, etag) = try await client.getObjectWithETag(bucket: bucket, key: key) else {
                continue  // released between our put and our read: try again at once
            }
            let holder = try? LockRecord(data: current, source: source)
            if let holder, holder.isOwn(owner) {
                // Our own put: its first attempt succeeded, the answer was lost,
                // and the retry met our lock. We hold it.
                return await held(etag, current)
            }
            if let holder, let why = holder.staleness(now: Date(), me: owner) {
                if let taken = try await client.putObject(
                    bucket: bucket, key: key, data: mine, condition: .etag(etag), sse: sse, contentType: "application/json")
                {
                    log("store \(store): taking over the lock of \(holder.owner.description), which \(why)")
                    return await held(taken, mine)
                }
                continue  // another waiter (or a refresh) changed it first: look again
            }
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
        let period = ttl / 3
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)  // cancelled: the loop ends at its test
                guard !Task.isCancelled, let self else { return }
                do {
                    try await self.refresh()
                } catch let e as SnapError {
                    if case .lockLost = e { return }
                } catch {
                    // A refresh that could not reach S3 is tried again next
                    // period; `checkHeld` refuses to commit on an unrenewed lock.
                    await self.note("could not renew the lock \(self.key): \(error)")
                }
            }
        }
    }

    private func note(_ message: String) { log("store \(store): \(message)") }

    /// Renews the lease, conditional on the ETag held. A 412 whose object
    /// holds exactly what we sent is our own retried put; anything else means
    /// the lock was taken from us.
    func refresh() async throws {
        if let lost { throw SnapError.lockLost(store: store, reason: lost) }
        let next = LockRecord(owner: owner, expires: Date().addingTimeInterval(LockRecord.seconds(ttl))).data
        if let tag = try await client.putObject(
            bucket: bucket, key: key, data: next, condition: .etag(etag), sse: sse, contentType: "application/json")
        {
            etag = tag
            body = next
            return
        }
        let current = try await client.getObjectWithETag(bucket: bucket, key: key)
        if let current, current.data == next {
            etag = current.etag
            body = next
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
            }
        } catch {
            let expiry = (try? LockRecord(data: body, source: key)).map { " at \(Timestamp.format($0.expires))" } ?? ""
            note("could not remove the lock \(key): \(error); its lease runs out by itself\(expiry)")
        }
    }
}
