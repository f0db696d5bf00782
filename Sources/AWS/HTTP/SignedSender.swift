import Foundation
import Logging

/// Signs and sends requests for one service in one region, pacing them by
/// quota category and retrying what is worth retrying. Each attempt is
/// signed anew, so a retry after a long backoff still carries a fresh date.
public struct SignedSender: Sendable {
    public let service: String
    public let signer: SigV4Signer
    public let endpoint: Endpoint
    public let http: HTTPClient
    public let credentials: any CredentialsProvider
    public let retry: RetryPolicy
    public let pacer: QuotaPacer?
    public let logger: Logger

    public init(
        service: String, signingName: String, region: String, endpoint: Endpoint, http: HTTPClient,
        credentials: any CredentialsProvider, retry: RetryPolicy = .default, pacer: QuotaPacer? = nil,
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
    /// returns a 2xx response; anything else becomes an `AWSError`.
    public func send(
        _ request: HTTPRequest, operation: String, category: QuotaCategory? = nil, payloadHash: String? = nil,
        responseBodyTo: String? = nil, acceptStatus: Set<Int> = []
    ) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            if let category, let pacer { try await pacer.acquire(category) }
            var signed = request
            signed.scheme = endpoint.scheme
            signed.host = endpoint.host
            signed.port = endpoint.port
            signed.path = endpoint.basePath + request.path
            signer.sign(&signed, credentials: try await credentials.credentials(), date: Date(), payloadHash: payloadHash)
            let response: HTTPResponse
            let sent = ContinuousClock.now
            do {
                response = try await http.send(signed, responseBodyTo: responseBodyTo)
            } catch let error as HTTPError {
                guard error.isRetryable, attempt < retry.maxAttempts else {
                    throw AWSError.transport(service: service, operation: operation, error: error, attempts: attempt)
                }
                let wait = retry.delay(beforeRetry: attempt)
                logger.info(
                    "\(service) \(operation): \(error); retry \(attempt) of \(retry.maxAttempts - 1) in \(RequestLog.seconds(wait))")
                try await Task.sleep(for: wait)
                continue
            }
            if logger.logLevel <= .debug {
                logger.debug("\(RequestLog.line(signed, operation: operation, status: response.status, since: sent, attempt: attempt))")
            }
            if (200..<300).contains(response.status) || acceptStatus.contains(response.status) { return response }
            let doc = ErrorDocument.parse(response)
            let error = AWSError.ServiceError(
                service: service, operation: operation, status: response.status, code: doc.code,
                message: doc.message, requestId: doc.requestId, attempts: attempt)
            guard error.isRetryable, attempt < retry.maxAttempts else { throw AWSError.service(error) }
            let wait = retry.delay(beforeRetry: attempt)
            if logger.logLevel <= .info {
                let pace = await RequestLog.pace(category, pacer)
                let what = RequestLog.isThrottle(doc.code) ? "throttled (\(doc.code))\(pace)" : "\(doc.code) (HTTP \(response.status))"
                logger.info("\(service) \(operation): \(what); retry \(attempt) of \(retry.maxAttempts - 1) in \(RequestLog.seconds(wait))")
            }
            try await Task.sleep(for: wait)
        }
    }
}
