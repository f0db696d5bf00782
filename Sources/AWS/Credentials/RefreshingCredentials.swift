import Foundation

/// Caches credentials from a source that hands out temporary ones, fetching
/// new ones `refreshMargin` before they expire (5 minutes, as the SDKs do).
///
/// Callers that arrive while a fetch is running wait for that fetch rather
/// than starting their own, so a burst of requests at expiry makes one call
/// to STS / ECS / IMDS. Credentials without an expiration are kept forever.
public actor RefreshingCredentials: CredentialsProvider {
    public typealias Fetch = @Sendable () async throws -> Credentials

    private let fetch: Fetch
    public nonisolated let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: Credentials?
    private var inFlight: Task<Credentials, any Error>?
    /// How many fetches ran (tests read it to see refreshes happen, and happen once).
    public private(set) var fetchCount = 0

    public init(refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func credentials() async throws -> Credentials {
        if let c = cached, !needsRefresh(c) { return c }
        let task: Task<Credentials, any Error>
        if let running = inFlight {
            task = running
        } else {
            fetchCount += 1
            let fetch = self.fetch
            task = Task { try await fetch() }
            inFlight = task
        }
        do {
            let fresh = try await task.value
            // Only the first waiter to resume clears the task; later ones find it already gone
            // (or a newer one, which must stay).
            if inFlight == task { inFlight = nil }
            cached = fresh
            return fresh
        } catch {
            if inFlight == task { inFlight = nil }
            // A failed refresh inside the margin is not fatal: the old credentials still work
            // until they expire, and the next call tries again (IMDS and STS have bad minutes).
            if let c = cached, let e = c.expiration, e > now() { return c }
            throw error
        }
    }

    private func needsRefresh(_ c: Credentials) -> Bool {
        guard let e = c.expiration else { return false }
        return e.timeIntervalSince(now()) < refreshMargin
    }
}
