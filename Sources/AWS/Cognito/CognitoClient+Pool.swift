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

/// Finding pools, for `snap create --all --discover`.
extension CognitoClient {
    /// Every pool ListUserPools shows in this client's account and region, by id; follows NextToken to the end.
    public func listUserPoolIds() async throws -> [String] {
        var ids: [String] = []
        var next: String?
        repeat {
            var input: [String: JSONValue] = ["MaxResults": 60]
            if let next { input["NextToken"] = .string(next) }
            let out = try await call("ListUserPools", category: .userPoolRead, .object(input))
            guard let pools = out["UserPools"]?.arrayValue else {
                throw AWSError.invalidResponse(service: "cognito-idp", operation: "ListUserPools", reason: "no UserPools in the response")
            }
            for p in pools {
                guard let id = p["Id"]?.stringValue else {
                    throw AWSError.invalidResponse(service: "cognito-idp", operation: "ListUserPools", reason: "a pool without Id")
                }
                ids.append(id)
            }
            next = out["NextToken"]?.stringValue
        } while next != nil
        return ids.sorted()
    }
}
