import Foundation

/// The pool's MFA configuration: read by `snap create` (config.json's `mfa`), set again by
/// `snap restore --create-pool` (issue 20, item 4).
extension CognitoClient {
    /// GetUserPoolMfaConfig's answer: MfaConfiguration and the factors (SmsMfaConfiguration,
    /// SoftwareTokenMfaConfiguration, EmailMfaConfiguration, WebAuthnConfiguration) as the service
    /// returned them, less ResponseMetadata (which the AWS CLI and SDKs add, never the service's JSON).
    public func getUserPoolMfaConfig(_ poolId: String) async throws -> JSONValue {
        let out = try await call("GetUserPoolMfaConfig", category: .userPoolRead, ["UserPoolId": .string(poolId)])
        guard var o = out.objectValue else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: "GetUserPoolMfaConfig", reason: "the answer is not an object")
        }
        o["ResponseMetadata"] = nil
        return .object(o)
    }

    /// SetUserPoolMfaConfig with `input` as it is, its UserPoolId set to `poolId`.
    public func setUserPoolMfaConfig(_ poolId: String, _ input: JSONValue) async throws {
        var o = input.objectValue ?? [:]
        o["UserPoolId"] = .string(poolId)
        _ = try await call("SetUserPoolMfaConfig", category: .userPoolResourceUpdate, .object(o))
    }
}
