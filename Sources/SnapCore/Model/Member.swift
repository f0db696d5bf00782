/// The archive's members, in the order they are written.
public enum Member: String, Sendable, CaseIterable {
    case pool = "pool.json"
    case groups = "groups.jsonl"
    case users = "users.jsonl"
    case memberships = "memberships.jsonl"
    /// Format 2: DescribeUserPoolClient's `UserPoolClient` per app client, sorted by ClientName then ClientId.
    case clients = "clients.jsonl"
    /// Format 2: DescribeIdentityProvider's `IdentityProvider` per identity provider, sorted by ProviderName.
    case providers = "providers.jsonl"
    /// Format 2: ListResourceServers' entries, sorted by Identifier.
    case resourceServers = "resource-servers.jsonl"
    /// Format 2: the pool's configuration beyond pool.json (`{"mfa", "domain", "customDomain"}`).
    case config = "config.json"
    /// `create --with-secrets` only: the captured secrets (`CapturedSecrets`), AES-256-GCM under a KMS data key
    /// (`SecretsEnvelope`). Not in the manifest's `files` but in its `secrets` field; never printed.
    case secrets = "secrets.enc"
    case manifest = "manifest.json"

    /// The members a format-1 manifest describes (all but itself).
    public static let data: [Member] = [.pool, .groups, .users, .memberships]

    /// The members format 2 adds after memberships.jsonl, in archive order.
    public static let format2: [Member] = [.clients, .providers, .resourceServers, .config]

    /// The members a manifest of `format` describes, in archive order (all but itself).
    public static func data(format: Int) -> [Member] {
        format >= 2 ? data + format2 : data
    }

    /// Every member of an archive of `format`, in archive order, manifest.json last; `secrets`: the
    /// snapshot was taken with `--with-secrets` (its manifest has a `secrets` field), so secrets.enc
    /// comes between config.json and manifest.json.
    public static func archiveOrder(format: Int, secrets: Bool = false) -> [Member] {
        data(format: format) + (secrets ? [.secrets] : []) + [.manifest]
    }

    /// `snap cat REF users|groups|memberships|pool|clients|providers|resource-servers|config`.
    public init?(catName: String) {
        switch catName {
        case "users", "users.jsonl": self = .users
        case "groups", "groups.jsonl": self = .groups
        case "memberships", "memberships.jsonl": self = .memberships
        case "pool", "pool.json": self = .pool
        case "clients", "clients.jsonl": self = .clients
        case "providers", "providers.jsonl": self = .providers
        case "resource-servers", "resource-servers.jsonl": self = .resourceServers
        case "config", "config.json": self = .config
        case "manifest", "manifest.json": self = .manifest
        // Recognized so that `snap cat REF secrets` is refused with a reason, not as an unknown member.
        case "secrets", "secrets.enc": self = .secrets
        default: return nil
        }
    }

    public var isJSONLines: Bool { rawValue.hasSuffix(".jsonl") }

    /// Bytes no JSON check applies to (secrets.enc: nonce, ciphertext, tag), only its digest.
    public var isOpaque: Bool { self == .secrets }
}
