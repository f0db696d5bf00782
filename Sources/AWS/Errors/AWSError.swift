/// Everything that can go wrong while talking to AWS, carrying what a user
/// needs to act: which service and operation, the service's own code and
/// message, and the request id to quote to AWS support.
public enum AWSError: Error, Sendable, CustomStringConvertible {
    /// The service answered with an error document.
    case service(ServiceError)
    /// The request never got an answer (after retries, when retryable).
    case transport(service: String, operation: String, error: HTTPError, attempts: Int)
    /// No credentials anywhere in the chain, or a source that is broken.
    case credentials(String)
    /// A setting that cannot work (bad endpoint URL, no region, ...).
    case configuration(String)
    /// The service answered 2xx with something we cannot read.
    case invalidResponse(service: String, operation: String, reason: String)

    public struct ServiceError: Sendable {
        public var service: String
        public var operation: String
        public var status: Int
        public var code: String
        public var message: String
        public var requestId: String?
        public var attempts: Int
        /// What the request was about (an S3 object `s3://BUCKET/KEY` or bucket `s3://BUCKET`), when it names one.
        public var resource: String?

        public init(service: String, operation: String, status: Int, code: String, message: String, requestId: String?, attempts: Int = 1) {
            self.service = service
            self.operation = operation
            self.status = status
            self.code = code
            self.message = message
            self.requestId = requestId
            self.attempts = attempts
        }

        /// Worth another try: throttling, the service's own failures, and
        /// S3's RequestTimeout (a 400 meaning the upload stalled on the way).
        public var isRetryable: Bool {
            if status >= 500 { return true }
            return Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code)
        }

        static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable"]

        /// Throttling: answered by pacing and retried on a time budget, never an item's failure.
        public var isThrottling: Bool { Self.throttlingCodes.contains(code) }

        static let throttlingCodes: Set<String> = [
            "TooManyRequestsException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
            "SlowDown", "RequestThrottled", "ProvisionedThroughputExceededException",
        ]

        public var isSignatureError: Bool {
            ["SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature"].contains(code)
        }

        public var isAccessDenied: Bool {
            ["AccessDenied", "AccessDeniedException", "NotAuthorizedException", "UnauthorizedOperation"].contains(code)
        }

        public var isCredentialError: Bool {
            [
                "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
                "InvalidAccessKeyId", "TokenRefreshRequired",
            ].contains(code)
        }
    }

    /// The same error, naming `resource` (an S3 object or bucket): a
    /// transport error carries it in its operation's words.
    public func about(_ resource: String) -> AWSError {
        switch self {
        case .service(var e):
            e.resource = e.resource ?? resource
            return .service(e)
        case .transport(let service, let operation, let error, let attempts):
            return .transport(service: service, operation: "\(operation) of \(resource)", error: error, attempts: attempts)
        case .invalidResponse(let service, let operation, let reason):
            return .invalidResponse(service: service, operation: "\(operation) of \(resource)", reason: reason)
        case .credentials, .configuration:
            return self
        }
    }

    public var serviceError: ServiceError? {
        if case .service(let e) = self { return e }
        return nil
    }

    public var description: String {
        switch self {
        case .service(let e):
            var hint = ""
            if e.isSignatureError {
                hint =
                    " (the request signature does not match: the secret access key is wrong for this access key id; check AWS_SECRET_ACCESS_KEY or the profile)"
            } else if e.isCredentialError {
                hint = " (the credentials are not valid here or have expired: check AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN or the profile)"
            } else if e.isAccessDenied {
                hint = " (access denied for \(e.service):\(e.operation): grant that action to this identity)"
            } else if e.isRetryable {
                hint = " (gave up after \(e.attempts) attempts)"
            }
            let rid = e.requestId.map { ", request id \($0)" } ?? ""
            let on = e.resource.map { " of \($0)" } ?? ""
            return "\(e.service) \(e.operation)\(on) failed: \(e.code): \(e.message)\(hint) [HTTP \(e.status)\(rid)]"
        case .transport(let service, let operation, let error, let attempts):
            return "\(service) \(operation) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(error)"
        case .credentials(let m): return "credentials: \(m)"
        case .configuration(let m): return "configuration: \(m)"
        case .invalidResponse(let service, let operation, let reason):
            return "\(service) \(operation) returned a response snap cannot read: \(reason)"
        }
    }
}
