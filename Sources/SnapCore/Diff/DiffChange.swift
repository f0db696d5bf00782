import AWS

/// One difference between two snapshots, as `snap diff` prints it.
public enum DiffChange: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var field: String
        public var old: JSONValue
        public var new: JSONValue

        public init(field: String, old: JSONValue, new: JSONValue) {
            self.field = field
            self.old = old
            self.new = new
        }
    }

    case userAdded(JSONValue)
    case userRemoved(JSONValue)
    case userChanged(username: String, [Field])
    case groupAdded(JSONValue)
    case groupRemoved(JSONValue)
    case groupChanged(group: String, [Field])
    case membershipAdded(group: String, username: String)
    case membershipRemoved(group: String, username: String)
    /// Pool configuration (`ConfigurationDiff`): out first, before users.
    case configuration(ConfigurationChange)

    /// The SPEC's JSON Lines form.
    public var json: JSONValue {
        func fields(_ f: [Field]) -> JSONValue { .array(f.map { ["field": .string($0.field), "old": $0.old, "new": $0.new] }) }
        switch self {
        case .userAdded(let r): return ["kind": "user", "op": "added", "username": r["username"] ?? .null, "record": r]
        case .userRemoved(let r): return ["kind": "user", "op": "removed", "username": r["username"] ?? .null, "record": r]
        case .userChanged(let u, let f): return ["kind": "user", "op": "changed", "username": .string(u), "changes": fields(f)]
        case .groupAdded(let r): return ["kind": "group", "op": "added", "group": r["name"] ?? .null, "record": r]
        case .groupRemoved(let r): return ["kind": "group", "op": "removed", "group": r["name"] ?? .null, "record": r]
        case .groupChanged(let g, let f): return ["kind": "group", "op": "changed", "group": .string(g), "changes": fields(f)]
        case .membershipAdded(let g, let u): return ["kind": "membership", "op": "added", "group": .string(g), "username": .string(u)]
        case .membershipRemoved(let g, let u): return ["kind": "membership", "op": "removed", "group": .string(g), "username": .string(u)]
        case .configuration(let c): return c.json
        }
    }

    /// One line of text: `+`, `-` or `~`, the kind, the name, and what changed.
    /// Names and values are escaped (`PrintableText`): one change is one line.
    public var text: String {
        let fields = Self.text
        func name(_ v: JSONValue?) -> String { v?.stringValue.map(PrintableText.name) ?? "?" }
        let n = PrintableText.name
        switch self {
        case .userAdded(let r): return "+ user \(name(r["username"]))"
        case .userRemoved(let r): return "- user \(name(r["username"]))"
        case .userChanged(let u, let f): return "~ user \(n(u)): \(fields(f))"
        case .groupAdded(let r): return "+ group \(name(r["name"]))"
        case .groupRemoved(let r): return "- group \(name(r["name"]))"
        case .groupChanged(let g, let f): return "~ group \(n(g)): \(fields(f))"
        case .membershipAdded(let g, let u): return "+ member \(n(g)) \(n(u))"
        case .membershipRemoved(let g, let u): return "- member \(n(g)) \(n(u))"
        case .configuration(let c): return c.text
        }
    }

    /// Fields as text: `name old -> new`, joined by `; `, `(none)` for null.
    static func text(_ f: [Field]) -> String {
        func show(_ v: JSONValue) -> String { v == .null ? "(none)" : PrintableText.json(v.canonicalString()) }
        return f.map { "\(PrintableText.name($0.field)) \(show($0.old)) -> \(show($0.new))" }.joined(separator: "; ")
    }
}
