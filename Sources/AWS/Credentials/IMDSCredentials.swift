import Foundation

/// The EC2 instance profile through IMDSv2: PUT /latest/api/token for a
/// session token, then GET the role name and the role's credentials with
/// it. IMDSv1 (no token) is not used: the token PUT is what keeps SSRF out.
///
/// Timeouts are short and there is one retry, so that off EC2 (where
/// 169.254.169.254 does not answer) the chain gives up in about two seconds.
public struct IMDSCredentialsProvider: CredentialsProvider {
    public static let defaultEndpoint = "http://169.254.169.254"
    public static let defaultIPv6Endpoint = "http://[fd00:ec2::254]"
    static let tokenTTLSeconds = 21600
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"

    /// The IMDS base URL.
    public let endpoint: String
    private let cache: RefreshingCredentials

    /// `AWS_EC2_METADATA_DISABLED=true` turns the provider off.
    public static func isDisabled(_ environment: AWSEnvironment) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    /// Endpoint: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else by
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (IPv4 or IPv6).
    public init(
        environment: AWSEnvironment, http: HTTPClient = IMDSCredentialsProvider.makeHTTPClient(),
        refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let endpoint: String
        if let e = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] {
            endpoint = e
        } else if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" {
            endpoint = Self.defaultIPv6Endpoint
        } else {
            endpoint = Self.defaultEndpoint
        }
        guard let target = MetadataHTTP.parse(endpoint) else {
            throw AWSError.credentials(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT \"\(endpoint)\" is not an http(s)://host[:port] URL")
        }
        self.endpoint = endpoint
        cache = RefreshingCredentials(refreshMargin: refreshMargin, now: now) {
            try await Self.fetch(target: target, endpoint: endpoint, http: http)
        }
    }

    /// Connect 1 s, whole request 2 s.
    public static func makeHTTPClient() -> HTTPClient {
        HTTPClient(
            timeouts: .init(connect: .seconds(1), lowSpeedTime: .seconds(1), total: .seconds(2)),
            maxIdleHandles: 2)
    }

    public func credentials() async throws -> Credentials {
        try await cache.credentials()
    }

    public var fetchCount: Int {
        get async { await cache.fetchCount }
    }

    private static func fetch(target: MetadataHTTP.Target, endpoint: String, http: HTTPClient) async throws -> Credentials {
        let source = "EC2 instance metadata at \(endpoint)"
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            do {
                return try await MetadataHTTP.send(request, http: http, attempts: 2)
            } catch let error as HTTPError {
                throw AWSError.credentials("\(source) did not answer (not on EC2?): \(error)")
            }
        }
        let base = target.path == "/" ? "" : target.path.hasSuffix("/") ? String(target.path.dropLast()) : target.path

        let tokenResponse = try await send(
            MetadataHTTP.request(
                "PUT", target, path: base + "/latest/api/token",
                headers: [HTTPHeader("X-aws-ec2-metadata-token-ttl-seconds", String(tokenTTLSeconds))]))
        guard (200..<300).contains(tokenResponse.status) else {
            throw MetadataHTTP.statusError(
                tokenResponse, source: source,
                hint: tokenResponse.status == 403
                    ? "IMDS is disabled on this instance, or the token PUT was refused"
                    : "IMDSv2 tokens are required; check the instance's metadata options")
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let auth = [HTTPHeader("X-aws-ec2-metadata-token", token)]

        let listResponse = try await send(MetadataHTTP.request("GET", target, path: base + credentialsPath, headers: auth))
        guard (200..<300).contains(listResponse.status) else {
            throw MetadataHTTP.statusError(
                listResponse, source: source,
                hint: listResponse.status == 404
                    ? "the instance has no IAM role: attach an instance profile"
                    : "could not list the instance's IAM role")
        }
        guard
            let role = String(decoding: listResponse.body, as: UTF8.self)
                .split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { !$0.isEmpty })
        else {
            throw AWSError.credentials("\(source) lists no IAM role: attach an instance profile to the instance")
        }

        let credsResponse = try await send(MetadataHTTP.request("GET", target, path: base + credentialsPath + role, headers: auth))
        guard (200..<300).contains(credsResponse.status) else {
            throw MetadataHTTP.statusError(
                credsResponse, source: source, hint: "could not read the credentials of role \(role)")
        }
        return try MetadataHTTP.parseCredentials(credsResponse.body, source: "\(source) (role \(role))")
    }
}
