import Foundation
import Logging

/// AWS STS over the Query protocol: a form-encoded POST to `/` with
/// `Action=<Operation>&Version=2011-06-15`, answered with XML.
public struct STSClient: Sendable {
    public static let apiVersion = "2011-06-15"
    /// The SDKs' default when neither the environment nor the profile names a region.
    public static let defaultRegion = "us-east-1"

    public let region: String
    public let endpoint: Endpoint
    public let http: HTTPClient
    public let retry: RetryPolicy
    /// Signs AssumeRole and GetCallerIdentity; nil for a client that only
    /// calls AssumeRoleWithWebIdentity (which is unsigned).
    public var credentials: (any CredentialsProvider)?
    let logger: Logger

    public init(
        region: String?, environment: AWSEnvironment, http: HTTPClient, credentials: (any CredentialsProvider)? = nil,
        retry: RetryPolicy = .default, logger: Logger = Logger(label: "snap.aws.sts")
    ) throws {
        let region = region ?? Self.defaultRegion
        self.region = region
        self.endpoint = try Endpoint.resolve(serviceId: "STS", hostPrefix: "sts", region: region, environment: environment)
        self.http = http
        self.credentials = credentials
        self.retry = retry
        self.logger = logger
    }

    /// The same endpoint and transport, signing with other credentials.
    public func with(credentials: any CredentialsProvider) -> STSClient {
        var copy = self
        copy.credentials = credentials
        return copy
    }

    // MARK: Operations

    /// Temporary credentials for `roleArn`, signed with this client's credentials.
    public func assumeRole(
        roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil
    ) async throws -> Credentials {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        if let durationSeconds { params.append(("DurationSeconds", String(durationSeconds))) }
        let xml = try await signedCall("AssumeRole", params)
        return try Self.parseCredentials(xml, operation: "AssumeRole")
    }

    /// Temporary credentials for `roleArn` in exchange for an OIDC token.
    /// The request is not signed: the token is the proof of identity.
    public func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> Credentials {
        let xml = try await unsignedCall(
            "AssumeRoleWithWebIdentity",
            [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)])
        return try Self.parseCredentials(xml, operation: "AssumeRoleWithWebIdentity")
    }

    public struct CallerIdentity: Sendable, Equatable {
        public var account: String
        public var arn: String
        public var userId: String
    }

    /// Who the signing credentials belong to.
    public func getCallerIdentity() async throws -> CallerIdentity {
        let xml = try await signedCall("GetCallerIdentity", [])
        guard let arn = ErrorDocument.xmlElement("Arn", in: xml) else {
            throw AWSError.invalidResponse(service: "sts", operation: "GetCallerIdentity", reason: "no Arn in the response")
        }
        return CallerIdentity(
            account: ErrorDocument.xmlElement("Account", in: xml) ?? "",
            arn: arn,
            userId: ErrorDocument.xmlElement("UserId", in: xml) ?? "")
    }

    // MARK: Transport

    func request(_ action: String, _ params: [(String, String)]) -> HTTPRequest {
        let form = ([("Action", action), ("Version", Self.apiVersion)] + params)
            .map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }
            .joined(separator: "&")
        return HTTPRequest(
            method: "POST", host: "", path: "/",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: .data(Data(form.utf8)))
    }

    private func signedCall(_ action: String, _ params: [(String, String)]) async throws -> String {
        guard let credentials else {
            throw AWSError.configuration("STS \(action) needs credentials to sign with; this STS client has none")
        }
        let sender = SignedSender(
            service: "sts", signingName: "sts", region: region, endpoint: endpoint, http: http,
            credentials: credentials, retry: retry, logger: logger)
        let response = try await sender.send(request(action, params), operation: action)
        return String(decoding: response.body, as: UTF8.self)
    }

    /// Sends without signing, through the same sender and retry loop as
    /// every signed call. STS answers IDPCommunicationError when it could not
    /// reach the identity provider; the SDKs retry that too.
    private func unsignedCall(_ action: String, _ params: [(String, String)]) async throws -> String {
        var sender = SignedSender(
            service: "sts", signingName: "sts", region: region, endpoint: endpoint, http: http, credentials: nil, retry: retry,
            logger: logger)
        sender.extraRetryableCodes = ["IDPCommunicationError"]
        let response = try await sender.send(request(action, params), operation: action)
        return String(decoding: response.body, as: UTF8.self)
    }

    // MARK: Parsing

    /// The `<Credentials>` element of AssumeRole* results.
    static func parseCredentials(_ xml: String, operation: String) throws -> Credentials {
        guard let block = ErrorDocument.xmlElement("Credentials", in: xml),
            let id = ErrorDocument.xmlElement("AccessKeyId", in: block),
            let secret = ErrorDocument.xmlElement("SecretAccessKey", in: block)
        else {
            throw AWSError.invalidResponse(service: "sts", operation: operation, reason: "no Credentials in the response")
        }
        let token = ErrorDocument.xmlElement("SessionToken", in: block)
        var expiration: Date?
        if let text = ErrorDocument.xmlElement("Expiration", in: block) {
            guard let date = ISO8601.parse(text) else {
                throw AWSError.invalidResponse(
                    service: "sts", operation: operation, reason: "Expiration \"\(text)\" is not an ISO 8601 time")
            }
            expiration = date
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}

/// ISO 8601 times as STS, ECS and IMDS write them, with or without fractional seconds.
enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Formatters are made per call: they are not Sendable, and this runs once an hour at most.
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let d = plain.date(from: s) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: s)
    }
}
