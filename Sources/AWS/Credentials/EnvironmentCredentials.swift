/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialsProvider: CredentialsProvider {
    public let environment: AWSEnvironment
    public init(environment: AWSEnvironment) { self.environment = environment }

    /// nil when the variables are not set, so the chain moves on.
    public func resolve() throws -> Credentials? {
        let id = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (id, secret) {
        case (nil, nil): return nil
        case (let id?, let secret?):
            return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        case (nil, _):
            throw AWSError.credentials("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither")
        case (_, nil):
            throw AWSError.credentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither")
        }
    }

    public func credentials() async throws -> Credentials {
        guard let c = try resolve() else { throw AWSError.credentials("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set") }
        return c
    }
}
