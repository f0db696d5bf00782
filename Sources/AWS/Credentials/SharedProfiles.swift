import Foundation

/// Both shared files read once: a profile's settings are its
/// `~/.aws/config` `[profile name]` (or `[default]`) section overlaid by its
/// `~/.aws/credentials` `[name]` section, which wins key by key as in the SDKs.
public struct SharedProfiles: Sendable {
    public let credentialsFile: [String: [String: String]]
    public let configFile: [String: [String: String]]
    public let credentialsFilePath: String
    public let configFilePath: String

    public init(environment: AWSEnvironment) {
        credentialsFilePath = environment.credentialsFilePath
        configFilePath = environment.configFilePath
        credentialsFile = (try? SharedConfigFile(path: credentialsFilePath))?.sections ?? [:]
        configFile = (try? SharedConfigFile(path: configFilePath))?.sections ?? [:]
    }

    /// nil when neither file has the profile.
    public func settings(_ name: String) -> [String: String]? {
        let fromCredentials = credentialsFile[name]
        let fromConfig =
            name == "default"
            ? (configFile["default"] ?? configFile["profile default"])
            : configFile["profile \(name)"]
        if fromCredentials == nil && fromConfig == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
    }

    /// "~/.aws/credentials or ~/.aws/config", the paths as resolved, for messages.
    var filesDescription: String { "\(credentialsFilePath) or \(configFilePath)" }
}
