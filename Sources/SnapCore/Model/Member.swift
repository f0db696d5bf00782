/// The archive's members, in the order they are written.
public enum Member: String, Sendable, CaseIterable {
    case pool = "pool.json"
    case groups = "groups.jsonl"
    case users = "users.jsonl"
    case memberships = "memberships.jsonl"
    /// Format 2: the pool's configuration beyond pool.json (`{"mfa": GetUserPoolMfaConfig}` today).
    case config = "config.json"
    case manifest = "manifest.json"

    /// The members a format-1 manifest describes (all but itself).
    public static let data: [Member] = [.pool, .groups, .users, .memberships]

    /// The members a manifest of `format` describes, in archive order (all but itself).
    public static func data(format: Int) -> [Member] {
        format >= 2 ? data + [.config] : data
    }

    /// Every member of an archive of `format`, in archive order, manifest.json last.
    public static func archiveOrder(format: Int) -> [Member] { data(format: format) + [.manifest] }

    /// `snap cat REF users|groups|memberships|pool|config`.
    public init?(catName: String) {
        switch catName {
        case "users", "users.jsonl": self = .users
        case "groups", "groups.jsonl": self = .groups
        case "memberships", "memberships.jsonl": self = .memberships
        case "pool", "pool.json": self = .pool
        case "config", "config.json": self = .config
        case "manifest", "manifest.json": self = .manifest
        default: return nil
        }
    }

    public var isJSONLines: Bool { rawValue.hasSuffix(".jsonl") }
}
