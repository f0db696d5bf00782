import AWS

/// One line of groups.jsonl. Optional fields are omitted when absent.
public struct GroupRecord: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var precedence: Int?
    public var roleArn: String?
    public var created: String?
    public var modified: String?

    public init(
        name: String, description: String? = nil, precedence: Int? = nil, roleArn: String? = nil,
        created: String? = nil, modified: String? = nil
    ) {
        self.name = name
        self.description = description
        self.precedence = precedence
        self.roleArn = roleArn
        self.created = created
        self.modified = modified
    }

    /// From a ListGroups item.
    public init(cognito g: JSONValue) throws(ModelError) {
        guard let name = g["GroupName"]?.stringValue else { throw ModelError.missingField("GroupName", in: "group") }
        self.init(
            name: name, description: g["Description"]?.stringValue, precedence: g["Precedence"]?.intValue,
            roleArn: g["RoleArn"]?.stringValue, created: Timestamp.format(cognito: g["CreationDate"]),
            modified: Timestamp.format(cognito: g["LastModifiedDate"]))
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["name": .string(name)]
        if let description { o["description"] = .string(description) }
        if let precedence { o["precedence"] = .int(precedence) }
        if let roleArn { o["roleArn"] = .string(roleArn) }
        if let created { o["created"] = .string(created) }
        if let modified { o["modified"] = .string(modified) }
        return .object(o)
    }

    public init(json: JSONValue) throws(ModelError) {
        guard let name = json["name"]?.stringValue else { throw ModelError.missingField("name", in: "group record") }
        self.init(
            name: name, description: json["description"]?.stringValue, precedence: json["precedence"]?.intValue,
            roleArn: json["roleArn"]?.stringValue, created: json["created"]?.stringValue,
            modified: json["modified"]?.stringValue)
    }
}
