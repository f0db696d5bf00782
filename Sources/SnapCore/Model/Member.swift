/// The archive's members, in the order they are written.
public enum Member: String, Sendable, CaseIterable {
    case pool = "pool.json"
    case groups = "groups.jsonl"
    case users = "users.jsonl"
    case memberships = "memberships.jsonl"
    case manifest = "manifest.json"

    /// The members a manifest describes (all but itself).
    public static let data: [Member] = [.pool, .groups, .users, .memberships]

    /// `snap cat REF users|groups|memberships|pool`.
    public init?(catName: String) {
        switch catName {
        case "users", "users.jsonl": self = .users
        case "groups", "groups.jsonl": self = .groups
        case "memberships", "memberships.jsonl": self = .memberships
        case "pool", "pool.json": self = .pool
        case "manifest", "manifest.json": self = .manifest
        default: return nil
        }
    }

    public var isJSONLines: Bool { rawValue.hasSuffix(".jsonl") }
}
