import Foundation

/// Amazon Cognito user pools over the AWS JSON 1.1 protocol: a POST to `/`
/// with `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`.
public struct CognitoClient: Sendable {
    public let sender: SignedSender
    public let region: String

    public init(
        region: String, environment: AWSEnvironment, http: HTTPClient, credentials: any CredentialsProvider,
        pacer: QuotaPacer, retry: RetryPolicy = .default
    ) throws {
        let endpoint = try Endpoint.resolve(
            serviceId: "COGNITO_IDENTITY_PROVIDER", hostPrefix: "cognito-idp", region: region, environment: environment)
        self.region = region
        self.sender = SignedSender(
            service: "cognito-idp", signingName: "cognito-idp", region: region, endpoint: endpoint, http: http,
            credentials: credentials, retry: retry, pacer: pacer)
    }

    /// One call: the input object in, the output object back.
    public func call(_ operation: String, category: QuotaCategory, _ input: JSONValue) async throws -> JSONValue {
        let body = try await send(operation, category: category, input)
        if body.isEmpty { return .object([:]) }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: operation, reason: "\(error)")
        }
    }

    /// One call whose output is read piece by piece by `read` (an empty answer reads as `{}`).
    public func call<Output>(
        _ operation: String, category: QuotaCategory, _ input: JSONValue, read: (inout JSONReader) throws(JSONParseError) -> Output
    ) async throws -> Output {
        let body = try await send(operation, category: category, input)
        var reader = JSONReader(bytes: body.isEmpty ? Array("{}".utf8) : [UInt8](body))
        do {
            return try read(&reader)
        } catch {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: operation, reason: "\(error)")
        }
    }

    private func send(_ operation: String, category: QuotaCategory, _ input: JSONValue) async throws -> Data {
        let request = HTTPRequest(
            method: "POST", host: "", path: "/",
            headers: [
                HTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                HTTPHeader("X-Amz-Target", "AWSCognitoIdentityProviderService.\(operation)"),
            ],
            body: .data(input.canonicalData()))
        return try await sender.send(request, operation: operation, category: category, pool: input["UserPoolId"]?.stringValue).body
    }

    // MARK: Reads used by snap create

    /// The `UserPool` object of DescribeUserPool.
    public func describeUserPool(_ poolId: String) async throws -> JSONValue {
        let out = try await call("DescribeUserPool", category: .userPoolRead, ["UserPoolId": .string(poolId)])
        guard let pool = out["UserPool"] else {
            throw AWSError.invalidResponse(service: "cognito-idp", operation: "DescribeUserPool", reason: "no UserPool in the response")
        }
        return pool
    }

    public struct Page: Sendable {
        public var items: [JSONValue]
        public var next: String?
    }

    /// One page of ListUsers (at most 60 users, Cognito's maximum).
    public func listUsers(_ poolId: String, paginationToken: String?, filter: String? = nil) async throws -> Page {
        var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "Limit": 60]
        if let paginationToken { input["PaginationToken"] = .string(paginationToken) }
        if let filter { input["Filter"] = .string(filter) }
        let out = try await call("ListUsers", category: .userList, .object(input))
        return Page(items: out["Users"]?.arrayValue ?? [], next: out["PaginationToken"]?.stringValue)
    }

    /// One page of ListUsers with each user read by `user` as the answer is read (snap create's listing:
    /// no `JSONValue` tree per user). The same answers are accepted and refused as by `listUsers` above.
    public func listUsers<User>(
        _ poolId: String, paginationToken: String?, filter: String? = nil, user: (inout JSONReader) throws(JSONParseError) -> User
    ) async throws -> (users: [User], next: String?) {
        var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "Limit": 60]
        if let paginationToken { input["PaginationToken"] = .string(paginationToken) }
        if let filter { input["Filter"] = .string(filter) }
        return try await call("ListUsers", category: .userList, .object(input)) { (r: inout JSONReader) throws(JSONParseError) in
            try Self.readUserPage(&r, user: user)
        }
    }

    /// A ListUsers answer: its `Users` (none when not an array) and its `PaginationToken` (when a string).
    public static func readUserPage<User>(
        _ r: inout JSONReader, user: (inout JSONReader) throws(JSONParseError) -> User
    ) throws(JSONParseError) -> (users: [User], next: String?) {
        var users: [User] = []
        var next: String?
        _ = try r.object { (r: inout JSONReader, key: String) throws(JSONParseError) in
            switch key {
            case "Users": _ = try r.array { (r: inout JSONReader) throws(JSONParseError) in users.append(try user(&r)) }
            case "PaginationToken": next = try r.string()
            default: _ = try r.value()
            }
        }
        try r.end()
        return (users, next)
    }

    /// One page of ListGroups (at most 60).
    public func listGroups(_ poolId: String, nextToken: String?) async throws -> Page {
        var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "Limit": 60]
        if let nextToken { input["NextToken"] = .string(nextToken) }
        let out = try await call("ListGroups", category: .userPoolResourceRead, .object(input))
        return Page(items: out["Groups"]?.arrayValue ?? [], next: out["NextToken"]?.stringValue)
    }

    /// One page of ListUsersInGroup (at most 60).
    public func listUsersInGroup(_ poolId: String, group: String, nextToken: String?) async throws -> Page {
        var input: [String: JSONValue] = ["UserPoolId": .string(poolId), "GroupName": .string(group), "Limit": 60]
        if let nextToken { input["NextToken"] = .string(nextToken) }
        let out = try await call("ListUsersInGroup", category: .userList, .object(input))
        return Page(items: out["Users"]?.arrayValue ?? [], next: out["NextToken"]?.stringValue)
    }

    /// AdminGetUser's output, or nil when the user does not exist.
    public func adminGetUser(_ poolId: String, username: String) async throws -> JSONValue? {
        do {
            return try await call("AdminGetUser", category: .userRead, ["UserPoolId": .string(poolId), "Username": .string(username)])
        } catch let AWSError.service(e) where e.code == "UserNotFoundException" {
            return nil
        }
    }
}
