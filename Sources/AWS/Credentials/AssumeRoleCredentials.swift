import Foundation

/// STS AssumeRole, signed with the credentials of a source: another profile
/// (`source_profile`) or `credential_source` (Environment, EcsContainer,
/// Ec2InstanceMetadata). Chained roles are a source that is itself an
/// AssumeRoleCredentialsProvider.
public struct AssumeRoleCredentialsProvider: CredentialsProvider {
    public let roleArn: String
    public let sessionName: String
    public let externalId: String?
    public let durationSeconds: Int?
    public let source: any CredentialsProvider
    public let sts: STSClient
    private let cache: RefreshingCredentials

    /// `sts` gives the region and endpoint; it is signed with `source`.
    public init(
        roleArn: String, sessionName: String? = nil, externalId: String? = nil, durationSeconds: Int? = nil,
        source: any CredentialsProvider, sts: STSClient,
        refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let sessionName = sessionName ?? defaultRoleSessionName()
        let signed = sts.with(credentials: source)
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
        self.source = source
        self.sts = signed
        cache = RefreshingCredentials(refreshMargin: refreshMargin, now: now) {
            try await signed.assumeRole(
                roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds)
        }
    }

    public func credentials() async throws -> Credentials {
        try await cache.credentials()
    }

    /// How many times STS was asked (tests).
    public var fetchCount: Int {
        get async { await cache.fetchCount }
    }
}
