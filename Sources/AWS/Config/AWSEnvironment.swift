import Foundation

/// The process environment as AWS SDKs read it, captured once so tests can
/// hand in their own.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
    }

    public subscript(name: String) -> String? {
        guard let v = variables[name], !v.isEmpty else { return nil }
        return v
    }

    public var profileName: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }

    var home: String { self["HOME"] ?? NSHomeDirectory() }

    public var credentialsFilePath: String {
        expandTilde(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
    }

    public var configFilePath: String {
        expandTilde(self["AWS_CONFIG_FILE"] ?? "~/.aws/config")
    }

    private func expandTilde(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    /// The profile's settings from the config file (`[profile x]`, or `[default]`).
    public func profileConfig() -> [String: String] {
        guard let file = try? SharedConfigFile(path: configFilePath) else { return [:] }
        let name = profileName
        return file.sections[name == "default" ? "default" : "profile \(name)"]
            ?? (name == "default" ? file.sections["profile default"] : nil) ?? [:]
    }

    /// `--region` first, then `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile.
    public func region(flag: String? = nil) -> String? {
        flag ?? self["AWS_REGION"] ?? self["AWS_DEFAULT_REGION"] ?? profileConfig()["region"]
    }
}
