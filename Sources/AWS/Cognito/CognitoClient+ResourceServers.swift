import Foundation

/// The pool's resource servers (custom OAuth scopes), read by `snap create` (resource-servers.jsonl).
extension CognitoClient {
    /// ListResourceServers to its end (50 a page, the API's maximum): each entry whole (Identifier, Name, Scopes).
    public func listResourceServers(_ poolId: String) async throws -> [JSONValue] {
        try await listAllPages(
            "ListResourceServers", category: .userPoolResourceRead, input: ["UserPoolId": .string(poolId)], maxResults: 50,
            itemsKey: "ResourceServers")
    }
}
