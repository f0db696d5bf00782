/// What an export leaves in its work folder: one finished file per member.
public struct ExportResult: Sendable {
    public var pool: Manifest.PoolInfo
    public var files: [Member: Manifest.FileInfo]
    public var paths: [Member: String]
    public var counts: Manifest.Counts
    public var warnings: [String]
    public var stats: Manifest.Stats
    /// How the export was taken (`--with-mfa`), for the manifest.
    public var options = SnapshotOptions()
    /// `--with-secrets`: the plaintext secrets, in memory only, for `CreateSnapshot` to seal into secrets.enc;
    /// nil without it. Never written anywhere else, and `CapturedSecrets` describes itself by counts only.
    public var secrets: CapturedSecrets?
}

/// Progress of an export, for a progress line on a terminal.
public struct ExportProgress: Sendable {
    public var users = 0
    public var groups = 0
    public var memberships = 0
    public var requests = 0
    /// User shards planned, and listings started again after a refused token.
    public var shards = 0
    public var restarts = 0
    /// The UserList pace now (requests per second), and whether Cognito throttled lately.
    public var pace = 0.0
    public var throttled = false
    /// `--with-mfa`: users whose MFA settings were read (AdminGetUser), and the UserRead pace.
    public var mfaUsers = 0
    public var mfaPace = 0.0
    /// Users per ListUsers page as observed so far (pages may hold fewer than Limit without being the last),
    /// and the seconds the user listing should still take at that and the current pace (nil until known).
    public var usersPerPage = 0.0
    public var etaSeconds: Double?
}
