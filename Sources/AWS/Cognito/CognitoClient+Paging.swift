import Foundation

/// Reading a whole NextToken-paginated Cognito listing (app clients, identity providers, resource servers).
extension CognitoClient {
    /// Every item of `operation`'s listing, page after page: `input` plus `MaxResults` and the
    /// previous page's `NextToken`. A page without its `itemsKey` array, or a token handed back twice
    /// in a row, is an error naming the operation: never an empty or endless listing.
    func listAllPages(
        _ operation: String, category: QuotaCategory, input: [String: JSONValue], maxResults: Int, itemsKey: String
    ) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var token: String?
        while true {
            var body = input
            body["MaxResults"] = .int(maxResults)
            if let token { body["NextToken"] = .string(token) }
            let out = try await call(operation, category: category, .object(body))
            guard let page = out[itemsKey]?.arrayValue else {
                throw AWSError.invalidResponse(service: "cognito-idp", operation: operation, reason: "no \(itemsKey) list in the response")
            }
            items += page
            guard let next = out["NextToken"]?.stringValue, !next.isEmpty else { return items }
            if next == token {
                throw AWSError.invalidResponse(
                    service: "cognito-idp", operation: operation, reason: "the same NextToken came back twice; the listing would not end")
            }
            token = next
        }
    }

    /// The object under `key` in `operation`'s answer, or an error naming the operation.
    func object(_ out: JSONValue, _ key: String, of operation: String) throws -> JSONValue {
        guard let o = out[key], o.objectValue != nil else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: operation, reason: "no \(key) object in the response")
        }
        return o
    }
}
