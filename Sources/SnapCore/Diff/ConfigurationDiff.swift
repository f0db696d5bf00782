import AWS

/// `snap diff`'s rule for a pool's configuration: what changed between two
/// sides' `ConfigurationDocuments`, in this order:
///
/// - `pool`: one change holding every changed field of pool.json (dotted
///   paths, `ConfigurationFields`) and of config.json's keys, each under its
///   key (`mfa.SoftwareTokenMfaConfiguration.Enabled`), `domain` and `customDomain` excepted;
/// - `client`, `provider`, `resource-server`: records matched by `ClientName`,
///   `ProviderName`, `Identifier` (app clients sharing a name are paired in
///   `ClientId` order), each added, removed or changed field by field;
/// - `domain`: config.json's `domain` and `customDomain` (DescribeUserPoolDomain's
///   `DomainDescription`) named by its `Domain`: added, removed, changed
///   field by field; another `Domain` is the old one removed and the new one added.
///
/// pool.json's `Id` and `Arn` and a record's `UserPoolId` name the pool,
/// not its settings: never compared (a restore's target differs in them),
/// like `CreationDate`, `LastModifiedDate` and counters (`ConfigurationFields`).
///
/// Like for like: a member only one side has (config.json against a format-1
/// snapshot; clients against a side read without them) is not compared,
/// since its absence means "not captured", not "none"; `note` says so.
///
/// `ignore` leaves fields out: `KIND.FIELD` as the diff prints it, or any
/// prefix ending at a `.` or `[` (`pool.Policies`, `client.CallbackURLs`,
/// `pool.mfa`), or a whole kind (`client`, `domain`).
public struct ConfigurationDiff: Sendable {
    public let ignore: Set<String>
    public let note: @Sendable (String) -> Void

    public init(ignore: Set<String> = [], note: @escaping @Sendable (String) -> Void = { _ in }) {
        self.ignore = ignore
        self.note = note
    }

    /// pool.json's keys naming the pool (never compared), and the key of a
    /// client, provider or resource server naming the pool it belongs to.
    public static let poolIdentity = ["Id", "Arn"]
    public static let ownerKey = "UserPoolId"

    public func compare(old: ConfigurationDocuments, new: ConfigurationDocuments) -> [ConfigurationChange] {
        var out: [ConfigurationChange] = []
        // pool: pool.json, then config.json's keys.
        var fields: [DiffChange.Field] = []
        if var a = old.pool, var b = new.pool {
            // The pool's identity, not its configuration: a restore's target differs in it from its snapshot.
            for key in Self.poolIdentity {
                a.removeValue(forKey: key)
                b.removeValue(forKey: key)
            }
            fields += ConfigurationFields.compare(.object(a), .object(b))
        } else if (old.pool == nil) != (new.pool == nil) {
            note("only one side has pool.json: the pool's settings are not compared")
        }
        let configs = (old.config, new.config)
        if let a = configs.0, let b = configs.1 {
            for key in Set(a.keys).union(b.keys).sorted(by: JSONValue.utf8Less)
            where !Self.domainKeys.contains(key) {
                fields += ConfigurationFields.compare(a[key], b[key], path: key)
            }
        } else if (configs.0 == nil) != (configs.1 == nil) {
            note(
                "only one side has config.json (format 2): MFA factors and the domain are not compared (a format-1 snapshot did not capture them)"
            )
        }
        fields = kept(.pool, fields)
        if !fields.isEmpty { out.append(ConfigurationChange(kind: .pool, op: .changed, name: nil, changes: fields)) }

        for list in ConfigurationDocuments.lists {
            switch (old.records[list.member], new.records[list.member]) {
            case (let a?, let b?): out += records(list, a, b)
            case (nil, nil): break
            default: note("only one side has \(list.member): \(list.kind.rawValue)s are not compared (the other side did not capture them)")
            }
        }

        if let a = configs.0, let b = configs.1, !ignored(.domain, nil) {
            for key in Self.domainKeys { out += domain(a[key], b[key]) }
        }
        return out
    }

    /// config.json's keys that are domains (the prefix domain and the custom domain), each its own `domain` change.
    static let domainKeys = ["domain", "customDomain"]

    private func records(_ list: ConfigurationDocuments.List, _ old: [JSONValue], _ new: [JSONValue]) -> [ConfigurationChange] {
        guard !ignored(list.kind, nil) else { return [] }
        // By name; records sharing one (app clients may) are paired in the order of their ClientId.
        func byName(_ records: [JSONValue]) -> [String: [JSONValue]] {
            var out: [String: [JSONValue]] = [:]
            for r in records { out[r[list.key]?.stringValue ?? "", default: []].append(r) }
            return out.mapValues { rs in
                rs.sorted { JSONValue.utf8Less($0["ClientId"]?.stringValue ?? "", $1["ClientId"]?.stringValue ?? "") }
            }
        }
        let a = byName(old), b = byName(new)
        var out: [ConfigurationChange] = []
        for name in Set(a.keys).union(b.keys).sorted(by: JSONValue.utf8Less) {
            let xs = a[name] ?? [], ys = b[name] ?? []
            for i in 0..<max(xs.count, ys.count) {
                out += pair(list.kind, name, xs.indices.contains(i) ? xs[i] : .none, ys.indices.contains(i) ? ys[i] : .none)
            }
        }
        return out
    }

    private func domain(_ old: JSONValue?, _ new: JSONValue?) -> [ConfigurationChange] {
        let a = old == .some(.null) ? .none : old, b = new == .some(.null) ? .none : new
        let nameA = a?["Domain"]?.stringValue ?? "", nameB = b?["Domain"]?.stringValue ?? ""
        if let a, let b, nameA != nameB {
            return pair(.domain, nameA, a, .none) + pair(.domain, nameB, .none, b)
        }
        return pair(.domain, a == .none ? nameB : nameA, a, b)
    }

    /// One record's change: added, removed, or its kept changed fields.
    private func pair(_ kind: ConfigurationChange.Kind, _ name: String, _ old: JSONValue?, _ new: JSONValue?) -> [ConfigurationChange] {
        // `.none`, not `nil`: JSONValue takes a nil literal, so a `nil` may become `.some(.null)`.
        switch (old, new) {
        case (.none, let r?): return [ConfigurationChange(kind: kind, op: .added, name: name, record: r)]
        case (let r?, .none): return [ConfigurationChange(kind: kind, op: .removed, name: name, record: r)]
        case (let x?, let y?):
            let fields = kept(kind, ConfigurationFields.compare(Self.withoutOwner(x), Self.withoutOwner(y)))
            return fields.isEmpty ? [] : [ConfigurationChange(kind: kind, op: .changed, name: name, changes: fields)]
        default: return []
        }
    }

    private static func withoutOwner(_ record: JSONValue) -> JSONValue {
        guard var o = record.objectValue else { return record }
        o.removeValue(forKey: ownerKey)
        return .object(o)
    }

    private func kept(_ kind: ConfigurationChange.Kind, _ fields: [DiffChange.Field]) -> [DiffChange.Field] {
        ignore.isEmpty ? fields : fields.filter { !ignored(kind, $0.field) }
    }

    /// `field` nil: the whole kind.
    func ignored(_ kind: ConfigurationChange.Kind, _ field: String?) -> Bool {
        if ignore.contains(kind.rawValue) { return true }
        guard let field else { return false }
        let full = "\(kind.rawValue).\(field)"
        return ignore.contains { full == $0 || full.hasPrefix($0 + ".") || full.hasPrefix($0 + "[") }
    }
}
