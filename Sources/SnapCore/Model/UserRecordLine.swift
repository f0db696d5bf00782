import AWS

/// A user's users.jsonl line written straight from the record: the same
/// bytes as `json.canonicalData()` (keys in bytewise order: attributes,
/// created, enabled, mfa, mfaOptions, modified, status, username), without
/// building a `JSONValue` tree for every user listed.
extension UserRecord {
    public func canonicalLine() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(512)
        out.append(contentsOf: #"{"attributes":{"#.utf8)
        var first = true
        for (name, value) in attributes.sorted(by: { JSONValue.utf8Less($0.key, $1.key) }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.writeString(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        if let created {
            out.append(contentsOf: #","created":"#.utf8)
            JSONValue.writeString(created, into: &out)
        }
        out.append(contentsOf: (enabled ? #","enabled":true"# : #","enabled":false"#).utf8)
        if let mfa, !mfa.isEmpty {
            out.append(contentsOf: #","mfa":"#.utf8)
            mfa.json.write(into: &out)
        }
        if !mfaOptions.isEmpty {
            out.append(contentsOf: #","mfaOptions":"#.utf8)
            JSONValue.array(mfaOptions).write(into: &out)
        }
        if let modified {
            out.append(contentsOf: #","modified":"#.utf8)
            JSONValue.writeString(modified, into: &out)
        }
        out.append(contentsOf: #","status":"#.utf8)
        JSONValue.writeString(status, into: &out)
        out.append(contentsOf: #","username":"#.utf8)
        JSONValue.writeString(username, into: &out)
        out.append(UInt8(ascii: "}"))
        // An exact-size copy: the external sort holds lines by the thousand and counts their bytes, not the
        // room reserved above (keeping that room raised the peak RSS by a quarter).
        return [UInt8](unsafeUninitializedCapacity: out.count) { copy, count in
            count = copy.initialize(from: out).1
        }
    }
}
