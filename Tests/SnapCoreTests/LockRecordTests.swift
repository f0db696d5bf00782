import Foundation
import Testing

@testable import SnapCore

/// Who may take a lock over: only a lease that ran out by the store's clock,
/// or a holder provably gone (same host, boot and pid namespace, pid not
/// running). A pid alone proves nothing, and neither does a clock.
@Suite struct LockRecordTests {
    let me = LockOwner(
        host: "h1", bootId: "boot-a", pid: getpid(), nonce: "n-me", started: "2026-11-27T00:00:00Z", pidNamespace: "pid:[4026531836]")
    let deadPid: Int32 = 999_999
    let ttl: Duration = .seconds(600)

    func record(
        host: String, boot: String, pid: Int32, nonce: String = "n-other", expires: TimeInterval = 600, ns: String = "pid:[4026531836]"
    ) -> LockRecord {
        LockRecord(
            owner: LockOwner(host: host, bootId: boot, pid: pid, nonce: nonce, started: "2026-11-27T00:00:00Z", pidNamespace: ns),
            expires: Date(timeIntervalSinceNow: expires), leaseSeconds: 600)
    }

    @Test func roundTripsThroughItsJSON() throws {
        let r = record(host: "h1", boot: "boot-a", pid: 42)
        let back = try LockRecord(data: r.data, source: "lock")
        #expect(back.owner == r.owner && back.owner.pidNamespace == "pid:[4026531836]")
        #expect(back.leaseSeconds == 600)
        #expect(Timestamp.format(back.expires) == Timestamp.format(r.expires))
    }

    @Test func onlyAnExpiredLeaseOrAProvablyGoneHolderIsStale() {
        let now = Date()
        func stale(_ r: LockRecord, age: TimeInterval? = 5) -> String? { r.staleness(age: age, ttl: ttl, now: now, me: me) }
        #expect(stale(record(host: "h1", boot: "boot-a", pid: deadPid)) == "is no longer running")
        #expect(stale(record(host: "h1", boot: "boot-a", pid: getppid())) == nil, "a live pid")
        #expect(stale(record(host: "h2", boot: "boot-a", pid: deadPid)) == nil, "another host")
        #expect(stale(record(host: "h1", boot: "boot-b", pid: deadPid)) == nil, "another boot")
        // Issue 19, item 9: a container on the same host, same boot id, another pid namespace.
        #expect(stale(record(host: "h1", boot: "boot-a", pid: deadPid, ns: "pid:[4026532999]")) == nil, "another pid namespace")
        #expect(stale(record(host: "h1", boot: "boot-a", pid: deadPid, ns: "")) == nil, "an unknown pid namespace")
        // The lease is measured by the store's clock: the record's expiry, by the writer's clock, is not read.
        #expect(stale(record(host: "h2", boot: "x", pid: 1, expires: -1), age: 5) == nil, "a writer's clock running behind")
        #expect(stale(record(host: "h2", boot: "x", pid: 1, expires: 3600), age: 700)?.contains("past its 600s lease") == true)
        // A store that gave no dates: the record's expiry is all there is.
        #expect(stale(record(host: "h2", boot: "x", pid: 1, expires: -1), age: nil)?.hasPrefix("expired at") == true)
    }

    @Test func ownLockIsKnownByItsNonce() {
        #expect(record(host: "h1", boot: "boot-a", pid: getpid(), nonce: "n-me").isOwn(me))
        #expect(!record(host: "h1", boot: "boot-a", pid: getpid(), nonce: "n-twin").isOwn(me), "same pid, another process")
    }

    /// A lock from an older snap: no boot id, pid namespace or nonce, and
    /// (local) no expiry. Its holder can no longer be proved gone: it waits
    /// for its lease (an S3 record's, by the store's clock), or is removed by hand.
    @Test func olderLocksProveNothingButTheirLease() throws {
        let legacy = try LockRecord(data: Data(#"{"host":"h1","pid":999999,"started":"2026-01-01T00:00:00Z"}"#.utf8), source: "lock")
        #expect(legacy.expires == .distantFuture && legacy.leaseSeconds == nil)
        #expect(legacy.staleness(age: 100_000, ttl: ttl, now: Date(), me: me) == nil)
        let s3 = try LockRecord(
            data: Data(#"{"host":"h2","pid":1,"bootId":"b","expires":"2026-01-01T00:00:00Z"}"#.utf8), source: "lock")
        #expect(s3.staleness(age: 30, ttl: ttl, now: Date(), me: me) == nil)
        #expect(s3.staleness(age: 601, ttl: ttl, now: Date(), me: me) != nil)
        #expect(throws: SnapError.self) { try LockRecord(data: Data("not json".utf8), source: "lock") }
    }

    @Test func thisProcessKnowsItsPidNamespace() {
        #expect(LockOwner.current().pidNamespace.hasPrefix("pid:["))
    }
}
