import Foundation

/// Static keys of a named profile: `~/.aws/credentials` `[name]`, then
/// `~/.aws/config` `[profile name]` (both paths overridable by environment).
public struct ProfileCredentialsProvider: CredentialsProvider {
    public let environment: AWSEnvironment
    public init(environment: AWSEnvironment) { self.environment = environment }

    /// nil when no file has the profile, so the chain moves on.
    public func resolve() throws -> Credentials? {
        let name = environment.profileName
        var settings: [String: String] = [:]
        if let creds = try? SharedConfigFile(path: environment.credentialsFilePath) {
            settings = creds.sections[name] ?? [:]
        }
        if settings["aws_access_key_id"] == nil {
            settings.merge(environment.profileConfig()) { a, _ in a }
        }
        guard let id = settings["aws_access_key_id"] else {
            if settings["role_arn"] != nil || settings["credential_process"] != nil || settings["sso_session"] != nil {
                throw AWSError.credentials(
                    "profile \"\(name)\" uses role_arn/credential_process/SSO, which this version of snap does not support yet; export keys instead")
            }
            return nil
        }
        guard let secret = settings["aws_secret_access_key"] else {
            throw AWSError.credentials(
                "profile \"\(name)\" in \(environment.credentialsFilePath) has aws_access_key_id but no aws_secret_access_key")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: settings["aws_session_token"])
    }

    public func credentials() async throws -> Credentials {
        guard let c = try resolve() else {
            throw AWSError.credentials("profile \"\(environment.profileName)\" not found in \(environment.credentialsFilePath) or \(environment.configFilePath)")
        }
        return c
    }
}
