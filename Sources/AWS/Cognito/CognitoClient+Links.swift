import Foundation

/// Linking a user to a provider identity again (`snap restore`, linked identities).
extension CognitoClient {
    /// AdminLinkProviderForUser: `username` (a user of the pool, DestinationUser ProviderName "Cognito") is
    /// linked to the identity `userId` of the pool's identity provider `provider` (SourceUser, ProviderAttributeName
    /// "Cognito_Subject": the identity's subject, which is what the user's `identities` attribute lists as
    /// userId). The provider must exist in the pool. Paced as UserFederation (`QuotaCategory`).
    public func adminLinkProviderForUser(_ poolId: String, username: String, provider: String, userId: String) async throws {
        _ = try await call(
            "AdminLinkProviderForUser", category: .userFederation,
            [
                "UserPoolId": .string(poolId),
                "DestinationUser": ["ProviderName": "Cognito", "ProviderAttributeValue": .string(username)],
                "SourceUser": [
                    "ProviderName": .string(provider), "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": .string(userId),
                ],
            ])
    }
}
