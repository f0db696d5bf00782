import Foundation

/// The pool's domains (DescribeUserPool's `Domain`, a prefix, and `CustomDomain`), read by
/// `snap create` (config.json's `domain`).
extension CognitoClient {
    /// DescribeUserPoolDomain's `DomainDescription` for `domain`. The service answers an empty
    /// description for a domain it does not know; that is returned as it is, for the caller to judge.
    public func describeUserPoolDomain(_ domain: String) async throws -> JSONValue {
        let out = try await call("DescribeUserPoolDomain", category: .userPoolResourceRead, ["Domain": .string(domain)])
        return try object(out, "DomainDescription", of: "DescribeUserPoolDomain")
    }
}
