import Foundation
import Testing

@testable import AWS

/// The pacer's AIMD: throttling cuts a category's rate once per window for
/// every task, successes climb back additively, and the stall it reports
/// is what `--max-throttle-wait` is held against.
@Suite struct AdaptivePacerTests {
    @Test func aThrottleCutsTheRateOncePerWindow() async throws {
        let pacer = QuotaPacer(share: 1, overrides: [.userList: 100], decrease: 0.5, recoverySteps: 100)
        let sent = try await pacer.acquire(.userList)
        await pacer.throttled(.userList, sentAt: sent, since: sent)
        #expect(await pacer.rate(of: .userList) == 50)
        // Another request sent before the cut was throttled too: the same congestion, no second cut.
        await pacer.throttled(.userList, sentAt: sent, since: sent)
        #expect(await pacer.rate(of: .userList) == 50)
        // A request sent after the cut and throttled again: cut again.
        let later = try await pacer.acquire(.userList)
        await pacer.throttled(.userList, sentAt: later, since: later)
        #expect(await pacer.rate(of: .userList) == 25)
        let s = await pacer.snapshot(of: .userList)
        #expect(s.throttled == 3 && s.cuts == 2 && s.lowestRate == 25 && s.throttledRecently)
        // Other categories are untouched.
        #expect(await pacer.rate(of: .userRead) == 120)
    }

    @Test func successesRecoverAdditivelyUpToTheCeiling() async throws {
        let pacer = QuotaPacer(share: 1, overrides: [.userList: 100], decrease: 0.5, recoverySteps: 100)
        let sent = try await pacer.acquire(.userList)
        await pacer.throttled(.userList, sentAt: sent, since: sent)
        for _ in 0..<10 { await pacer.succeeded(.userList) }
        #expect(abs(await pacer.rate(of: .userList) - 60) < 1e-9)  // 50 + 10 x (100 / 100)
        for _ in 0..<1000 { await pacer.succeeded(.userList) }
        #expect(await pacer.rate(of: .userList) == 100)
    }

    @Test func cutsStopAtTheFloor() async throws {
        let pacer = QuotaPacer(share: 1, overrides: [.userList: 100], decrease: 0.5, floorShare: 0.1)
        for _ in 0..<20 {
            let sent = try await pacer.acquire(.userList)
            await pacer.throttled(.userList, sentAt: sent, since: sent)
        }
        #expect(await pacer.rate(of: .userList) == 10)
    }

    @Test func theStallCountsFromTheLastSuccessOrTheRequestsStart() async throws {
        let pacer = QuotaPacer(share: 1, overrides: [.userList: 1000])
        let start = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(50))
        let sent = try await pacer.acquire(.userList)
        let stalled = await pacer.throttled(.userList, sentAt: sent, since: start)
        #expect(stalled >= .milliseconds(50))
        await pacer.succeeded(.userList)
        let after = await pacer.throttled(.userList, sentAt: sent, since: start)
        #expect(after < stalled)
        #expect(await pacer.maxThrottleWait == .seconds(1800))
        await pacer.setMaxThrottleWait(.seconds(5))
        #expect(await pacer.maxThrottleWait == .seconds(5))
    }

    @Test func aCutRateReallyPacesSlower() async throws {
        // 40 RPS cut to 10: after the cut, 10 requests need about a second (lower bound only).
        let pacer = QuotaPacer(share: 1, overrides: [.userList: 40], decrease: 0.25)
        let sent = try await pacer.acquire(.userList)
        await pacer.throttled(.userList, sentAt: sent, since: sent)
        let start = ContinuousClock.now
        for _ in 0..<10 { try await pacer.acquire(.userList) }
        #expect(ContinuousClock.now - start >= .milliseconds(800))
    }
}

/// Issue 20, item 10: the quotas page caps each operation of
/// UserPoolResourceRead and UserPoolResourceUpdate at 5 requests per second per
/// pool, whatever the category's budget (snap ran CreateGroup at 12/s).
@Suite struct PerOperationCapTests {
    @Test func oneOperationOfAResourceCategoryNeverPassesFivePerSecond() async throws {
        let pacer = QuotaPacer(share: 1)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<11 { try await pacer.acquire(.userPoolResourceUpdate, operation: "CreateGroup") }
        // One at once, then ten at 5 per second: at least two seconds (a lower bound only).
        #expect(clock.now - start >= .milliseconds(1900))
    }

    @Test func eachPoolOfASharedPacerKeepsItsOwnCap() async throws {
        // create --all: one pacer for every pool of an account and region; the cap is per pool and operation.
        let pacer = QuotaPacer(share: 1, overrides: [.userPoolResourceRead: 1000])
        try await pacer.acquire(.userPoolResourceRead, operation: "ListGroups", pool: "us-east-1_A")
        try await pacer.acquire(.userPoolResourceRead, operation: "ListGroups", pool: "us-east-1_B")
        try await pacer.acquire(.userPoolResourceRead, operation: "ListGroups", pool: "us-east-1_A")
        #expect(await pacer.capBuckets == ["ListGroups us-east-1_A", "ListGroups us-east-1_B"])
        // One pool's ListGroups still at most 5/s (a lower bound only).
        let clock = ContinuousClock()
        let one = clock.now
        for _ in 0..<11 { try await pacer.acquire(.userPoolResourceRead, operation: "ListGroups", pool: "us-east-1_C") }
        #expect(clock.now - one >= .milliseconds(1900), "one pool's ListGroups passed 5/s")
    }

    @Test func otherCategoriesAndOtherOperationsAreNotCapped() async throws {
        #expect(QuotaCategory.userList.perOperationRPS == nil && QuotaCategory.userPoolResourceRead.perOperationRPS == 5)
        let pacer = QuotaPacer(share: 1, overrides: [.userList: 1000])
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<11 { try await pacer.acquire(.userList, operation: "ListUsers") }
        #expect(clock.now - start < .milliseconds(1900), "ListUsers paced at the category's 1000/s, not 5/s")
    }
}
