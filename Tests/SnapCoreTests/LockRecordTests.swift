import Foundation
import Testing

@testable import SnapCore

/// Who may take a lock over: only an expired lease, or a holder provably gone
/// (same host, same boot, pid not running). A pid alone proves nothing.
@Suite struct LockRecordTests {
    let me = LockOwner(host: "h1", bootId: "boot-a", pid: getpid(), nonce: "n-me", started: "2026-11-27T00:00:00Z")
    let deadPid: Int32 = 999_999

    func record(host: String, boot: String, pid: Int32, nonce: String = "n-other", expires: TimeInterval = 600) -> LockRecord {
        LockRecord(
            owner: LockOwner(host: host, bootId: boot, pid: pid, nonce: nonce, started: "2026-11-27T00:00:00Z"),
            expires: Date(timeIntervalSinceNow: expires))
    }

    @Test func roundTripsThroughItsJSON() throws {
        let r = record(host: "h1", boot: "boot-a", pid: 42)
        let back = try LockRecord(data: r.data, source: "lock")
        #expect(back.owner == r.owner)
        #expect(Timestamp.format(back.expires) == Timestamp.format(r.expires))
    }

    @Test func onlyAnExpiredLeaseOrAProvablyGoneHolderIsStale() {
        let now = Date()
        #expect(record(host: "h1", boot: "boot-a", pid: deadPid).staleness(now: now, me: me) == "is no longer running")
        #expect(record(host: "h1", boot: "boot-a", pid: getppid()).staleness(now: now, me: me) == nil, "a live pid")
        #expect(record(host: "h2", boot: "boot-a", pid: deadPid).staleness(now: now, me: me) == nil, "another host")
        #expect(record(host: "h1", boot: "boot-b", pid: deadPid).staleness(now: now, me: me) == nil, "another boot (or container host)")
        #expect(record(host: "h2", boot: "x", pid: 1, expires: -1).staleness(now: now, me: me)?.hasPrefix("expired at") == true)
    }

    @Test func ownLockIsKnownByItsNonce() {
        #expect(record(host: "h1", boot: "boot-a", pid: getpid(), nonce: "n-me").isOwn(me))
        #expect(!record(host: "h1", boot: "boot-a", pid: getpid(), nonce: "n-twin").isOwn(me), "same pid, another process")
    }

    /// A lock from an older snap: no boot id, no nonce, and (local) no expiry.
    @Test func olderLocksAreReadAsBefore() throws {
        let legacy = try LockRecord(data: Data(#"{"host":"h1","pid":999999,"started":"2026-01-01T00:00:00Z"}"#.utf8), source: "lock")
        #expect(legacy.expires == .distantFuture)
        #expect(legacy.staleness(now: Date(), me: me) == "is no longer running")
        let elsewhere = try LockRecord(data: Data(#"{"host":"h2","pid":999999}"#.utf8), source: "lock")
        #expect(elsewhere.staleness(now: Date(), me: me) == nil)
        #expect(throws: SnapError.self) { try LockRecord(data: Data("not json".utf8), source: "lock") }
    }
}
