import Foundation

/// The writes (and the read-backs that make them idempotent) `snap restore` uses.
extension CognitoClient {
    /// AdminCreateUser with `MessageAction=SUPPRESS`: nobody is sent an invitation for a user
    /// that already existed once. Returns the `User` object (its `Username` is the pool's
    /// own, a UUID in a pool that signs in by email or phone).
    public func adminCreateUser(_ poolId: String, username: String, attributes: [(name: String, value: String)]) async throws -> JSONValue {
        let input: JSONValue = [
            "UserPoolId": .string(poolId),
            "Username": .string(username),
            "MessageAction": "SUPPRESS",
            "UserAttributes": .array(attributes.map { ["Name": .string($0.name), "Value": .string($0.value)] }),
        ]
        let out = try await call("AdminCreateUser", category: .userCreation, input)
        guard let user = out["User"] else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: "AdminCreateUser", reason: "no User in the response")
        }
        return user
    }

    /// Paced as UserAccountRecovery, the quota category of operations that change or set a password (issue 20, item 11).
    public func adminSetUserPassword(_ poolId: String, username: String, password: String, permanent: Bool) async throws {
        _ = try await call(
            "AdminSetUserPassword", category: .userAccountRecovery,
            ["UserPoolId": .string(poolId), "Username": .string(username), "Password": .string(password), "Permanent": .bool(permanent)])
    }

    public func adminDisableUser(_ poolId: String, username: String) async throws {
        _ = try await call("AdminDisableUser", category: .userUpdate, ["UserPoolId": .string(poolId), "Username": .string(username)])
    }

    /// Adding a user who is already a member succeeds, so a retried or resumed call is harmless.
    public func adminAddUserToGroup(_ poolId: String, username: String, group: String) async throws {
        _ = try await call(
            "AdminAddUserToGroup", category: .userResourceUpdate,
            ["UserPoolId": .string(poolId), "Username": .string(username), "GroupName": .string(group)])
    }

    public func createGroup(_ poolId: String, name: String, description: String?, precedence: Int?, roleArn: String?) async throws {
        var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "GroupName": .string(name)]
        if let description { input["Description"] = .string(description) }
        if let precedence { input["Precedence"] = .int(precedence) }
        if let roleArn { input["RoleArn"] = .string(roleArn) }
        _ = try await call("CreateGroup", category: .userPoolResourceUpdate, .object(input))
    }

    /// GetGroup's `Group`, or nil when there is no such group.
    public func getGroup(_ poolId: String, name: String) async throws -> JSONValue? {
        do {
            let out = try await call(
                "GetGroup", category: .userPoolResourceRead, ["UserPoolId": .string(poolId), "GroupName": .string(name)])
            return out["Group"]
        } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
            return nil
        }
    }

    /// The names of the groups `username` is a member of, every page (AdminListGroupsForUser, UserRead as
    /// Cognito's quota table puts it).
    public func adminListGroupsForUser(_ poolId: String, username: String) async throws -> [String] {
        var names: [String] = []
        var token: String?
        repeat {
            var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "Username": .string(username), "Limit": 60]
            if let token { input["NextToken"] = .string(token) }
            let out = try await call("AdminListGroupsForUser", category: .userRead, .object(input))
            names += (out["Groups"]?.arrayValue ?? []).compactMap { $0["GroupName"]?.stringValue }
            token = out["NextToken"]?.stringValue
        } while token != nil
        return names
    }

    /// Up to `limit` users: enough to tell an empty pool from one that is not, and to name a few.
    public func sampleUsers(_ poolId: String, limit: Int) async throws -> [String] {
        let out = try await call("ListUsers", category: .userList, ["UserPoolId": .string(poolId), "Limit": .int(max(1, min(60, limit)))])
        return (out["Users"]?.arrayValue ?? []).compactMap { $0["Username"]?.stringValue }
    }

    public func sampleGroups(_ poolId: String, limit: Int) async throws -> [String] {
        let out = try await call(
            "ListGroups", category: .userPoolResourceRead, ["UserPoolId": .string(poolId), "Limit": .int(max(1, min(60, limit)))])
        return (out["Groups"]?.arrayValue ?? []).compactMap { $0["GroupName"]?.stringValue }
    }
}
