import Foundation

/// The MFA write `snap restore` uses (AdminGetUser, which reads the settings, is in CognitoClient).
extension CognitoClient {
    /// One MFA method's settings for AdminSetUserMFAPreference.
    public struct MFAMethodSetting: Sendable, Equatable {
        public var enabled: Bool
        public var preferred: Bool
        public init(enabled: Bool, preferred: Bool) {
            self.enabled = enabled
            self.preferred = preferred
        }
        var json: JSONValue { ["Enabled": .bool(enabled), "PreferredMfa": .bool(preferred)] }
    }

    /// AdminSetUserMFAPreference with `SMSMfaSettings` and / or `EmailMfaSettings` (a method left
    /// nil is left as it is). Setting the same preferences again succeeds, so a retried or resumed
    /// call is harmless. Quota category UserUpdate, as Cognito's quota table lists it.
    public func adminSetUserMFAPreference(_ poolId: String, username: String, sms: MFAMethodSetting?, email: MFAMethodSetting?)
        async throws
    {
        var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "Username": .string(username)]
        if let sms { input["SMSMfaSettings"] = sms.json }
        if let email { input["EmailMfaSettings"] = email.json }
        _ = try await call("AdminSetUserMFAPreference", category: .userUpdate, .object(input))
    }
}
