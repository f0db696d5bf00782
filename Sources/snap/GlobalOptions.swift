import AWS
import ArgumentParser
import SnapCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("user-pool-id"),
        help: ArgumentHelp(
            "The user pool, e.g. us-east-1_AbCdEf123 (env SNAP_USER_POOL_ID). A pool snap.toml names in a [[pool]] table takes that table's stores, role and settings; --store, --region and --expected-bucket-owner still win.",
            valueName: "ID"))
    var userPoolId: String?

    @Option(help: "The pool's region (default: the part of the pool id before '_'; then AWS_REGION).")
    var region: String?

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "A store: s3://BUCKET[/PREFIX][?region=R], file:///path or a path; repeatable, the first is the primary (env SNAP_STORES, comma-separated; default ./snapshots).",
            valueName: "URL"))
    var stores: [String] = []

    @Option(
        help: ArgumentHelp("Encrypt uploads to S3 stores: s3, kms or kms:KEY_ID (per store: sse in snap.toml).", valueName: "MODE"))
    var sse: String?

    @Option(
        help: ArgumentHelp(
            "The AWS account that must own every S3 store's bucket (sent as x-amz-expected-bucket-owner; per store: expected_bucket_owner in snap.toml).",
            valueName: "ACCOUNT"))
    var expectedBucketOwner: String?

    @Option(
        help: ArgumentHelp(
            "Write archives and manifests to S3 stores with Object Lock retention for DAYS: governance:DAYS or compliance:DAYS (the bucket needs Object Lock enabled; per store: object_lock in snap.toml).",
            valueName: "MODE:DAYS"))
    var objectLock: String?

    @Option(help: .hidden)
    var multipartThreshold: Int64?

    @Option(help: ArgumentHelp("Settings file (default: $SNAP_CONFIG, else ./snap.toml when it exists).", valueName: "FILE"))
    var config: String?

    @Flag(help: "Machine-readable JSON on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress or informational messages on stderr.")
    var quiet = false

    @Flag(
        name: [.customShort("v"), .customLong("verbose")],
        help: "Log to stderr: -v retries, throttling and pace, locks, store attempts; -vv also each request with its timing.")
    var verbosity: Int

    @Option(help: ArgumentHelp("Log lines as text or json (one JSON object per line).", valueName: "FORMAT"))
    var logFormat: String = "text"

    func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format \(logFormat): use text or json") }
        if let owner = expectedBucketOwner, !StoreSettings.isAccountId(owner) {
            throw ValidationError("--expected-bucket-owner \(owner): an AWS account id is 12 digits")
        }
        if let lock = objectLock, case .failure(let e) = ObjectLockSetting.parse(lock) { throw ValidationError("--object-lock: \(e)") }
    }
}
