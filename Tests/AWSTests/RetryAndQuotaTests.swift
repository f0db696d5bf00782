import Foundation
import Testing

@testable import AWS

@Suite struct RetryAndQuotaTests {
    @Test func backoffIsCappedAndJittered() {
        let p = RetryPolicy(maxAttempts: 8, base: .milliseconds(100), cap: .seconds(2))
        for attempt in 1...40 {
            let d = p.delay(beforeRetry: attempt)
            #expect(d >= .zero && d <= .seconds(2))
        }
        let early = (0..<200).map { _ in p.delay(beforeRetry: 1) }
        #expect(early.allSatisfy { $0 <= .milliseconds(100) })
        #expect(Set(early.map { $0.components.attoseconds }).count > 1, "no jitter")
    }

    @Test func pacerHoldsACategoryToItsShare() async throws {
        // UserList 30 RPS x 0.5 = 15 RPS with a 3-token burst (a quarter second): 45 requests need about 2.8 s.
        let pacer = QuotaPacer(share: 0.5)
        #expect(await pacer.rate(of: .userList) == 15)
        let start = ContinuousClock.now
        for _ in 0..<45 { try await pacer.acquire(.userList) }
        let elapsed = ContinuousClock.now - start
        // Only the lower bound is asserted: it proves the pacing; an upper bound would time the machine.
        #expect(elapsed >= .milliseconds(1800), "elapsed \(elapsed)")
    }

    @Test func anIdleBucketHoldsAQuarterSecondNotASecond() async throws {
        // 30 RPS: 7 tokens after idling, not 30; so 30 requests at once take at least (30 - 7) / 30 s.
        // Pools sharing an account's pacer (create --all) then never spend a second's budget at once on top of the rate.
        let pacer = QuotaPacer(share: 1)
        try await Task.sleep(for: .milliseconds(1200))
        let start = ContinuousClock.now
        for _ in 0..<30 { try await pacer.acquire(.userList) }
        #expect(ContinuousClock.now - start >= .milliseconds(700), "a burst of more than a quarter second's rate")
    }

    @Test func categoriesAreIndependentAndOverridesApply() async throws {
        let pacer = QuotaPacer(share: 0.8, overrides: [.userList: 100])
        #expect(await pacer.rate(of: .userList) == 80)
        #expect(await pacer.rate(of: .userCreation) == 40)
        #expect(QuotaCategory(name: "userresourceupdate") == .userResourceUpdate)
        #expect(QuotaCategory(name: "nope") == nil)
    }
}
