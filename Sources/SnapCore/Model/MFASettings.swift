import AWS

/// A user's MFA preferences as AdminGetUser reports them (`UserMFASettingList`,
/// `PreferredMfaSetting`); ListUsers does not return them, so they are in a
/// snapshot only when it was taken with `snap create --with-mfa`.
///
/// In users.jsonl: `"mfa":{"enabled":["SMS_MFA","SOFTWARE_TOKEN_MFA"],"preferred":"SMS_MFA"}`,
/// `enabled` sorted bytewise, `preferred` omitted when the user has none. A user
/// with no MFA setting has no `mfa` field.
public struct MFASettings: Sendable, Equatable {
    public static let sms = "SMS_MFA"
    public static let email = "EMAIL_OTP"
    public static let softwareToken = "SOFTWARE_TOKEN_MFA"

    /// Enabled methods, sorted bytewise, without duplicates.
    public var enabled: [String]
    public var preferred: String?

    public init(enabled: [String], preferred: String? = nil) {
        self.enabled = Array(Set(enabled)).sorted(by: JSONValue.utf8Less)
        self.preferred = preferred.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var isEmpty: Bool { enabled.isEmpty && preferred == nil }
    public var hasSoftwareToken: Bool { enabled.contains(Self.softwareToken) || preferred == Self.softwareToken }
    public var hasSMS: Bool { enabled.contains(Self.sms) }
    public var hasEmail: Bool { enabled.contains(Self.email) }

    /// From an AdminGetUser output; nil when the user has no MFA setting.
    /// Cognito (and moto) answer `"PreferredMfaSetting":""` for none.
    public init?(cognito out: JSONValue, username: String) throws(ModelError) {
        var enabled: [String] = []
        if let list = out["UserMFASettingList"] {
            guard let items = list.arrayValue else {
                throw ModelError.wrongType("UserMFASettingList", in: "AdminGetUser of user \(username)")
            }
            for item in items {
                guard let s = item.stringValue else {
                    throw ModelError.wrongType("UserMFASettingList", in: "AdminGetUser of user \(username)")
                }
                enabled.append(s)
            }
        }
        var preferred: String?
        if let p = out["PreferredMfaSetting"] {
            guard let s = p.stringValue else { throw ModelError.wrongType("PreferredMfaSetting", in: "AdminGetUser of user \(username)") }
            preferred = s
        }
        let settings = MFASettings(enabled: enabled, preferred: preferred)
        if settings.isEmpty { return nil }
        self = settings
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["enabled": .array(enabled.map { .string($0) })]
        if let preferred { o["preferred"] = .string(preferred) }
        return .object(o)
    }

    /// The `mfa` field of a users.jsonl record; every wrong type names the user and the field.
    public init(json: JSONValue, username: String) throws(ModelError) {
        let owner = "user \(username)"
        guard let o = json.objectValue else { throw ModelError.wrongType("mfa", in: owner) }
        guard let list = o["enabled"] else { throw ModelError.missingField("mfa.enabled", in: owner) }
        guard let items = list.arrayValue else { throw ModelError.wrongType("mfa.enabled", in: owner) }
        var enabled: [String] = []
        for item in items {
            guard let s = item.stringValue else { throw ModelError.wrongType("mfa.enabled", in: owner) }
            enabled.append(s)
        }
        var preferred: String?
        if let p = o["preferred"], p != .null {
            guard let s = p.stringValue else { throw ModelError.wrongType("mfa.preferred", in: owner) }
            preferred = s
        }
        self.init(enabled: enabled, preferred: preferred)
    }
}
