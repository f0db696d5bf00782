import AWS

/// One line of users.jsonl.
public struct UserRecord: Sendable, Equatable {
    public var username: String
    public var attributes: [String: String]
    public var enabled: Bool
    public var status: String
    public var mfaOptions: [JSONValue]
    public var created: String?
    public var modified: String?
    /// MFA preferences (AdminGetUser), only in snapshots taken with `--with-mfa`; nil: none, or not exported.
    public var mfa: MFASettings?

    public init(
        username: String, attributes: [String: String], enabled: Bool, status: String,
        mfaOptions: [JSONValue] = [], created: String? = nil, modified: String? = nil, mfa: MFASettings? = nil
    ) {
        self.username = username
        self.attributes = attributes
        self.enabled = enabled
        self.status = status
        self.mfaOptions = mfaOptions
        self.created = created
        self.modified = modified
        self.mfa = mfa
    }

    /// From a ListUsers / ListUsersInGroup item (`Attributes`) or an
    /// AdminGetUser output (`UserAttributes`).
    public init(cognito u: JSONValue) throws(ModelError) {
        guard let username = u["Username"]?.stringValue else { throw ModelError.missingField("Username", in: "user") }
        var attributes: [String: String] = [:]
        for a in (u["Attributes"] ?? u["UserAttributes"])?.arrayValue ?? [] {
            guard let name = a["Name"]?.stringValue else { throw ModelError.missingField("Name", in: "attribute of user \(username)") }
            attributes[name] = a["Value"]?.stringValue ?? ""
        }
        self.init(
            username: username, attributes: attributes, enabled: u["Enabled"]?.boolValue ?? true,
            status: u["UserStatus"]?.stringValue ?? "UNKNOWN", mfaOptions: u["MFAOptions"]?.arrayValue ?? [],
            created: Timestamp.format(cognito: u["UserCreateDate"]),
            modified: Timestamp.format(cognito: u["UserLastModifiedDate"]))
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "username": .string(username),
            "attributes": .object(attributes.mapValues { .string($0) }),
            "enabled": .bool(enabled),
            "status": .string(status),
        ]
        if !mfaOptions.isEmpty { o["mfaOptions"] = .array(mfaOptions) }
        if let created { o["created"] = .string(created) }
        if let modified { o["modified"] = .string(modified) }
        if let mfa, !mfa.isEmpty { o["mfa"] = mfa.json }
        return .object(o)
    }

    public init(json: JSONValue) throws(ModelError) {
        guard let username = json["username"]?.stringValue else { throw ModelError.missingField("username", in: "user record") }
        guard let attrs = json["attributes"]?.objectValue else { throw ModelError.missingField("attributes", in: "user \(username)") }
        var attributes: [String: String] = [:]
        for (k, v) in attrs {
            guard let s = v.stringValue else { throw ModelError.wrongType("attributes.\(k)", in: "user \(username)") }
            attributes[k] = s
        }
        guard let enabled = json["enabled"]?.boolValue else { throw ModelError.missingField("enabled", in: "user \(username)") }
        guard let status = json["status"]?.stringValue else { throw ModelError.missingField("status", in: "user \(username)") }
        var mfa: MFASettings?
        if let m = json["mfa"], m != .null { mfa = try MFASettings(json: m, username: username) }
        self.init(
            username: username, attributes: attributes, enabled: enabled, status: status,
            mfaOptions: json["mfaOptions"]?.arrayValue ?? [], created: json["created"]?.stringValue,
            modified: json["modified"]?.stringValue, mfa: mfa)
    }
}
