import AWS

/// One line of memberships.jsonl.
public struct MembershipRecord: Sendable, Equatable, Hashable {
    public var group: String
    public var username: String

    public init(group: String, username: String) {
        self.group = group
        self.username = username
    }

    public var json: JSONValue { ["group": .string(group), "username": .string(username)] }

    public init(json: JSONValue) throws(ModelError) {
        guard let group = json["group"]?.stringValue else { throw ModelError.missingField("group", in: "membership record") }
        guard let username = json["username"]?.stringValue else { throw ModelError.missingField("username", in: "membership record") }
        self.init(group: group, username: username)
    }
}
