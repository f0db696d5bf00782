import Crypto
import Foundation

/// AWS Signature Version 4, by Authorization header or by query string.
///
/// Holds no secrets: credentials are passed to each call and never stored,
/// logged or put in a description.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable, Equatable {
        /// Remove "./", "../" and duplicate slashes from the path (false for S3).
        public var normalizePath: Bool
        /// Canonical URI = encode(encodePath(path)); false for S3.
        public var doubleEncodePath: Bool
        /// Add and sign x-amz-content-sha256 (S3: true).
        public var addContentSHA256Header: Bool
        /// When presigning without an explicit payload hash, sign
        /// UNSIGNED-PAYLOAD (S3's rule for presigned URLs) rather than the
        /// body's hash.
        public var presignUnsignedPayload: Bool

        public init(
            normalizePath: Bool = true, doubleEncodePath: Bool = false,
            addContentSHA256Header: Bool = false, presignUnsignedPayload: Bool = false
        ) {
            self.normalizePath = normalizePath
            self.doubleEncodePath = doubleEncodePath
            self.addContentSHA256Header = addContentSHA256Header
            self.presignUnsignedPayload = presignUnsignedPayload
        }

        public static let s3 = Options(
            normalizePath: false, doubleEncodePath: false,
            addContentSHA256Header: true, presignUnsignedPayload: true)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public let service: String
    public let region: String
    public let options: Options

    public init(service: String, region: String, options: Options = .init()) {
        self.service = service
        self.region = region
        self.options = options
    }

    public static func sha256Hex(_ data: Data) -> String { SigV4Hash.sha256Hex(data) }

    /// What one signing produced; holds nothing secret.
    struct Signing: Sendable, Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var signedHeaders: String
    }

    // MARK: Header signing

    /// Adds X-Amz-Date, X-Amz-Security-Token (when the credentials have one),
    /// x-amz-content-sha256 (if the option is on), Host if missing, and
    /// Authorization. `payloadHash` nil: the hex SHA-256 of the body
    /// (UNSIGNED-PAYLOAD for a file body).
    public func sign(_ request: inout HTTPRequest, credentials: Credentials, date: Date, payloadHash: String? = nil) {
        _ = signDetailed(&request, credentials: credentials, date: date, payloadHash: payloadHash)
    }

    @discardableResult
    func signDetailed(_ request: inout HTTPRequest, credentials: Credentials, date: Date, payloadHash: String? = nil) -> Signing {
        let (amzDate, dateStamp) = SigV4Canonical.timestamps(date)
        let hash = payloadHash ?? Self.bodyHash(request.body)

        request.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
        if request.header("Host") == nil { request.headers.insert(HTTPHeader("Host", request.hostHeader), at: 0) }
        request.setHeader("X-Amz-Date", amzDate)
        if let token = credentials.sessionToken {
            request.setHeader("X-Amz-Security-Token", token)
        }
        if options.addContentSHA256Header { request.setHeader("x-amz-content-sha256", hash) }

        let signing = compute(request, payloadHash: hash, credentials: credentials, amzDate: amzDate, dateStamp: dateStamp)
        request.headers.append(
            HTTPHeader(
                "Authorization",
                "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(dateStamp)), "
                    + "SignedHeaders=\(signing.signedHeaders), Signature=\(signing.signature)"))
        return signing
    }

    // MARK: Query signing

    /// Query-string signing: adds X-Amz-Algorithm, X-Amz-Credential,
    /// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token
    /// (if any) and X-Amz-Signature to the query. Signs every header of the
    /// request (Host added if missing).
    public func presign(
        _ request: HTTPRequest, credentials: Credentials, date: Date, expires: Int, payloadHash: String? = nil
    ) -> HTTPRequest {
        presignDetailed(request, credentials: credentials, date: date, expires: expires, payloadHash: payloadHash).request
    }

    func presignDetailed(
        _ request: HTTPRequest, credentials: Credentials, date: Date, expires: Int, payloadHash: String? = nil
    ) -> (request: HTTPRequest, signing: Signing) {
        var request = request
        let (amzDate, dateStamp) = SigV4Canonical.timestamps(date)
        let hash = payloadHash ?? (options.presignUnsignedPayload ? Self.unsignedPayload : Self.bodyHash(request.body))

        request.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
        if request.header("Host") == nil { request.headers.insert(HTTPHeader("Host", request.hostHeader), at: 0) }
        let signedHeaders = SigV4Canonical.headers(request.headers).signedHeaders

        let ours: Set<String> = [
            "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
            "x-amz-signedheaders", "x-amz-security-token", "x-amz-signature",
        ]
        request.query.removeAll { ours.contains($0.name.lowercased()) }
        request.query.append(QueryItem("X-Amz-Algorithm", Self.algorithm))
        request.query.append(QueryItem("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(dateStamp))"))
        request.query.append(QueryItem("X-Amz-Date", amzDate))
        request.query.append(QueryItem("X-Amz-Expires", String(expires)))
        request.query.append(QueryItem("X-Amz-SignedHeaders", signedHeaders))
        if let token = credentials.sessionToken {
            request.query.append(QueryItem("X-Amz-Security-Token", token))
        }

        let signing = compute(request, payloadHash: hash, credentials: credentials, amzDate: amzDate, dateStamp: dateStamp)
        request.query.append(QueryItem("X-Amz-Signature", signing.signature))
        return (request, signing)
    }

    // MARK: The three steps

    /// Method, canonical URI, canonical query, canonical headers, signed
    /// headers and payload hash, one per line.
    func canonicalRequest(_ request: HTTPRequest, payloadHash: String) -> String {
        canonicalParts(request, payloadHash: payloadHash).canonical
    }

    func stringToSign(canonicalRequest: String, date: Date) -> String {
        let (amzDate, dateStamp) = SigV4Canonical.timestamps(date)
        return stringToSign(canonicalRequest: canonicalRequest, amzDate: amzDate, dateStamp: dateStamp)
    }

    func signature(stringToSign: String, credentials: Credentials, date: Date) -> String {
        signature(stringToSign: stringToSign, credentials: credentials, dateStamp: SigV4Canonical.timestamps(date).dateStamp)
    }

    // MARK: Internals

    private func canonicalParts(_ request: HTTPRequest, payloadHash: String) -> (canonical: String, signedHeaders: String) {
        let headers = SigV4Canonical.headers(request.headers)
        let uri = SigV4Canonical.uri(
            path: request.path, normalize: options.normalizePath, doubleEncode: options.doubleEncodePath)
        let canonical = [
            request.method.uppercased(),
            uri,
            URIEncoding.canonicalQuery(request.query),
            headers.block,
            headers.signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (canonical, headers.signedHeaders)
    }

    private func compute(
        _ request: HTTPRequest, payloadHash: String, credentials: Credentials, amzDate: String, dateStamp: String
    ) -> Signing {
        let (canonical, signedHeaders) = canonicalParts(request, payloadHash: payloadHash)
        let toSign = stringToSign(canonicalRequest: canonical, amzDate: amzDate, dateStamp: dateStamp)
        let sig = signature(stringToSign: toSign, credentials: credentials, dateStamp: dateStamp)
        return Signing(canonicalRequest: canonical, stringToSign: toSign, signature: sig, signedHeaders: signedHeaders)
    }

    private func stringToSign(canonicalRequest: String, amzDate: String, dateStamp: String) -> String {
        [Self.algorithm, amzDate, scope(dateStamp), SigV4Hash.sha256Hex(canonicalRequest)].joined(separator: "\n")
    }

    private func signature(stringToSign: String, credentials: Credentials, dateStamp: String) -> String {
        let key = SigV4Hash.signingKey(
            secretAccessKey: credentials.secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        return SigV4Hash.hmacHex(key: key, stringToSign)
    }

    private func scope(_ dateStamp: String) -> String {
        "\(dateStamp)/\(region)/\(service)/aws4_request"
    }

    static func bodyHash(_ body: HTTPBody) -> String {
        switch body {
        case .empty: return SigV4Hash.sha256Hex(Data())
        case .data(let data): return SigV4Hash.sha256Hex(data)
        case .file: return unsignedPayload
        }
    }
}
