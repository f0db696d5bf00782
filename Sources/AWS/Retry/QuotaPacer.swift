import Foundation

/// One token bucket per quota category, so snap never spends more than its
/// share of an account-wide budget it shares with everything else.
///
/// The buckets adapt (AIMD): a TooManyRequests answer cuts the category's
/// rate by `decrease` for every task at once (only once per window: a
/// request sent before the last cut does not cut again), and every request
/// that goes through adds back `ceiling / recoverySteps`, up to the
/// configured rate. Counting requests, not seconds, keeps the recovery
/// independent of how fast the clock runs (a time-scaled simulator).
public actor QuotaPacer {
    struct Bucket {
        var ceiling: Double
        var rate: Double
        var tokens: Double
        var last: ContinuousClock.Instant
        var lastCut: ContinuousClock.Instant?
        var lastThrottle: ContinuousClock.Instant?
        var lastSuccess: ContinuousClock.Instant
        var requests = 0
        var throttled = 0
        var cuts = 0
        var lowestRate: Double
        /// A burst of at most `QuotaPacer.burstSeconds` of the rate: the tasks that share a budget (every
        /// pool of an account and region under `create --all`) may not, after a pause, spend a whole second's
        /// worth at once on top of the steady rate (measured: a one-second bucket let single seconds reach
        /// 1.9 times the share; BENCHMARKS.md).
        var capacity: Double { max(1, (rate * QuotaPacer.burstSeconds).rounded(.down)) }
    }

    /// What the pacer saw for one category, for progress lines and the manifest.
    public struct Snapshot: Sendable, Equatable {
        public var ceiling: Double
        public var rate: Double
        public var requests: Int
        public var throttled: Int
        public var cuts: Int
        public var lowestRate: Double
        /// Throttled within the last `recentWindow`.
        public var throttledRecently: Bool
    }

    /// How much of a second's rate a bucket holds when it has been idle.
    public static let burstSeconds = 0.25

    private var buckets: [QuotaCategory: Bucket] = [:]
    /// Per-operation caps (`QuotaCategory.perOperationRPS` × share), one bucket
    /// per operation, taken on top of the category's.
    private var operationBuckets: [String: (rate: Double, tokens: Double, last: ContinuousClock.Instant)] = [:]
    private let share: Double
    private let clock = ContinuousClock()
    /// The factor a throttle cuts the rate by.
    public let decrease: Double
    /// Requests that go through to climb back from zero to the configured rate.
    public let recoverySteps: Double
    /// The lowest share of the configured rate a cut may reach.
    public let floorShare: Double
    /// How long throttling may last without any request of the category
    /// going through before a request gives up (`--max-throttle-wait`).
    public private(set) var maxThrottleWait: Duration = .seconds(30 * 60)
    public var recentWindow: Duration = .seconds(2)

    /// `share` of each default rate, with `overrides` (full rates, e.g. a raised quota) also scaled by `share`.
    public init(
        share: Double = 0.8, overrides: [QuotaCategory: Double] = [:], decrease: Double = 0.7, recoverySteps: Double = 500,
        floorShare: Double = 0.02
    ) {
        self.decrease = decrease
        self.recoverySteps = max(1, recoverySteps)
        self.floorShare = floorShare
        self.share = share
        let now = clock.now
        for c in QuotaCategory.allCases {
            let rate = max(0.1, (overrides[c] ?? c.defaultRPS) * share)
            buckets[c] = Bucket(
                ceiling: rate, rate: rate, tokens: max(1, (rate * Self.burstSeconds).rounded(.down)), last: now, lastSuccess: now,
                lowestRate: rate)
        }
    }

    public func setMaxThrottleWait(_ d: Duration) { maxThrottleWait = d }

    /// The per-operation cap buckets made so far (`operation` or `operation pool`), for tests.
    var capBuckets: Set<String> { Set(operationBuckets.keys) }

    /// The rate the category is paced at now (requests per second).
    public func rate(of category: QuotaCategory) -> Double { buckets[category]!.rate }

    public func snapshot(of category: QuotaCategory) -> Snapshot {
        let b = buckets[category]!
        let recent = b.lastThrottle.map { clock.now - $0 < recentWindow } ?? false
        return Snapshot(
            ceiling: b.ceiling, rate: b.rate, requests: b.requests, throttled: b.throttled, cuts: b.cuts, lowestRate: b.lowestRate,
            throttledRecently: recent)
    }

    /// Waits until one request of this operation may be sent: its own
    /// per-pool cap first (where the category has one; one bucket per
    /// operation and `pool`, so pools sharing this pacer keep their own caps),
    /// then the category's budget, which every pool of the account and region shares.
    @discardableResult
    public func acquire(_ category: QuotaCategory, operation: String, pool: String? = nil) async throws -> ContinuousClock.Instant {
        if let cap = category.perOperationRPS {
            let operation = pool.map { "\(operation) \($0)" } ?? operation
            let rate = max(0.1, cap * share)
            while true {
                let now = clock.now
                var b = operationBuckets[operation] ?? (rate: rate, tokens: 1, last: now)
                b.tokens = min(max(1, rate.rounded(.down)), b.tokens + Self.seconds(now - b.last) * rate)
                b.last = now
                if b.tokens >= 1 {
                    b.tokens -= 1
                    operationBuckets[operation] = b
                    break
                }
                let wait = (1 - b.tokens) / rate
                operationBuckets[operation] = b
                try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
            }
        }
        return try await acquire(category)
    }

    /// Waits until one request of this category may be sent; returns when it was let go.
    @discardableResult
    public func acquire(_ category: QuotaCategory) async throws -> ContinuousClock.Instant {
        while true {
            var b = buckets[category]!
            let now = clock.now
            b.tokens = min(b.capacity, b.tokens + Self.seconds(now - b.last) * b.rate)
            b.last = now
            if b.tokens >= 1 {
                b.tokens -= 1
                b.requests += 1
                buckets[category] = b
                return now
            }
            let wait = (1 - b.tokens) / b.rate
            buckets[category] = b
            try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
        }
    }

    /// A request of this category went through: the rate climbs back additively.
    public func succeeded(_ category: QuotaCategory) {
        var b = buckets[category]!
        b.lastSuccess = clock.now
        b.rate = min(b.ceiling, b.rate + b.ceiling / recoverySteps)
        buckets[category] = b
    }

    /// A request of this category sent at `sentAt` was throttled: cut the
    /// rate for every task, once per window. Returns how long the category
    /// has gone without progress (since its last success or `since`, whichever is later).
    @discardableResult
    public func throttled(_ category: QuotaCategory, sentAt: ContinuousClock.Instant, since start: ContinuousClock.Instant) -> Duration {
        var b = buckets[category]!
        let now = clock.now
        b.throttled += 1
        b.lastThrottle = now
        if b.lastCut.map({ sentAt > $0 }) ?? true {
            b.rate = max(b.ceiling * floorShare, b.rate * decrease)
            b.tokens = min(b.tokens, 0)
            b.lastCut = now
            b.cuts += 1
            b.lowestRate = min(b.lowestRate, b.rate)
        }
        buckets[category] = b
        return now - max(b.lastSuccess, start)
    }

    public static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
