import AWS

/// A ListUsers item read straight from the answer's bytes (snap create's
/// listing), giving exactly what `UserRecord(cognito:)` gives for the item
/// parsed whole: the same record, or the same `ModelError`. The error is
/// returned, not thrown, so the rest of the page is still read (and refused
/// as JSON first, when it is not), as when the page was parsed whole.
extension UserRecord {
    public static func read(cognito r: inout JSONReader) throws(JSONParseError) -> Result<UserRecord, ModelError> {
        var username: String?
        var listed: [(name: String?, value: String)]?  // `Attributes`: [] when not an array
        var read: [(name: String?, value: String)]?  // `UserAttributes`, the same
        var enabled: Bool?
        var status: String?
        var mfaOptions: [JSONValue]?
        var created: JSONValue?
        var modified: JSONValue?
        _ = try r.object { (r: inout JSONReader, key: String) throws(JSONParseError) in
            switch key {
            case "Username": username = try r.string()
            case "Attributes": listed = try attributeList(&r)
            case "UserAttributes": read = try attributeList(&r)
            case "Enabled": enabled = try r.value().boolValue
            case "UserStatus": status = try r.string()
            case "MFAOptions": mfaOptions = try r.value().arrayValue
            case "UserCreateDate": created = try r.value()
            case "UserLastModifiedDate": modified = try r.value()
            default: _ = try r.value()
            }
        }
        guard let username else { return .failure(.missingField("Username", in: "user")) }
        var attributes: [String: String] = [:]
        for a in listed ?? read ?? [] {
            guard let name = a.name else { return .failure(.missingField("Name", in: "attribute of user \(username)")) }
            attributes[name] = a.value
        }
        return .success(
            UserRecord(
                username: username, attributes: attributes, enabled: enabled ?? true, status: status ?? "UNKNOWN",
                mfaOptions: mfaOptions ?? [], created: Timestamp.format(cognito: created), modified: Timestamp.format(cognito: modified)))
    }

    /// An attribute list: each element's `Name` (nil when absent, not a string, or the element is not an
    /// object) and `Value` ("" when absent or not a string); [] when the list is not an array.
    private static func attributeList(_ r: inout JSONReader) throws(JSONParseError) -> [(name: String?, value: String)] {
        var list: [(name: String?, value: String)] = []
        _ = try r.array { (r: inout JSONReader) throws(JSONParseError) in
            var name: String?
            var value: String?
            _ = try r.object { (r: inout JSONReader, key: String) throws(JSONParseError) in
                switch key {
                case "Name": name = try r.string()
                case "Value": value = try r.string()
                default: _ = try r.value()
                }
            }
            list.append((name, value ?? ""))
        }
        return list
    }
}
