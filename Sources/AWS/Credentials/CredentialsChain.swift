import Foundation

/// The default chain, in the SDKs' order: environment, then the shared files.
/// (Web identity, container and IMDS sources plug in here in a later step.)
public actor CredentialsChain: CredentialsProvider {
    private let environment: AWSEnvironment
    private var cached: Credentials?

    public init(environment: AWSEnvironment) {
        self.environment = environment
    }

    public func credentials() async throws -> Credentials {
        if let c = cached, !Self.expiresSoon(c) { return c }
        let resolved = try resolve()
        cached = resolved
        return resolved
    }

    private func resolve() throws -> Credentials {
        if let c = try EnvironmentCredentialsProvider(environment: environment).resolve() { return c }
        if let c = try ProfileCredentialsProvider(environment: environment).resolve() { return c }
        throw AWSError.credentials(
            "no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in \(environment.credentialsFilePath)")
    }

    /// Temporary credentials are replaced five minutes before they expire.
    static func expiresSoon(_ c: Credentials) -> Bool {
        guard let e = c.expiration else { return false }
        return e.timeIntervalSinceNow < 300
    }
}
