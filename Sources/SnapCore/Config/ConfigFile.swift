import Foundation

/// `snap.toml`: the settings a cron job should not have to repeat.
///
/// ```toml
/// user_pool_id = "eu-west-1_AbCdEf123"
/// region = "eu-west-1"          # optional
/// quota_share = 0.8
/// wait_lock = "5m"
/// work_dir = "/var/tmp/snap"    # scratch space for create (see README)
/// with_mfa = true               # create reads every user's MFA settings (AdminGetUser)
/// secrets = true                # create keeps client and provider secrets in secrets.enc (KMS envelope)
/// secrets_kms_key = "arn:aws:kms:eu-west-1:123456789012:key/…"   # the key secrets.enc's data key comes from
/// [[store]]
/// url = "s3://backups-eu/cognito"
/// sse = "kms:alias/backups"      # optional, this store only
/// expected_bucket_owner = "123456789012"   # optional, this store only
/// object_lock = "governance:35"  # optional: S3 Object Lock retention, this store only
/// [[store]]
/// url = "/var/backups/cognito"
/// [prune]
/// keep_daily = 14
/// keep_monthly = 12
/// [[pool]]                       # the pools `--all` takes (PoolEntry)
/// id = "eu-west-1_AbCdEf123"
/// [pool.prune]
/// keep_daily = 30
/// ```
///
/// Read with a small TOML subset (strings, numbers, booleans, string
/// arrays, `[table]`, `[[store]]`, `[[pool]]`, `[pool.prune]`); anything else, and any unknown key, is an
/// error naming the file and line, so a typo never silently drops a setting.
public struct ConfigFile: Sendable, Equatable {
    public var userPoolId: String?
    public var region: String?
    public var stores: [String] = []
    /// Per-store settings from `[[store]]` tables, by URL.
    public var storeSettings: [String: StoreSettings] = [:]
    public var quotaShare: Double?
    public var quotas: [String: Double] = [:]
    public var waitLock: String?
    /// Where create, prune, sync and restore send their summaries: `sns:TOPIC_ARN`, one or a list.
    public var notify: [String] = []
    /// Scratch space for create's sorts and archive (`--work-dir`).
    public var workDir: String?
    /// create's `--with-mfa`: one AdminGetUser per user for the MFA settings.
    public var withMFA: Bool?
    /// create's `--with-secrets`: keep client and identity-provider secrets in secrets.enc.
    public var secrets: Bool?
    /// create's `--secrets-kms-key`: the KMS key (ARN) secrets.enc's data key is generated under.
    public var secretsKMSKey: String?
    /// The [prune] table: keep_last, keep_hourly, ..., keep_within (a duration string), drop_unchanged.
    public var prune: [String: String] = [:]
    /// `create --sign` (and prune's records): `kms:KEY_ARN` or `hmac:KEY_ARN`; also the key verify and
    /// the signature policy expect signatures to be made with.
    public var sign: String?
    /// `require_signature = true`: restore, diff and cat refuse a snapshot that is unsigned or whose
    /// signature or chain fails (else they warn).
    public var requireSignature: Bool?
    /// The `[[pool]]` tables, in file order: what `--all` takes.
    public var pools: [PoolEntry] = []
    public var path: String = ""

    public init() {}

    public init(path: String) throws(SnapError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SnapError.configuration("config file \(path) cannot be read")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), path: path)
    }

    public init(text: String, path: String) throws(SnapError) {
        self.path = path
        var table = ""
        var pendingStore = StoreSettings()
        func closeStore() {
            if let url = stores.last, !url.isEmpty { storeSettings[url] = pendingStore }
        }
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = index + 1
            func fail(_ why: String) -> SnapError { .configuration("\(path):\(lineNo): \(why)") }
            let line = Self.stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") { closeStore() }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw fail("unclosed [[table]]") }
                table = line.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces)
                switch table {
                case "store":
                    stores.append("")
                    pendingStore = StoreSettings()
                case "pool":
                    var entry = PoolEntry(id: "")
                    entry.origin = "\(path):\(lineNo)"
                    pools.append(entry)
                default: throw fail("unknown table [[\(table)]]; known: [[store]], [[pool]]")
                }
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw fail("unclosed [table]") }
                table = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard table == "quota" || table == "prune" || table == "pool.prune" else {
                    throw fail("unknown table [\(table)]; known: [quota], [prune], [pool.prune], [[store]], [[pool]]")
                }
                if table == "pool.prune" {
                    guard !pools.isEmpty else { throw fail("[pool.prune] belongs after the [[pool]] it is for") }
                    pools[pools.count - 1].prune = [:]
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = try Self.value(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces), fail: fail)
            switch (table, key, value) {
            case ("", "user_pool_id", .string(let s)): userPoolId = s
            case ("", "region", .string(let s)): region = s
            case ("", "wait_lock", .string(let s)): waitLock = s
            case ("", "work_dir", .string(let s)): workDir = s
            case ("", "with_mfa", .bool(let b)): withMFA = b
            case ("", "secrets", .bool(let b)): secrets = b
            case ("", "secrets_kms_key", .string(let s)): secretsKMSKey = s
            case ("", "sign", .string(let s)): sign = try Self.signing(s, fail: fail)
            case ("", "require_signature", .bool(let b)): requireSignature = b
            case ("", "quota_share", .number(let n)): quotaShare = n
            case ("", "notify", .string(let s)): notify = [s]
            case ("", "notify", .strings(let list)): notify = list
            case ("", "stores", .strings(let list)): stores += list
            case ("store", "url", .string(let s)): stores[stores.count - 1] = s
            case ("store", "sse", .string(let s)): pendingStore.sse = s
            case ("store", "object_lock", .string(let s)):
                if case .failure(let e) = ObjectLockSetting.parse(s) { throw fail("\(e)") }
                pendingStore.objectLock = s
            case ("store", "expected_bucket_owner", .string(let s)):
                guard StoreSettings.isAccountId(s) else { throw fail("expected_bucket_owner \"\(s)\": an AWS account id is 12 digits") }
                pendingStore.expectedBucketOwner = s
            case ("quota", _, .number(let n)): quotas[key] = n
            case ("prune", _, _): prune[key] = try Self.pruneSetting(key, value, fail: fail)
            case ("pool.prune", _, _): pools[pools.count - 1].prune?[key] = try Self.pruneSetting(key, value, fail: fail)
            case ("pool", _, _): try Self.set(key, value, on: &pools[pools.count - 1], fail: fail)
            default: throw fail("unknown key \"\(key)\"\(table.isEmpty ? "" : " in [\(table)]") or a value of the wrong type")
            }
        }
        closeStore()
        if stores.contains("") { throw SnapError.configuration("\(path): a [[store]] table has no url") }
        var seen: [String: String] = [:]
        for p in pools {
            guard !p.id.isEmpty else { throw SnapError.configuration("\(p.origin): this [[pool]] table has no id") }
            guard PoolEntry.isPoolId(p.id) else {
                throw SnapError.configuration(
                    "\(p.origin): id \"\(p.id)\" is not a user pool id (expected REGION_ID, e.g. us-east-1_AbCdEf123)")
            }
            if let first = seen[p.id] { throw SnapError.configuration("\(p.origin): pool \(p.id) is already named at \(first)") }
            seen[p.id] = p.origin
        }
    }

    /// `sign = "kms:ARN"` or `"hmac:ARN"`.
    static func signing(_ s: String, fail: (String) -> SnapError) throws(SnapError) -> String {
        guard (s.hasPrefix("kms:arn:") || s.hasPrefix("hmac:arn:")) && s.contains(":kms:") else {
            throw fail("sign \"\(s)\": use kms:KEY_ARN (an asymmetric KMS key) or hmac:KEY_ARN (an HMAC KMS key)")
        }
        return s
    }

    /// One key of a [prune] or [pool.prune] table.
    static func pruneSetting(_ key: String, _ value: Value, fail: (String) -> SnapError) throws(SnapError) -> String {
        switch (key, value) {
        case ("keep_last", .number(let n)), ("keep_hourly", .number(let n)), ("keep_daily", .number(let n)),
            ("keep_weekly", .number(let n)), ("keep_monthly", .number(let n)), ("keep_yearly", .number(let n)):
            guard n >= 0, n == n.rounded() else { throw fail("\(key) must be a whole number >= 0") }
            return String(Int(n))
        case ("keep_within", .string(let d)): return d
        case ("drop_unchanged", .bool(let b)): return String(b)
        default: throw fail("unknown key \"\(key)\" in a prune table or a value of the wrong type")
        }
    }

    /// One key of a [[pool]] table.
    static func set(_ key: String, _ value: Value, on p: inout PoolEntry, fail: (String) -> SnapError) throws(SnapError) {
        switch (key, value) {
        case ("id", .string(let s)): p.id = s
        case ("region", .string(let s)): p.region = s
        case ("stores", .strings(let list)): p.stores = list
        case ("profile", .string(let s)): p.profile = s
        case ("role_arn", .string(let s)):
            guard s.hasPrefix("arn:"), s.contains(":role/") else {
                throw fail("role_arn \"\(s)\": expected arn:aws:iam::ACCOUNT:role/NAME")
            }
            p.roleArn = s
        case ("notify", .string(let s)): p.notify = [s]
        case ("notify", .strings(let list)): p.notify = list
        case ("with_mfa", .bool(let b)): p.withMFA = b
        case ("with_secrets", .bool(let b)): p.withSecrets = b
        case ("expected_bucket_owner", .string(let s)):
            guard StoreSettings.isAccountId(s) else { throw fail("expected_bucket_owner \"\(s)\": an AWS account id is 12 digits") }
            p.expectedBucketOwner = s
        case ("sign", .string(let s)): p.sign = try signing(s, fail: fail)
        case ("prune", _): throw fail("a pool's retention is its own table: [pool.prune] after the [[pool]]")
        default: throw fail("unknown key \"\(key)\" in [[pool]] or a value of the wrong type")
        }
    }

    enum Value { case string(String), number(Double), bool(Bool), strings([String]) }

    static func value(_ text: String, fail: (String) -> SnapError) throws(SnapError) -> Value {
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { throw fail("unterminated string") }
            return .string(unescape(String(text.dropFirst().dropLast())))
        }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw fail("unterminated array (arrays must be on one line)") }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .strings([]) }
            var items: [String] = []
            for part in inner.split(separator: ",") {
                let p = part.trimmingCharacters(in: .whitespaces)
                if p.isEmpty { continue }
                guard case .string(let s) = try value(p, fail: fail) else { throw fail("arrays hold strings only") }
                items.append(s)
            }
            return .strings(items)
        }
        if text == "true" || text == "false" { return .bool(text == "true") }
        if let n = Double(text.replacingOccurrences(of: "_", with: "")) { return .number(n) }
        throw fail("cannot read value \(text)")
    }

    static func stripComment(_ line: String) -> String {
        var inString = false
        var previous: Character = " "
        for (i, c) in line.enumerated() {
            if c == "\"" && previous != "\\" { inString.toggle() }
            if c == "#" && !inString { return String(line.prefix(i)) }
            previous = c
        }
        return line
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
    }

    /// `--config FILE`, else `$SNAP_CONFIG`, else `./snap.toml` when it exists.
    public static func load(flag: String?, environment: [String: String], cwd: String = FileManager.default.currentDirectoryPath)
        throws(SnapError) -> ConfigFile
    {
        if let path = flag ?? environment["SNAP_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try ConfigFile(path: path)
        }
        let local = cwd + "/snap.toml"
        return FileManager.default.fileExists(atPath: local) ? try ConfigFile(path: local) : ConfigFile()
    }
}
