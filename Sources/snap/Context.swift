import AWS
import ArgumentParser
import Foundation
import Logging
import SnapCore

/// What a command needs, resolved once: flags first, then environment,
/// then the config file.
struct Context: Sendable {
    private(set) var options: GlobalOptions
    let environment: AWSEnvironment
    let output: Output
    private var loadedConfig: Result<ConfigFile, SnapError>
    /// One HTTP client (its connections are reused) and one credential chain per run.
    let http: HTTPClient
    let credentials: CredentialsChain
    /// What signs the pool's own calls (Cognito, and KMS for its secrets): the chain, or a
    /// `[[pool]]`'s profile or role. Stores and notifications use `credentials`.
    private(set) var poolCredentials: any CredentialsProvider
    /// The `[[pool]]` this context is for (`--all`, or `--user-pool-id` naming one); nil otherwise.
    private(set) var entry: PoolEntry?

    init(_ options: GlobalOptions, environment: AWSEnvironment = AWSEnvironment()) {
        self.options = options
        self.environment = environment
        self.http = HTTPClient()
        self.output = Output(json: options.json, quiet: options.quiet)
        // Before any logger exists: every one made later writes to stderr at this level.
        SnapLogging.bootstrap(
            verbosity: options.verbosity, format: LogFormat(rawValue: options.logFormat) ?? .text,
            secrets: ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"].compactMap { environment[$0] })
        let chain = CredentialsChain(environment: environment)
        self.credentials = chain
        self.poolCredentials = chain
        self.loadedConfig = Result { () throws(SnapError) in try ConfigFile.load(flag: options.config, environment: environment.variables) }
        // `--user-pool-id X` naming one of snap.toml's [[pool]] tables takes that table's settings, as --all
        // would (its stores, region, prune, notify, with_mfa, secrets, sign, and its profile or role for the
        // pool's own calls); what the command line gives still wins. Only the flag does this: SNAP_USER_POOL_ID
        // and user_pool_id are defaults, and --all starts from the file's own settings.
        if let id = options.userPoolId, case .success(let file) = loadedConfig, let entry = file.pools.first(where: { $0.id == id }) {
            do {
                apply(entry, credentials: try Identities.provider(entry, ctx: self), flagsWin: true)
            } catch {
                let origin = entry.origin.isEmpty ? "" : " (\(entry.origin))"
                loadedConfig = .failure(
                    .configuration(
                        "the [[pool]] table of \(id)\(origin) cannot be used: \(error); fix its profile or role_arn in snap.toml"))
            }
        }
    }

    /// This context for one `[[pool]]` of `--all`: its id, region and stores in place of the flags', its
    /// settings over the file's, its Cognito calls signed with `credentials` (its profile or role).
    func forPool(_ pool: PoolEntry, credentials: (any CredentialsProvider)? = nil) -> Context {
        var copy = self
        copy.apply(pool, credentials: credentials, flagsWin: false)
        return copy
    }

    /// With `flagsWin` (one pool named by --user-pool-id), --region, --store and --expected-bucket-owner
    /// given on the command line are kept.
    private mutating func apply(_ pool: PoolEntry, credentials: (any CredentialsProvider)?, flagsWin: Bool) {
        let given = options
        entry = pool
        options.userPoolId = pool.id
        if !(flagsWin && given.region != nil) { options.region = pool.effectiveRegion }
        if !pool.stores.isEmpty && !(flagsWin && !given.stores.isEmpty) { options.stores = pool.stores }
        if let owner = pool.expectedBucketOwner, !(flagsWin && given.expectedBucketOwner != nil) {
            options.expectedBucketOwner = owner
        }
        loadedConfig = loadedConfig.map { file in
            var f = file
            f.userPoolId = pool.id
            f.region = pool.effectiveRegion
            if let p = pool.prune { f.prune = p }
            if let n = pool.notify { f.notify = n }
            if let m = pool.withMFA { f.withMFA = m }
            if let s = pool.withSecrets { f.secrets = s }
            if let k = pool.sign { f.sign = k }
            return f
        }
        if let credentials { poolCredentials = credentials }
    }

    /// The config file's settings (empty when there is none); a broken file is an error.
    func config() throws -> ConfigFile { try loadedConfig.get() }

    /// The configured pool, if any.
    func configuredPool() throws -> String? {
        if let id = options.userPoolId ?? environment["SNAP_USER_POOL_ID"] { return id }
        return try config().userPoolId
    }

    /// The configured pool, or a usage error saying how to set it.
    func poolId() throws -> String {
        guard let id = try configuredPool() else {
            throw ValidationError("no user pool: pass --user-pool-id ID, set SNAP_USER_POOL_ID, or user_pool_id in snap.toml")
        }
        guard id.contains("_"), !id.hasPrefix("_") else {
            throw ValidationError("--user-pool-id \(id): not a user pool id (expected REGION_ID, e.g. us-east-1_AbCdEf123)")
        }
        return id
    }

    /// The pool's region: --region, else the config file's (for its pool), else the pool id's prefix.
    func region(forPool pool: String) -> String {
        if let flag = options.region { return flag }
        // The config file's region belongs to its own pool, not to, say, a restore target elsewhere.
        if let file = try? config(), file.userPoolId == pool, let region = file.region { return region }
        return String(pool.prefix { $0 != "_" })
    }

    /// The one way a command finds snapshots; store trouble becomes warnings on stderr.
    func lookup() throws -> SnapshotLookup {
        let output = output
        return SnapshotLookup(catalog: Catalog(stores: try stores())) { output.message("warning: \($0)") }
    }

    func storeURLs() -> [String] {
        if !options.stores.isEmpty { return options.stores }
        if let env = environment["SNAP_STORES"] {
            return env.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let fromFile = try? config().stores, !fromFile.isEmpty { return fromFile }
        return ["./snapshots"]
    }

    func stores() throws -> [any SnapshotStore] {
        let file = try config()
        return try storeURLs().map { text in
            let settings = file.storeSettings[text] ?? StoreSettings()
            switch try StoreURL(text) {
            case .local(let path): return LocalStore(root: path, url: text)
            case .s3(let bucket, let prefix, let region):
                return S3Store(
                    url: text, bucket: bucket, prefix: prefix, region: region, environment: environment, http: http,
                    credentials: credentials, sse: try serverSideEncryption(options.sse ?? settings.sse, store: text),
                    multipartThreshold: options.multipartThreshold ?? 64 << 20,
                    expectedBucketOwner: options.expectedBucketOwner ?? settings.expectedBucketOwner,
                    objectLock: try (options.objectLock ?? settings.objectLock).map { try ObjectLockSetting.parse($0).get() })
            }
        }
    }

    /// `s3 | kms | kms:KEY_ID`, from `--sse` or the store's own `sse`.
    func serverSideEncryption(_ mode: String?, store: String) throws -> ServerSideEncryption? {
        guard let mode else { return nil }
        if mode == "s3" { return .s3 }
        if mode == "kms" { return .kms(keyId: nil) }
        if mode.hasPrefix("kms:"), mode.count > 4 { return .kms(keyId: String(mode.dropFirst(4))) }
        throw ValidationError("sse \(mode) for store \(store): use s3, kms or kms:KEY_ID")
    }

    /// The pacer: `--quota-share` (else the config's quota_share, else 0.8) and
    /// `--quota` overrides on top of the config's [quota] table.
    func pacer(share: Double?, quotas: [String]) throws -> QuotaPacer {
        let file = try config()
        var overrides = try QuotaOverrides.parse(file.quotas.map { "\($0.key)=\($0.value)" })
        overrides.merge(try QuotaOverrides.parse(quotas)) { $1 }
        let f = share ?? file.quotaShare ?? 0.8
        guard f > 0, f <= 1 else { throw ValidationError("quota share \(f): must be > 0 and <= 1") }
        let pacer = QuotaPacer(share: f, overrides: overrides)
        let logger = Logger(label: "snap.pace")
        if logger.logLevel <= .info {
            let rates = QuotaCategory.allCases.map { c in "\(c.rawValue) " + String(format: "%.1f/s", (overrides[c] ?? c.defaultRPS) * f) }
            logger.info("pacing Cognito at \(f) of each quota: \(rates.joined(separator: ", "))")
        }
        return pacer
    }

    /// KMS in the region of `keyArn` (else `region`): secrets.enc's key, which create names and restore reads
    /// from the manifest.
    func kms(keyArn: String?, region: String) throws -> KMSClient {
        try KMSClient(
            region: keyArn.flatMap(KMSClient.region(ofKey:)) ?? region, environment: environment, http: http, credentials: poolCredentials)
    }

    func cognito(region: String, http: HTTPClient, pacer: QuotaPacer) throws -> CognitoClient {
        try CognitoClient(
            region: region, environment: environment, http: http, credentials: poolCredentials,
            pacer: pacer)
    }
}
