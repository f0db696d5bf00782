import Foundation

/// The pool's app clients, read by `snap create` (clients.jsonl).
extension CognitoClient {
    /// ListUserPoolClients to its end (60 a page, the API's maximum): each entry's ClientId and ClientName.
    public func listUserPoolClients(_ poolId: String) async throws -> [JSONValue] {
        try await listAllPages(
            "ListUserPoolClients", category: .userPoolClientRead, input: ["UserPoolId": .string(poolId)], maxResults: 60,
            itemsKey: "UserPoolClients")
    }

    /// DescribeUserPoolClient's `UserPoolClient`, as the service returned it (ClientSecret included:
    /// the caller redacts it).
    public func describeUserPoolClient(_ poolId: String, clientId: String) async throws -> JSONValue {
        let out = try await call(
            "DescribeUserPoolClient", category: .userPoolClientRead, ["UserPoolId": .string(poolId), "ClientId": .string(clientId)])
        return try object(out, "UserPoolClient", of: "DescribeUserPoolClient")
    }
}
