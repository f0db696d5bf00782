import Foundation

/// What went wrong in snap's own layer, naming the snapshot, store, member
/// and line involved, and saying what to do.
public enum SnapError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    case poolNotFound(pool: String, region: String)
    case unknownRef(ref: String, where: String)
    case ambiguousRef(ref: String, candidates: [String])
    case noSnapshots(where: String)
    case badManifest(source: String, reason: String)
    case damaged(source: String, member: String?, reason: String)
    case malformedLine(source: String, member: String, line: Int, reason: String)
    case unsorted(source: String, member: String, line: Int)
    /// A record whose fields are not of the format's types (`RecordShape`).
    case badRecord(source: String, member: String, line: Int, reason: String)
    /// A membership naming a user or group the snapshot lacks (`ConsistencyCheck`).
    case inconsistent(source: String, line: Int, reason: String)
    /// A removal that took the `.json` (the snapshot is gone) but not the archive, left at `left`.
    case partlyRemoved(store: String, snapshot: String, left: String, reason: String)
    case io(path: String, reason: String)
    case lockHeld(store: String, holder: String)
    case storeFailed(store: String, reason: String)
    case interrupted(signal: Int32)
    case lockLost(store: String, reason: String)
    case clockSkew(newest: String, now: String)
    case listingRefused(pool: String, listing: String, restarts: Int, reason: String)
    case scratchSpace(path: String, needBytes: Int64, freeBytes: Int64, users: Int)
    /// A write that met a full disk (ENOSPC, EDQUOT): the file, what it held, the free space there and, when known, the need.
    case noSpace(path: String, writing: String, freeBytes: Int64?, needBytes: Int64?)
    /// `create --with-mfa`: AdminGetUser of one user failed with something other than throttling or "not found".
    case mfaRead(pool: String, username: String, reason: String)
    /// `restore --method import-job`: another import job stayed active longer than snap waits.
    /// KMS refused or failed `operation` (GenerateDataKey, Decrypt) on `key` for `snapshot`'s secrets.
    case secretsKey(key: String, snapshot: String, operation: String, reason: String)
    case importBusy(pool: String, job: String, waited: String, reason: String)
    /// `--sign`: KMS refused or failed `operation` (GetPublicKey, Sign, GenerateMac, Verify, VerifyMac) on `key`,
    /// or the key cannot sign manifests; `reason` says what is needed.
    case signing(key: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let m): return m
        case .poolNotFound(let pool, let region):
            return "user pool \(pool) not found in \(region): check --user-pool-id and --region (or the endpoint)"
        case .unknownRef(let ref, let w):
            return "no snapshot matches \"\(ref)\" in \(w): run `snap list` to see the snapshots"
        case .ambiguousRef(let ref, let c):
            return
                "\"\(ref)\" is ambiguous; it matches \(c.count) snapshots: \(c.prefix(10).joined(separator: ", "))\(c.count > 10 ? ", ..." : ""); give more of the ID"
        case .noSnapshots(let w): return "no snapshots in \(w) yet: run `snap create` first"
        case .badManifest(let s, let r): return "manifest \(s) is not valid: \(r)"
        case .damaged(let s, let m, let r):
            // An archive error already ends with the advice; it is given once.
            let advice = "use another store's copy"
            let where_ = "snapshot \(s)\(m.map { ", member \($0)" } ?? "")"
            return "\(where_) is damaged: \(r)\(r.hasSuffix(advice) ? "" : "; \(advice)") (snap sync repairs it)"
        case .malformedLine(let s, let m, let l, let r):
            return "snapshot \(s), member \(m), line \(l): malformed JSON line: \(r)"
        case .unsorted(let s, let m, let l):
            return
                "snapshot \(s), member \(m), line \(l): records are out of order (the format requires sorted records); the archive was not written by snap or is damaged"
        case .badRecord(let s, let m, let l, let r):
            return
                "snapshot \(s), member \(m), line \(l): \(r); the archive was not written by snap or is damaged: use another store's copy"
        case .inconsistent(let s, let l, let r):
            return
                "snapshot \(s), member memberships.jsonl, line \(l): \(r) (every membership must name a user and a group of the snapshot); the archive was not written by snap or is damaged: use another store's copy"
        case .partlyRemoved(let s, let snapshot, let left, let r):
            return
                "store \(s): removed the .json of \(snapshot), so the snapshot no longer exists, but not its archive \(left): \(r); it is left as debris, which prune removes after the grace period once it is allowed to delete it"
        case .io(let p, let r): return "\(p): \(r)"
        case .lockHeld(let s, let h):
            return "store \(s) is locked by a running snap (\(h)); wait for it or use --wait-lock DURATION"
        case .storeFailed(let s, let r): return "store \(s): \(r)"
        case .interrupted(let signal):
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
            return "interrupted by \(name); nothing more is written"
        case .lockLost(_, let r):
            return
                "lost the lock: \(r); stopped before committing anything more in this store. Another snap ran against it: check that no two schedules overlap"
        case .clockSkew(let newest, let now):
            return
                "the newest snapshot \(newest) is dated after this machine's clock (\(now)): a new snapshot would sort before it. Fix the clock (NTP) on this machine or on the one that wrote \(newest)"
        case .listingRefused(let p, let l, let n, let r):
            return
                "pool \(p), \(l): Cognito refused the pagination token again after \(n) restart(s) (\(r)); the listing outlives the token: raise --quota-share or the UserList quota (--quota UserList=RPS), or run when production traffic is lower"
        case .noSpace(let p, let what, let free, let need):
            let freeText = free.map { "\($0 / 1_000_000) MB free there" } ?? "the free space there cannot be read"
            let needText = need.map { "this run needs about \($0 / 1_000_000) MB" } ?? "an export needs about 2 GB per million users"
            return
                "no space left on the disk writing \(what) to \(p) (\(freeText); \(needText)): free space there or point --work-dir (work_dir in snap.toml) at a larger disk"
        case .scratchSpace(let p, let need, let free, let users):
            return
                "work folder \(p): \(free / 1_000_000) MB free, the export of about \(users) users needs about \(need / 1_000_000) MB: free space there or point --work-dir (work_dir in snap.toml) at a larger disk"
        case .importBusy(let p, let j, let w, let r):
            return
                "pool \(p): \(j) is still running after \(w) (Cognito runs one import job at a time per account and Region: \(r)); wait for it or stop it (aws cognito-idp stop-user-import-job), then run again with --resume, or use --method api"
        case .signing(let k, let op, let r):
            return "signing key \(k), KMS \(op): \(r)"
        case .secretsKey(let k, let snapshot, let op, let r):
            return "secrets of snapshot \(snapshot), KMS \(op) with key \(k): \(r)"
        case .mfaRead(let p, let u, let r):
            return
                "pool \(p), reading the MFA settings of user \(u) (AdminGetUser, --with-mfa): \(r); allow cognito-idp:AdminGetUser for snap's role, or run create without --with-mfa"
        }
    }
}
