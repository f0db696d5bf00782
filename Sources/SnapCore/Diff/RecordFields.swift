import AWS

/// The fields two records of one user (or group) differ in, as `snap diff`
/// and `snap log` report them: `enabled`, `status`, every `attributes.<name>`
/// (null on the side where it is absent), `mfaOptions` and `mfa` (the MFA
/// settings of `--with-mfa` snapshots, null where absent) for users;
/// `description`, `precedence`, `roleArn` for groups. `created` and
/// `modified` are never compared.
public enum RecordFields {
    public static func user(_ a: JSONValue, _ b: JSONValue, ignore: Set<String> = []) -> [DiffChange.Field] {
        var out = plain(a, b, names: ["enabled", "status"], ignore: ignore)
        let oldAttrs = a["attributes"]?.objectValue ?? [:]
        let newAttrs = b["attributes"]?.objectValue ?? [:]
        for name in Set(oldAttrs.keys).union(newAttrs.keys).sorted(by: JSONValue.utf8Less) {
            let field = "attributes.\(name)"
            guard !ignore.contains(field), oldAttrs[name] != newAttrs[name] else { continue }
            out.append(.init(field: field, old: oldAttrs[name] ?? .null, new: newAttrs[name] ?? .null))
        }
        let oldMFA = a["mfaOptions"] ?? .array([]), newMFA = b["mfaOptions"] ?? .array([])
        if !ignore.contains("mfaOptions"), oldMFA != newMFA { out.append(.init(field: "mfaOptions", old: oldMFA, new: newMFA)) }
        let oldSettings = a["mfa"] ?? .null, newSettings = b["mfa"] ?? .null
        if !ignore.contains("mfa"), oldSettings != newSettings { out.append(.init(field: "mfa", old: oldSettings, new: newSettings)) }
        return out
    }

    public static func group(_ a: JSONValue, _ b: JSONValue, ignore: Set<String> = []) -> [DiffChange.Field] {
        plain(a, b, names: ["description", "precedence", "roleArn"], ignore: ignore)
    }

    static func plain(_ a: JSONValue, _ b: JSONValue, names: [String], ignore: Set<String>) -> [DiffChange.Field] {
        names.filter { !ignore.contains($0) && (a[$0] ?? .null) != (b[$0] ?? .null) }
            .map { DiffChange.Field(field: $0, old: a[$0] ?? .null, new: b[$0] ?? .null) }
    }
}
