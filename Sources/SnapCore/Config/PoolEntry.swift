/// A `[[pool]]` table of snap.toml: one pool `--all` takes, with its own
/// stores, credentials and policies.
///
/// ```toml
/// [[pool]]
/// id = "eu-west-1_AbCdEf123"
/// region = "eu-west-1"                 # optional: else the id's prefix
/// stores = ["s3://backups-eu/cognito", "s3://backups-us/cognito?region=us-east-1"]   # else the file's stores
/// role_arn = "arn:aws:iam::210987654321:role/snap-reader"   # or profile = "prod"; optional
/// notify = "sns:arn:aws:sns:eu-west-1:123456789012:backups" # optional
/// with_mfa = true                      # optional overrides of the file's settings
/// with_secrets = false
/// expected_bucket_owner = "123456789012"
/// [pool.prune]                         # optional: this pool's retention (else the file's [prune])
/// keep_daily = 14
/// ```
///
/// `profile` and `role_arn` are the credentials for the pool's Cognito
/// calls (and KMS for its secrets). Its stores are written with the run's
/// own credentials: a backup account apart from the pools it protects.
public struct PoolEntry: Sendable, Equatable {
    public var id: String
    public var region: String?
    public var stores: [String] = []
    public var profile: String?
    public var roleArn: String?
    /// The pool's own [pool.prune] table; nil: the file's [prune].
    public var prune: [String: String]?
    public var notify: [String]?
    public var withMFA: Bool?
    public var withSecrets: Bool?
    public var expectedBucketOwner: String?
    /// This pool's `sign` key, over the file's.
    public var sign: String?
    /// Where the table starts, for errors: `snap.toml:12`.
    public var origin: String = ""

    public init(id: String, region: String? = nil, stores: [String] = []) {
        self.id = id
        self.region = region
        self.stores = stores
    }

    /// The region its Cognito calls go to.
    public var effectiveRegion: String { region ?? String(id.prefix { $0 != "_" }) }

    /// Which credentials reach the pool: one account lookup (STS GetCallerIdentity) per distinct key.
    public var credentialsKey: String {
        if let roleArn { return "role:\(roleArn)" + (profile.map { " via profile:\($0)" } ?? "") }
        if let profile { return "profile:\(profile)" }
        return "default"
    }

    /// Whether `id` looks like a user pool id: REGION_ID.
    public static func isPoolId(_ id: String) -> Bool {
        guard let underscore = id.firstIndex(of: "_"), underscore != id.startIndex else { return false }
        return id.index(after: underscore) != id.endIndex
    }
}
