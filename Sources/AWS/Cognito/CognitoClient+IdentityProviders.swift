import Foundation

/// The pool's identity providers (SAML, OIDC, social), read by `snap create` (providers.jsonl).
extension CognitoClient {
    /// ListIdentityProviders to its end (60 a page, the API's maximum): each entry's ProviderName and ProviderType.
    public func listIdentityProviders(_ poolId: String) async throws -> [JSONValue] {
        try await listAllPages(
            "ListIdentityProviders", category: .userPoolResourceRead, input: ["UserPoolId": .string(poolId)], maxResults: 60,
            itemsKey: "Providers")
    }

    /// DescribeIdentityProvider's `IdentityProvider`, as the service returned it (ProviderDetails'
    /// secrets included: the caller redacts them).
    public func describeIdentityProvider(_ poolId: String, providerName: String) async throws -> JSONValue {
        let out = try await call(
            "DescribeIdentityProvider", category: .userPoolResourceRead,
            ["UserPoolId": .string(poolId), "ProviderName": .string(providerName)])
        return try object(out, "IdentityProvider", of: "DescribeIdentityProvider")
    }
}
