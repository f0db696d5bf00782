import Foundation

/// One token bucket per quota category, so snap never spends more than its
/// share of an account-wide budget it shares with everything else.
public actor QuotaPacer {
    private struct Bucket {
        var rate: Double
        var capacity: Double
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    private var buckets: [QuotaCategory: Bucket] = [:]
    private let clock = ContinuousClock()

    /// `share` of each default rate, with `overrides` (full rates, e.g. a raised quota) also scaled by `share`.
    public init(share: Double = 0.8, overrides: [QuotaCategory: Double] = [:]) {
        let now = clock.now
        for c in QuotaCategory.allCases {
            let rate = max(0.1, (overrides[c] ?? c.defaultRPS) * share)
            // A one-second burst at most: Cognito meters per second.
            let capacity = max(1, rate.rounded(.down))
            buckets[c] = Bucket(rate: rate, capacity: capacity, tokens: capacity, last: now)
        }
    }

    /// No pacing at all (unit tests against local servers).
    public static func unlimited() -> QuotaPacer {
        QuotaPacer(share: 1, overrides: Dictionary(uniqueKeysWithValues: QuotaCategory.allCases.map { ($0, 1_000_000.0) }))
    }

    public func rate(of category: QuotaCategory) -> Double { buckets[category]!.rate }

    /// Waits until one request of this category may be sent.
    public func acquire(_ category: QuotaCategory) async throws {
        while true {
            var b = buckets[category]!
            let now = clock.now
            let elapsed = now - b.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            b.tokens = min(b.capacity, b.tokens + seconds * b.rate)
            b.last = now
            if b.tokens >= 1 {
                b.tokens -= 1
                buckets[category] = b
                return
            }
            let wait = (1 - b.tokens) / b.rate
            buckets[category] = b
            try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
        }
    }
}
