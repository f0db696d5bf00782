import Foundation

/// Sends signed requests over libcurl, keeping connections alive between them.
public final class HTTPClient: Sendable {
    public struct Timeouts: Sendable {
        /// Time allowed to connect, TLS handshake included.
        public var connect: Duration
        /// The transfer is abandoned when it moves less than 1 byte/s for this long,
        /// waiting for the response included.
        public var lowSpeedTime: Duration
        /// A cap on the whole request; nil for none, since large transfers take long.
        public var total: Duration?

        public init(connect: Duration = .seconds(10), lowSpeedTime: Duration = .seconds(60), total: Duration? = nil) {
            self.connect = connect
            self.lowSpeedTime = lowSpeedTime
            self.total = total
        }
    }

    private let limits: CurlLimits
    private let pool: HandlePool

    public init(timeouts: Timeouts = .init(), maxIdleHandles: Int = 16, userAgent: String = "snap") {
        var lowSpeedSeconds = Int((Self.milliseconds(timeouts.lowSpeedTime) + 999) / 1000)
        #if DEBUG
            // `SNAP_TEST_LOW_SPEED_SECONDS=N`: the fault trials' stalls outlast the client's timeout in seconds, not minutes.
            if let n = ProcessInfo.processInfo.environment["SNAP_TEST_LOW_SPEED_SECONDS"].flatMap({ Int($0) }) { lowSpeedSeconds = n }
        #endif
        limits = CurlLimits(
            connectMilliseconds: Self.milliseconds(timeouts.connect),
            lowSpeedSeconds: lowSpeedSeconds,
            totalMilliseconds: timeouts.total.map(Self.milliseconds),
            userAgent: userAgent)
        pool = HandlePool(maxIdle: max(0, maxIdleHandles))
    }

    /// Sends the request exactly as given (signed already). When responseBodyTo is set, a 2xx body
    /// streams into that file (created 0600, truncated) and response.body is empty; a non-2xx body
    /// is always returned in memory (it holds the error document).
    ///
    /// With `responseBodyInto`, a 2xx body is written into that sink as it arrives instead
    /// (`HTTPBodySink`), and the sink is closed when the transfer ends if the body had begun.
    ///
    /// An HTTP error status is returned, not thrown; thrown are `HTTPError` (no response) and
    /// `CancellationError`.
    public func send(_ request: HTTPRequest, responseBodyTo: String? = nil, responseBodyInto sink: HTTPBodySink? = nil)
        async throws -> HTTPResponse
    {
        try Task.checkCancellation()
        let cancel = CurlCancelFlag()
        let limits = self.limits
        let pool = self.pool
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                // curl_easy_perform blocks for the whole transfer; a thread of its own keeps
                // it off the cooperative pool (two cores here) and never waits for a free worker.
                let thread = Thread {
                    continuation.resume(
                        with: Result {
                            let easy = try pool.checkOut()
                            defer { pool.checkIn(easy) }
                            return try easy.perform(request, responseBodyTo: responseBodyTo, sink: sink, limits: limits, cancel: cancel)
                        })
                }
                thread.name = "snap-http"
                thread.start()
            }
        } onCancel: {
            cancel.cancel()
        }
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (seconds, attoseconds) = d.components
        return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// Idle easy handles, so the next request can reuse their open connections.
private final class HandlePool: @unchecked Sendable {
    // @unchecked: `idle` is only touched under `lock`.
    private let lock = NSLock()
    private var idle: [CurlEasy] = []
    private let maxIdle: Int

    init(maxIdle: Int) { self.maxIdle = maxIdle }

    func checkOut() throws -> CurlEasy {
        if let easy = lock.withLock({ idle.popLast() }) { return easy }
        guard let easy = CurlEasy() else {
            throw HTTPError.transport(
                kind: .other, curlCode: 0, message: "libcurl could not be initialised", host: "")
        }
        return easy
    }

    func checkIn(_ easy: CurlEasy) {
        // A handle over the limit is released by the caller, outside the lock, closing its connections.
        lock.withLock {
            if idle.count < maxIdle { idle.append(easy) }
        }
    }
}
