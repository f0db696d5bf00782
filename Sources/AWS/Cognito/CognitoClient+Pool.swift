import Foundation

/// Creating a pool, for `snap restore --create-pool`.
extension CognitoClient {
    /// CreateUserPool with `input` as it is; returns the new pool's id.
    public func createUserPool(_ input: JSONValue) async throws -> String {
        let out = try await call("CreateUserPool", category: .userPoolResourceUpdate, input)
        guard let id = out["UserPool"]?["Id"]?.stringValue else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: "CreateUserPool", reason: "no UserPool.Id in the response")
        }
        return id
    }
}
