import Foundation

/// A named profile of `~/.aws/credentials` and `~/.aws/config` (both paths
/// overridable by environment), as the SDKs read it:
///
/// - `role_arn` + `web_identity_token_file` [+ `role_session_name`]: web identity;
/// - `role_arn` + `source_profile` (a profile with keys, or itself a role:
///   chained roles) or `credential_source` (Environment, EcsContainer,
///   Ec2InstanceMetadata) [+ `role_session_name`, `external_id`,
///   `duration_seconds`]: AssumeRole;
/// - `aws_access_key_id` + `aws_secret_access_key` [+ `aws_session_token`]: static keys.
public struct ProfileCredentialsProvider: CredentialsProvider {
    public let environment: AWSEnvironment
    public let profileName: String
    public let options: CredentialsChain.Options

    public init(environment: AWSEnvironment, profile: String? = nil, options: CredentialsChain.Options = .init()) {
        self.environment = environment
        self.profileName = profile ?? environment.profileName
        self.options = options
    }

    /// The profile's static keys; nil when the profile is missing or gets
    /// its credentials another way (role_arn, ...).
    public func resolve() throws -> Credentials? {
        guard let settings = SharedProfiles(environment: environment).settings(profileName),
            settings["role_arn"] == nil
        else { return nil }
        return try Self.staticKeys(settings, name: profileName, profiles: SharedProfiles(environment: environment))
    }

    /// The provider the profile describes; nil when no file has the
    /// profile, or it has no credential settings at all. A profile that is
    /// configured but cannot work is an error saying what to fix.
    public func provider() throws -> (any CredentialsProvider)? {
        let profiles = SharedProfiles(environment: environment)
        guard let settings = profiles.settings(profileName) else { return nil }
        return try provider(profileName, settings, profiles: profiles, visited: [])
    }

    /// Resolves the profile on every call; the chain keeps the provider
    /// (and so its cached temporary credentials) instead.
    public func credentials() async throws -> Credentials {
        guard let p = try provider() else {
            throw AWSError.credentials(
                "profile \"\(profileName)\" has no credentials in \(environment.credentialsFilePath) or \(environment.configFilePath)")
        }
        return try await p.credentials()
    }

    // MARK: Resolution

    private func provider(
        _ name: String, _ s: [String: String], profiles: SharedProfiles, visited: [String]
    ) throws -> (any CredentialsProvider)? {
        let path = (visited + [name]).map { "\"\($0)\"" }.joined(separator: " -> ")
        guard let roleArn = s["role_arn"] else {
            if s["aws_access_key_id"] != nil || s["aws_secret_access_key"] != nil {
                return StaticCredentialsProvider(try Self.staticKeys(s, name: name, profiles: profiles)!)
            }
            if s["web_identity_token_file"] != nil {
                throw AWSError.credentials(
                    "profile \(path) has web_identity_token_file but no role_arn: add role_arn = <the role to assume>")
            }
            if s["credential_process"] != nil || s["sso_session"] != nil || s["sso_start_url"] != nil {
                throw AWSError.credentials(
                    "profile \(path) uses credential_process or SSO, which snap does not support: "
                        + "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (e.g. `aws configure export-credentials`) instead")
            }
            return nil
        }

        let sts = try STSClient(
            region: environment.region(), environment: environment, http: options.http, retry: options.stsRetry)
        let sessionName = s["role_session_name"]

        if let tokenFile = s["web_identity_token_file"] {
            return WebIdentityCredentialsProvider(
                roleArn: roleArn, tokenFile: expandTilde(tokenFile), sessionName: sessionName, sts: sts,
                refreshMargin: options.refreshMargin, now: options.now)
        }

        var duration: Int?
        if let d = s["duration_seconds"] {
            guard let n = Int(d), n >= 900 else {
                throw AWSError.credentials(
                    "profile \(path) has duration_seconds = \(d): it must be a whole number of seconds, at least 900")
            }
            duration = n
        }

        let source: any CredentialsProvider
        switch (s["source_profile"], s["credential_source"]) {
        case (.some, .some):
            throw AWSError.credentials(
                "profile \(path) sets both source_profile and credential_source: keep only one")
        case (nil, nil):
            throw AWSError.credentials(
                "profile \(path) has role_arn but no source of credentials to assume it with: add source_profile = <a profile with keys> "
                    + "or credential_source = Environment | EcsContainer | Ec2InstanceMetadata (or web_identity_token_file)")
        case (let sourceName?, nil):
            if sourceName == name {
                // The SDKs let a profile name itself as the source when it also holds static keys.
                guard s["aws_access_key_id"] != nil else {
                    throw AWSError.credentials(
                        "profile \(path) names itself as source_profile but has no aws_access_key_id: source_profile cycle")
                }
                source = StaticCredentialsProvider(try Self.staticKeys(s, name: name, profiles: profiles)!)
            } else {
                if visited.contains(sourceName) {
                    throw AWSError.credentials(
                        "source_profile cycle: \(path) -> \"\(sourceName)\"; make one of these profiles hold keys or a credential_source")
                }
                guard let sourceSettings = profiles.settings(sourceName) else {
                    throw AWSError.credentials(
                        "profile \(path) has source_profile = \(sourceName), but no profile \"\(sourceName)\" is in \(profiles.filesDescription)"
                    )
                }
                guard let p = try provider(sourceName, sourceSettings, profiles: profiles, visited: visited + [name]) else {
                    throw AWSError.credentials(
                        "profile \(path) has source_profile = \(sourceName), but profile \"\(sourceName)\" has no credentials: "
                            + "give it aws_access_key_id/aws_secret_access_key, or a role_arn with its own source")
                }
                source = p
            }
        case (nil, let credentialSource?):
            source = try credentialSourceProvider(credentialSource, profilePath: path)
        }
        return AssumeRoleCredentialsProvider(
            roleArn: roleArn, sessionName: sessionName, externalId: s["external_id"], durationSeconds: duration,
            source: source, sts: sts, refreshMargin: options.refreshMargin, now: options.now)
    }

    private func credentialSourceProvider(_ value: String, profilePath: String) throws -> any CredentialsProvider {
        switch value.lowercased() {
        case "environment":
            guard let c = try EnvironmentCredentialsProvider(environment: environment).resolve() else {
                throw AWSError.credentials(
                    "profile \(profilePath) has credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
                )
            }
            return StaticCredentialsProvider(c)
        case "ecscontainer":
            guard ContainerCredentialsProvider.isConfigured(environment) else {
                throw AWSError.credentials(
                    "profile \(profilePath) has credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
                        + "nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set (not in an ECS task or EKS pod?)")
            }
            return try ContainerCredentialsProvider(
                environment: environment, http: options.containerHTTP, relativeBaseURL: options.containerBaseURL,
                refreshMargin: options.refreshMargin, now: options.now)
        case "ec2instancemetadata":
            if IMDSCredentialsProvider.isDisabled(environment) {
                throw AWSError.credentials(
                    "profile \(profilePath) has credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is true")
            }
            return try IMDSCredentialsProvider(
                environment: environment, http: options.imdsHTTP, refreshMargin: options.refreshMargin, now: options.now)
        default:
            throw AWSError.credentials(
                "profile \(profilePath) has credential_source = \(value): it must be Environment, EcsContainer or Ec2InstanceMetadata")
        }
    }

    /// nil when the profile has no access key id; an id without a secret is an error.
    private static func staticKeys(_ s: [String: String], name: String, profiles: SharedProfiles) throws -> Credentials? {
        guard let id = s["aws_access_key_id"] else {
            if s["aws_secret_access_key"] != nil {
                throw AWSError.credentials(
                    "profile \"\(name)\" in \(profiles.filesDescription) has aws_secret_access_key but no aws_access_key_id")
            }
            return nil
        }
        guard let secret = s["aws_secret_access_key"] else {
            throw AWSError.credentials(
                "profile \"\(name)\" in \(profiles.filesDescription) has aws_access_key_id but no aws_secret_access_key")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: s["aws_session_token"])
    }

    private func expandTilde(_ path: String) -> String {
        path.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst(1) : path
    }
}
