import AWS

/// One difference in a pool's configuration, as `snap diff` prints it: the
/// pool's own settings (pool.json and config.json's keys but `domain`,
/// one change with every field), an app client, identity provider or
/// resource server added, removed or changed, or the domain.
public struct ConfigurationChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case pool
        case client
        case provider
        case resourceServer = "resource-server"
        case domain
    }

    public enum Op: String, Sendable {
        case added, removed, changed
    }

    public var kind: Kind
    public var op: Op
    /// The client's, provider's or resource server's key, the domain's `Domain`; nil for `pool`.
    public var name: String?
    /// The whole record, for `added` and `removed`.
    public var record: JSONValue?
    /// The changed fields (dotted paths), for `changed`.
    public var changes: [DiffChange.Field]

    public init(kind: Kind, op: Op, name: String?, record: JSONValue? = nil, changes: [DiffChange.Field] = []) {
        self.kind = kind
        self.op = op
        self.name = name
        self.record = record
        self.changes = changes
    }

    /// The SPEC's JSON Lines form: `kind`, `op`, `name` (not for `pool`), then
    /// `record` (added, removed) or `changes` (changed).
    public var json: JSONValue {
        var o: [String: JSONValue] = ["kind": .string(kind.rawValue), "op": .string(op.rawValue)]
        if let name { o["name"] = .string(name) }
        if op == .changed {
            o["changes"] = .array(changes.map { ["field": .string($0.field), "old": $0.old, "new": $0.new] })
        } else {
            o["record"] = record ?? .null
        }
        return .object(o)
    }

    /// `~ pool: Policies.PasswordPolicy.MinimumLength 12 -> 8`, `+ client: web`,
    /// `~ client: web CallbackURLs ["https://a"] -> ["https://b"]`; fields
    /// joined by `; `, names and values escaped (`PrintableText`).
    public var text: String {
        let sign =
            switch op {
            case .added: "+"
            case .removed: "-"
            case .changed: "~"
            }
        var line = "\(sign) \(kind.rawValue):"
        if let name { line += " \(PrintableText.name(name))" }
        if op == .changed { line += " " + DiffChange.text(changes) }
        return line
    }
}
