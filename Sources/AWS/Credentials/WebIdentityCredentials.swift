import Foundation

/// STS AssumeRoleWithWebIdentity with an OIDC token read from a file (EKS
/// IRSA, GitHub Actions, ...). The file is read again on every refresh,
/// because whoever writes it rotates the token.
public struct WebIdentityCredentialsProvider: CredentialsProvider {
    public let roleArn: String
    public let tokenFile: String
    public let sessionName: String
    public let sts: STSClient
    private let cache: RefreshingCredentials

    public init(
        roleArn: String, tokenFile: String, sessionName: String? = nil, sts: STSClient,
        refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let sessionName = sessionName ?? defaultRoleSessionName()
        self.roleArn = roleArn
        self.tokenFile = tokenFile
        self.sessionName = sessionName
        self.sts = sts
        cache = RefreshingCredentials(refreshMargin: refreshMargin, now: now) {
            let token = try Self.readToken(tokenFile)
            return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName, token: token)
        }
    }

    /// From `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`;
    /// nil when no token file is set. A token file without a role is an error.
    public static func fromEnvironment(
        _ environment: AWSEnvironment, http: HTTPClient, retry: RetryPolicy = .default, refreshMargin: TimeInterval = 300,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> WebIdentityCredentialsProvider? {
        guard let file = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] else { return nil }
        guard let role = environment["AWS_ROLE_ARN"] else {
            throw AWSError.credentials(
                "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set AWS_ROLE_ARN to the role to assume with the token")
        }
        let sts = try STSClient(region: environment.region(), environment: environment, http: http, retry: retry)
        return WebIdentityCredentialsProvider(
            roleArn: role, tokenFile: file, sessionName: environment["AWS_ROLE_SESSION_NAME"], sts: sts,
            refreshMargin: refreshMargin, now: now)
    }

    public func credentials() async throws -> Credentials {
        try await cache.credentials()
    }

    /// How many times STS was asked (tests).
    public var fetchCount: Int {
        get async { await cache.fetchCount }
    }

    /// The token, trimmed. Errors name the file, never its contents.
    static func readToken(_ path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw AWSError.credentials(
                "web identity token file \(path) \(exists ? "cannot be read" : "does not exist"): "
                    + "check AWS_WEB_IDENTITY_TOKEN_FILE (or web_identity_token_file in the profile) and the file's permissions")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw AWSError.credentials("web identity token file \(path) is empty: whatever writes the token has not written it yet")
        }
        return token
    }
}

/// What the SDKs do when no session name is given: a name unique enough to
/// tell sessions apart in CloudTrail. STS allows [\w+=,.@-]{2,64}.
func defaultRoleSessionName() -> String {
    "snap-\(Int(Date().timeIntervalSince1970 * 1000))"
}
