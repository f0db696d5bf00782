import Foundation

/// ECS task roles and EKS Pod Identity: a GET to the container credentials
/// endpoint, `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on
/// http://169.254.170.2, or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with an
/// Authorization header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// (read on every refresh, as the agent rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialsProvider: CredentialsProvider {
    public static let ecsHost = "http://169.254.170.2"

    /// The endpoint, for messages. It holds no secret (the token goes in a header).
    public let url: String
    private let target: MetadataHTTP.Target
    private let cache: RefreshingCredentials

    /// Where the Authorization header value comes from. Kept out of
    /// descriptions: the token is a secret.
    enum AuthToken: Sendable {
        case none
        case value(String)
        case file(String)
    }

    /// Whether either URI variable is set.
    public static func isConfigured(_ environment: AWSEnvironment) -> Bool {
        environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil
            || environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil
    }

    /// Throws when neither variable is set, or FULL_URI names a host the
    /// SDKs refuse to send a token to. `relativeBaseURL` replaces
    /// http://169.254.170.2 (tests).
    public init(
        environment: AWSEnvironment, http: HTTPClient = ContainerCredentialsProvider.makeHTTPClient(),
        relativeBaseURL: String = ContainerCredentialsProvider.ecsHost,
        refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            var base = relativeBaseURL
            while base.hasSuffix("/") { base.removeLast() }
            url = base + (relative.hasPrefix("/") ? relative : "/" + relative)
            guard let t = MetadataHTTP.parse(url) else {
                throw AWSError.credentials(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \"\(relative)\" does not make a valid URL: it should be a path like /v2/credentials/..."
                )
            }
            target = t
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            url = full
            guard let t = MetadataHTTP.parse(full) else {
                throw AWSError.credentials(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI \"\(full)\" is not an http(s)://host[:port]/path URL")
            }
            guard Self.isAllowed(t) else {
                throw AWSError.credentials(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI \"\(full)\" is refused: plain http is only allowed to a loopback address "
                        + "or the ECS/EKS agents (169.254.170.2, 169.254.170.23, fd00:ec2::23); use https for any other host")
            }
            target = t
        } else {
            throw AWSError.credentials(
                "container credentials are not configured: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"
            )
        }
        let token: AuthToken
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            token = .file(file)
        } else if let value = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            token = .value(value)
        } else {
            token = .none
        }
        self.url = url
        let target = self.target
        cache = RefreshingCredentials(refreshMargin: refreshMargin, now: now) {
            try await Self.fetch(target: target, url: url, token: token, http: http)
        }
    }

    /// Short timeouts: the agent is local, and a chain that reaches this far
    /// should not hang when it is not there.
    public static func makeHTTPClient() -> HTTPClient {
        HTTPClient(
            timeouts: .init(connect: .seconds(2), lowSpeedTime: .seconds(5), total: .seconds(5)),
            maxIdleHandles: 2)
    }

    public func credentials() async throws -> Credentials {
        try await cache.credentials()
    }

    public var fetchCount: Int {
        get async { await cache.fetchCount }
    }

    /// https anywhere; http only to loopback or the ECS (169.254.170.2) and
    /// EKS Pod Identity (169.254.170.23, fd00:ec2::23) agents, as the SDKs allow.
    static func isAllowed(_ t: MetadataHTTP.Target) -> Bool {
        if t.scheme == "https" { return true }
        let host = t.bareHost
        if ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost", "::1", "0:0:0:0:0:0:0:1"].contains(host) {
            return true
        }
        // 127.0.0.0/8, written as a dotted quad.
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    private static func fetch(target: MetadataHTTP.Target, url: String, token: AuthToken, http: HTTPClient) async throws
        -> Credentials
    {
        var headers = [HTTPHeader("Accept", "application/json")]
        switch token {
        case .none:
            break
        case .value(let v):
            headers.append(HTTPHeader("Authorization", try checkedToken(v, source: "AWS_CONTAINER_AUTHORIZATION_TOKEN")))
        case .file(let path):
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw AWSError.credentials(
                    "container authorization token file \(path) (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) "
                        + "\(FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"): check the path and its permissions"
                )
            }
            let v = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            headers.append(HTTPHeader("Authorization", try checkedToken(v, source: "the file \(path)")))
        }
        let source = "the container credentials endpoint \(url)"
        let response: HTTPResponse
        do {
            response = try await MetadataHTTP.send(MetadataHTTP.request("GET", target, headers: headers), http: http, attempts: 3)
        } catch let error as HTTPError {
            throw AWSError.credentials("\(source) did not answer: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw MetadataHTTP.statusError(
                response, source: source,
                hint: "check the task/pod role and AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)")
        }
        return try MetadataHTTP.parseCredentials(response.body, source: source)
    }

    /// A header value may not hold a line break (it would end the header).
    private static func checkedToken(_ v: String, source: String) throws -> String {
        guard !v.isEmpty else { throw AWSError.credentials("the container authorization token from \(source) is empty") }
        guard !v.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw AWSError.credentials("the container authorization token from \(source) contains a line break")
        }
        return v
    }
}
