import Foundation

/// The default chain, in the AWS SDKs' order:
///
/// 1. environment keys (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
/// 2. web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`);
/// 3. the shared-files profile (`AWS_PROFILE`): static keys, assume-role,
///    web identity or credential_source;
/// 4. ECS / EKS container credentials (`AWS_CONTAINER_CREDENTIALS_*`);
/// 5. EC2 instance metadata (IMDSv2).
///
/// The source is chosen from configuration alone, once; it is then asked for
/// credentials on every call and refreshes its temporary ones itself. A
/// source that is configured but broken is reported as such, naming the
/// source; it does not fall through to the next one.
public actor CredentialsChain: CredentialsProvider {
    /// Transport and refresh settings for the providers the chain builds.
    public struct Options: Sendable {
        /// For STS.
        public var http: HTTPClient
        /// For the container endpoint (short timeouts).
        public var containerHTTP: HTTPClient
        /// For instance metadata (connect 1 s, total 2 s).
        public var imdsHTTP: HTTPClient
        /// Temporary credentials are replaced this long before they expire.
        public var refreshMargin: TimeInterval
        public var now: @Sendable () -> Date
        /// Base of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (tests point it at a local server).
        public var containerBaseURL: String
        /// Retries of STS calls (AssumeRole, AssumeRoleWithWebIdentity).
        public var stsRetry: RetryPolicy

        public init(
            http: HTTPClient? = nil, containerHTTP: HTTPClient? = nil, imdsHTTP: HTTPClient? = nil,
            refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() },
            containerBaseURL: String = ContainerCredentialsProvider.ecsHost, stsRetry: RetryPolicy = .default
        ) {
            self.http = http ?? HTTPClient(timeouts: .init(connect: .seconds(5), lowSpeedTime: .seconds(30), total: .seconds(60)))
            self.containerHTTP = containerHTTP ?? ContainerCredentialsProvider.makeHTTPClient()
            self.imdsHTTP = imdsHTTP ?? IMDSCredentialsProvider.makeHTTPClient()
            self.refreshMargin = refreshMargin
            self.now = now
            self.containerBaseURL = containerBaseURL
            self.stsRetry = stsRetry
        }
    }

    private let environment: AWSEnvironment
    private let options: Options
    private var selected: Selection?

    private struct Selection {
        var provider: any CredentialsProvider
        /// Names the source in errors, e.g. `profile "ci"`.
        var source: String
        /// IMDS reached by default rather than configured: its failure means "nothing found".
        var isFallback: Bool
    }

    public init(environment: AWSEnvironment) {
        self.init(environment: environment, options: Options())
    }

    /// `http` is used for STS; the metadata providers keep their own short-timeout clients.
    public init(environment: AWSEnvironment, http: HTTPClient) {
        self.init(environment: environment, options: Options(http: http))
    }

    public init(environment: AWSEnvironment, options: Options) {
        self.environment = environment
        self.options = options
    }

    public func credentials() async throws -> Credentials {
        let selection: Selection
        if let s = selected {
            selection = s
        } else {
            selection = try select()
            selected = selection
        }
        do {
            return try await selection.provider.credentials()
        } catch let error as CancellationError {
            throw error
        } catch {
            if selection.isFallback { throw nothingFound(imds: Self.message(error)) }
            throw AWSError.credentials("\(selection.source): \(Self.message(error))")
        }
    }

    /// A short name of the source in use, for `--verbose` output; nil before the first call.
    public var sourceDescription: String? { selected?.source }

    // MARK: Selection

    private func select() throws -> Selection {
        let env = environment
        if let c = try EnvironmentCredentialsProvider(environment: env).resolve() {
            return Selection(provider: StaticCredentialsProvider(c), source: "environment keys", isFallback: false)
        }
        if let p = try WebIdentityCredentialsProvider.fromEnvironment(
            env, http: options.http, retry: options.stsRetry, refreshMargin: options.refreshMargin, now: options.now)
        {
            return Selection(
                provider: p,
                source: "web identity (AWS_ROLE_ARN \(p.roleArn), AWS_WEB_IDENTITY_TOKEN_FILE \(p.tokenFile))",
                isFallback: false)
        }
        let profile = env.profileName
        let profileSource = "profile \"\(profile)\" (\(env.credentialsFilePath), \(env.configFilePath))"
        do {
            if let p = try ProfileCredentialsProvider(environment: env, profile: profile, options: options).provider() {
                return Selection(provider: p, source: profileSource, isFallback: false)
            }
        } catch {
            throw AWSError.credentials("\(profileSource): \(Self.message(error))")
        }
        if profileWasNamed, SharedProfiles(environment: env).settings(profile) == nil {
            throw AWSError.credentials(
                "AWS_PROFILE names profile \"\(profile)\", which is in neither \(env.credentialsFilePath) nor \(env.configFilePath): "
                    + "check the name, or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE")
        }
        if ContainerCredentialsProvider.isConfigured(env) {
            let p = try ContainerCredentialsProvider(
                environment: env, http: options.containerHTTP, relativeBaseURL: options.containerBaseURL,
                refreshMargin: options.refreshMargin, now: options.now)
            return Selection(provider: p, source: "container credentials (\(p.url))", isFallback: false)
        }
        if IMDSCredentialsProvider.isDisabled(env) {
            throw nothingFound(imds: "disabled by AWS_EC2_METADATA_DISABLED")
        }
        let imds = try IMDSCredentialsProvider(
            environment: env, http: options.imdsHTTP, refreshMargin: options.refreshMargin, now: options.now)
        let explicit = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] != nil
        return Selection(provider: imds, source: "EC2 instance metadata (\(imds.endpoint))", isFallback: !explicit)
    }

    private var profileWasNamed: Bool {
        environment["AWS_PROFILE"] != nil || environment["AWS_DEFAULT_PROFILE"] != nil
    }

    private func nothingFound(imds: String) -> AWSError {
        let env = environment
        let profile = env.profileName
        return AWSError.credentials(
            "no credentials found. Tried: environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY not set); "
                + "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set); "
                + "profile \"\(profile)\" (no credentials in \(env.credentialsFilePath) or \(env.configFilePath)); "
                + "container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/AWS_CONTAINER_CREDENTIALS_FULL_URI not set); "
                + "EC2 instance metadata (\(imds)). "
                + "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in \(env.credentialsFilePath)")
    }

    /// An error's text without the "credentials: " prefix, so wrapped messages read once.
    static func message(_ error: any Error) -> String {
        if case AWSError.credentials(let m) = error { return m }
        return "\(error)"
    }
}
