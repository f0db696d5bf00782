import Foundation
import Logging

/// Signs and sends requests for one service in one region, pacing them by
/// quota category and retrying what is worth retrying. Each attempt is
/// signed anew, so a retry after a long backoff still carries a fresh date.
/// For a paced call (a quota category and a pacer: Cognito), throttling is
/// not an attempt: it cuts the category's pace (`QuotaPacer`) and is retried
/// until the category has gone `maxThrottleWait` without a request going
/// through. Other failures, and throttling of unpaced calls (S3), get
/// `retry.maxAttempts`.
public struct SignedSender: Sendable {
    public let service: String
    public let signer: SigV4Signer
    public let endpoint: Endpoint
    public let http: HTTPClient
    /// nil: requests go unsigned (STS AssumeRoleWithWebIdentity, whose token is the proof).
    public let credentials: (any CredentialsProvider)?
    /// Error codes retried besides throttling, 5xx and transient ones (STS: IDPCommunicationError).
    public var extraRetryableCodes: Set<String> = []
    public let retry: RetryPolicy
    public let pacer: QuotaPacer?
    public let logger: Logger
    /// Backoff between throttled attempts; the pacer's cut rate does the rest.
    let throttleRetry = RetryPolicy(base: .milliseconds(50), cap: .seconds(1))

    public init(
        service: String, signingName: String, region: String, endpoint: Endpoint, http: HTTPClient,
        credentials: (any CredentialsProvider)?, retry: RetryPolicy = .default, pacer: QuotaPacer? = nil,
        signerOptions: SigV4Signer.Options = .init(), logger: Logger = Logger(label: "snap.aws")
    ) {
        self.service = service
        self.signer = SigV4Signer(service: signingName, region: region, options: signerOptions)
        self.endpoint = endpoint
        self.http = http
        self.credentials = credentials
        self.retry = retry
        self.pacer = pacer
        self.logger = logger
    }

    /// Sends `request` (host and scheme are filled from the endpoint) and
    /// returns a 2xx response; anything else becomes an `AWSError`. A request
    /// whose body streams into `responseBodyInto` is not retried once that
    /// body has begun: what the reader already has cannot be taken back.
    public func send(
        _ request: HTTPRequest, operation: String, category: QuotaCategory? = nil, payloadHash: String? = nil,
        responseBodyTo: String? = nil, responseBodyInto: HTTPBodySink? = nil, acceptStatus: Set<Int> = [], pool: String? = nil
    ) async throws -> HTTPResponse {
        var attempt = 0
        var throttles = 0
        let started = ContinuousClock.now
        while true {
            attempt += 1
            var sentAt = ContinuousClock.now
            if let category, let pacer { sentAt = try await pacer.acquire(category, operation: operation, pool: pool) }
            var signed = request
            signed.scheme = endpoint.scheme
            signed.host = endpoint.host
            signed.port = endpoint.port
            signed.path = endpoint.basePath + request.path
            if let credentials {
                signer.sign(&signed, credentials: try await credentials.credentials(), date: Date(), payloadHash: payloadHash)
            }
            let response: HTTPResponse
            let sent = ContinuousClock.now
            do {
                response = try await http.send(signed, responseBodyTo: responseBodyTo, responseBodyInto: responseBodyInto)
            } catch let error as HTTPError {
                let streamed = responseBodyInto?.hasBegun ?? false
                guard error.isRetryable, !streamed, attempt - throttles < retry.maxAttempts else {
                    throw AWSError.transport(service: service, operation: operation, error: error, attempts: attempt)
                }
                let wait = retry.delay(beforeRetry: attempt - throttles)
                logger.info(
                    "\(service) \(operation): \(error); retry \(attempt - throttles) of \(retry.maxAttempts - 1) in \(RequestLog.seconds(wait))"
                )
                try await Task.sleep(for: wait)
                continue
            }
            if logger.logLevel <= .debug {
                logger.debug("\(RequestLog.line(signed, operation: operation, status: response.status, since: sent, attempt: attempt))")
            }
            if (200..<300).contains(response.status) || acceptStatus.contains(response.status) {
                if let category, let pacer { await pacer.succeeded(category) }
                return response
            }
            let doc = ErrorDocument.parse(response)
            var error = AWSError.ServiceError(
                service: service, operation: operation, status: response.status, code: doc.code,
                message: doc.message, requestId: doc.requestId, attempts: attempt)
            if let category, let pacer, AWSError.ServiceError.throttlingCodes.contains(error.code) {
                // A paced (Cognito) call: throttling is answered by pacing, against a time budget, not an attempt count.
                throttles += 1
                let budget = await pacer.maxThrottleWait
                let stalled = await pacer.throttled(category, sentAt: sentAt, since: started)
                guard stalled < budget else {
                    error.message +=
                        "; throttled for \(Self.describe(stalled)) without progress, beyond --max-throttle-wait \(Self.describe(budget))"
                    throw AWSError.service(error)
                }
                let wait = throttleRetry.delay(beforeRetry: min(throttles, 8))
                if logger.logLevel <= .info {
                    let pace = await RequestLog.pace(category, pacer)
                    logger.info(
                        "\(service) \(operation): throttled (\(doc.code))\(pace); throttle \(throttles), \(Self.describe(stalled)) without progress, retry in \(RequestLog.seconds(wait))"
                    )
                }
                try await Task.sleep(for: wait)
                continue
            }
            guard error.isRetryable || extraRetryableCodes.contains(error.code), attempt - throttles < retry.maxAttempts else {
                throw AWSError.service(error)
            }
            let wait = retry.delay(beforeRetry: attempt - throttles)
            logger.info(
                "\(service) \(operation): \(doc.code) (HTTP \(response.status)); retry \(attempt - throttles) of \(retry.maxAttempts - 1) in \(RequestLog.seconds(wait))"
            )
            try await Task.sleep(for: wait)
        }
    }

    static func describe(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s >= 60 ? String(format: "%.1f min", s / 60) : String(format: "%.1f s", s)
    }
}
