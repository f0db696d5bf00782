import Foundation

/// Capped exponential backoff with full jitter (the AWS architecture blog's
/// "full jitter"): attempt n waits a random time in [0, min(cap, base * 2^n)].
/// The attempt count is bounded, so a broken endpoint ends in an error, never a hang.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration

    public init(maxAttempts: Int = 8, base: Duration = .milliseconds(100), cap: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
    }

    public static let `default` = RetryPolicy()

    /// The wait before retry number `attempt` (1 = the first retry).
    public func delay(beforeRetry attempt: Int) -> Duration {
        let exp = min(attempt - 1, 30)
        let ceiling = min(cap, base * (1 << exp))
        let nanos = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(1, nanos)))
    }
}
