import Foundation

/// The pool-wide settings beyond DescribeUserPool that `snap create` keeps in config.json (issue 21):
/// threat protection, hosted UI customization, managed login branding, log delivery and terms.
/// Paced as UserPoolResourceRead: the quotas page does not list these operations by name, so their
/// category is an assumption (DESIGN.md, "Quota categories").
extension CognitoClient {
    /// DescribeRiskConfiguration's `RiskConfiguration` of the pool (not of one app client).
    public func describeRiskConfiguration(_ poolId: String) async throws -> JSONValue {
        let out = try await call("DescribeRiskConfiguration", category: .userPoolResourceRead, ["UserPoolId": .string(poolId)])
        return try object(out, "RiskConfiguration", of: "DescribeRiskConfiguration")
    }

    /// GetUICustomization's `UICustomization` of the pool (the classic hosted UI's CSS and logo).
    public func getUICustomization(_ poolId: String) async throws -> JSONValue {
        let out = try await call("GetUICustomization", category: .userPoolResourceRead, ["UserPoolId": .string(poolId)])
        return try object(out, "UICustomization", of: "GetUICustomization")
    }

    /// DescribeManagedLoginBrandingByClient's `ManagedLoginBranding` for `clientId`; nil when the client
    /// has no branding style (ResourceNotFoundException).
    public func describeManagedLoginBranding(_ poolId: String, clientId: String) async throws -> JSONValue? {
        do {
            let out = try await call(
                "DescribeManagedLoginBrandingByClient", category: .userPoolResourceRead,
                ["UserPoolId": .string(poolId), "ClientId": .string(clientId)])
            return try object(out, "ManagedLoginBranding", of: "DescribeManagedLoginBrandingByClient")
        } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
            return nil
        }
    }

    /// GetLogDeliveryConfiguration's `LogDeliveryConfiguration`.
    public func getLogDeliveryConfiguration(_ poolId: String) async throws -> JSONValue {
        let out = try await call("GetLogDeliveryConfiguration", category: .userPoolResourceRead, ["UserPoolId": .string(poolId)])
        return try object(out, "LogDeliveryConfiguration", of: "GetLogDeliveryConfiguration")
    }

    /// ListTerms to its end (60 a page, the API's maximum).
    public func listTerms(_ poolId: String) async throws -> [JSONValue] {
        try await listAllPages(
            "ListTerms", category: .userPoolResourceRead, input: ["UserPoolId": .string(poolId)], maxResults: 60, itemsKey: "Terms")
    }

    /// DescribeTerms' `Terms`.
    public func describeTerms(_ poolId: String, termsId: String) async throws -> JSONValue {
        let out = try await call(
            "DescribeTerms", category: .userPoolResourceRead, ["UserPoolId": .string(poolId), "TermsId": .string(termsId)])
        return try object(out, "Terms", of: "DescribeTerms")
    }
}
