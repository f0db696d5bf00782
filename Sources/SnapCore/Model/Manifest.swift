import AWS
import Crypto

/// manifest.json, and (with `archive`) the store's `<ID>.json`.
public struct Manifest: Sendable, Equatable {
    /// The format snap writes: 2 adds clients.jsonl, providers.jsonl, resource-servers.jsonl and
    /// config.json (the pool's MFA configuration and domains).
    public static let currentFormat = 2
    /// The formats snap reads: 1 (none of format 2's members) and 2.
    public static let readableFormats = 1...2

    public struct FileInfo: Sendable, Equatable {
        public var sha256: String
        public var bytes: Int64
        public var records: Int
        public init(sha256: String, bytes: Int64, records: Int) {
            self.sha256 = sha256
            self.bytes = bytes
            self.records = records
        }
    }

    public struct Counts: Sendable, Equatable {
        public var users: Int
        public var groups: Int
        public var memberships: Int
        /// Format 2's app clients, identity providers and resource servers; nil in format 1.
        public var clients: Int?
        public var providers: Int?
        public var resourceServers: Int?
        public init(users: Int, groups: Int, memberships: Int, clients: Int? = nil, providers: Int? = nil, resourceServers: Int? = nil) {
            self.users = users
            self.groups = groups
            self.memberships = memberships
            self.clients = clients
            self.providers = providers
            self.resourceServers = resourceServers
        }
    }

    public struct PoolInfo: Sendable, Equatable {
        public var id: String
        public var name: String
        public var region: String
    }

    public struct ArchiveInfo: Sendable, Equatable {
        public var sha256: String
        public var bytes: Int64
    }

    /// 2 when the snapshot holds format 2's members (`files` lists config.json), else 1.
    public var format: Int = Manifest.currentFormat
    public var id: SnapshotID
    public var createdAt: String
    public var userPool: PoolInfo
    public var counts: Counts
    public var files: [Member: FileInfo]
    public var previous: SnapshotID?
    public var changes: ChangeSummary?
    public var warnings: [String]
    public var tool: String
    public var archive: ArchiveInfo?
    /// How the export went (restarts, throttling); absent in manifests written before it existed.
    public var stats: Stats?
    /// How the snapshot was taken (`--with-mfa`); absent when every option had its default.
    public var options = SnapshotOptions()
    /// `create --with-secrets`: how secrets.enc was sealed and its digest; nil when the archive has no secrets.enc.
    public var secrets: SecretsInfo?
    /// SHA-256 (hex) of the previous snapshot's stored manifest (its `.json`, canonical bytes): the chain
    /// `verify --chain` walks. Absent for the first snapshot, and in snapshots made before the chain existed.
    public var previousDigest: String?
    /// `create --sign`: `{"alg","key","value"}` over the `.json`'s canonical bytes without this field. Only
    /// the stored `.json` carries it (the archive's own manifest.json is written before the archive's digest
    /// is known).
    public var signature: JSONValue?
    /// SHA-256 (hex) of this manifest's canonical bytes as read (or as `json` writes them): what the next
    /// snapshot's `previousDigest` names. Not a field of the manifest.
    public var digest: String {
        Hex.encode(SHA256.hash(data: json.canonicalData()))
    }

    /// The bytes a signature covers: the canonical form of `json` without `signature`.
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        return [UInt8](unsigned.json.canonicalData())
    }

    public var json: JSONValue {
        var files: [String: JSONValue] = [:]
        for (m, f) in self.files {
            files[m.rawValue] = ["sha256": .string(f.sha256), "bytes": .number(String(f.bytes)), "records": .int(f.records)]
        }
        var o: [String: JSONValue] = [
            "format": .int(format),
            "id": .string(id.value),
            "createdAt": .string(createdAt),
            "userPool": ["id": .string(userPool.id), "name": .string(userPool.name), "region": .string(userPool.region)],
            "counts": counts.json,
            "files": .object(files),
            "warnings": .array(warnings.map { .string($0) }),
            "tool": .string(tool),
        ]
        if let previous { o["previous"] = .string(previous.value) }
        if let changes { o["changes"] = changes.json }
        if let stats { o["stats"] = stats.json }
        if !options.isDefault { o["options"] = options.json }
        if let secrets { o["secrets"] = secrets.json }
        if let archive { o["archive"] = ["sha256": .string(archive.sha256), "bytes": .number(String(archive.bytes))] }
        if let previousDigest { o["previousDigest"] = .string(previousDigest) }
        if let signature { o["signature"] = signature }
        return .object(o)
    }

    /// Reads a manifest, refusing formats this version does not know.
    public init(json: JSONValue, source: String) throws(SnapError) {
        func bad(_ what: String) -> SnapError { .badManifest(source: source, reason: what) }
        guard let format = json["format"]?.intValue else { throw bad("no \"format\"") }
        guard Manifest.readableFormats.contains(format) else {
            throw bad(
                "format \(format) is not one this snap reads (it reads formats \(Manifest.readableFormats.lowerBound) to \(Manifest.readableFormats.upperBound)); upgrade snap"
            )
        }
        guard let idText = json["id"]?.stringValue, let id = SnapshotID(idText) else { throw bad("no valid \"id\"") }
        guard let createdAt = json["createdAt"]?.stringValue else { throw bad("no \"createdAt\"") }
        guard let pool = json["userPool"], let pid = pool["id"]?.stringValue else { throw bad("no \"userPool.id\"") }
        guard let counts = json["counts"], let cu = counts["users"]?.intValue, let cg = counts["groups"]?.intValue,
            let cm = counts["memberships"]?.intValue
        else { throw bad("no valid \"counts\"") }
        guard let filesObj = json["files"]?.objectValue else { throw bad("no \"files\"") }
        var files: [Member: FileInfo] = [:]
        for member in Member.data(format: format) {
            guard let f = filesObj[member.rawValue] else {
                throw bad("\"files\" does not list \(member.rawValue), a member of every format-\(format) snapshot")
            }
            guard let sha = f["sha256"]?.stringValue, let bytes = f["bytes"]?.intValue, let records = f["records"]?.intValue else {
                throw bad("\"files\".\(member.rawValue) lacks sha256, bytes or records")
            }
            files[member] = FileInfo(sha256: sha, bytes: Int64(bytes), records: records)
        }
        self.format = format
        self.id = id
        self.createdAt = createdAt
        self.userPool = PoolInfo(id: pid, name: pool["name"]?.stringValue ?? "", region: pool["region"]?.stringValue ?? "")
        var parsed = Counts(users: cu, groups: cg, memberships: cm)
        if format >= 2 {
            guard let cc = counts["clients"]?.intValue, let cp = counts["providers"]?.intValue,
                let cr = counts["resourceServers"]?.intValue
            else { throw bad("no valid \"counts\": format 2 counts clients, providers and resourceServers") }
            parsed.clients = cc
            parsed.providers = cp
            parsed.resourceServers = cr
        }
        self.counts = parsed
        self.files = files
        self.previous = json["previous"]?.stringValue.flatMap(SnapshotID.init)
        self.changes = json["changes"].flatMap(ChangeSummary.init(json:))
        self.warnings = json["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.tool = json["tool"]?.stringValue ?? ""
        self.stats = json["stats"].flatMap(Stats.init(json:))
        if let options = json["options"] { self.options = SnapshotOptions(json: options) }
        if let s = json["secrets"] {
            guard let info = SecretsInfo(json: s) else {
                throw bad("\"secrets\" lacks a kmsKeyArn, a base64 encryptedDataKey or a sha256")
            }
            self.secrets = info
        }
        if let a = json["archive"], let sha = a["sha256"]?.stringValue, let bytes = a["bytes"]?.intValue {
            self.archive = ArchiveInfo(sha256: sha, bytes: Int64(bytes))
        }
        if let d = json["previousDigest"] {
            guard let hex = d.stringValue, hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
            else { throw bad("\"previousDigest\" is not a SHA-256 in lowercase hex") }
            self.previousDigest = hex
        }
        if let sig = json["signature"] {
            guard sig["alg"]?.stringValue != nil, sig["key"]?.stringValue != nil, sig["value"]?.stringValue != nil else {
                throw bad("\"signature\" lacks alg, key or value")
            }
            self.signature = sig
        }
    }

    /// A stored `.json`: also refused when it is not the manifest of the snapshot and pool its name says
    /// (an older manifest put under a newer ID, or another pool's).
    public init(data: [UInt8], source: String, named id: SnapshotID, pool: String) throws(SnapError) {
        try self.init(data: data, source: source)
        guard self.id == id else {
            throw SnapError.badManifest(
                source: source, reason: "it is the manifest of \(self.id.value), stored under the name of \(id.value): moved or forged")
        }
        guard userPool.id == pool else {
            throw SnapError.badManifest(source: source, reason: "it is a manifest of pool \(userPool.id), stored in the folder of \(pool)")
        }
    }

    public init(data: [UInt8], source: String) throws(SnapError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes: data) } catch {
            throw SnapError.badManifest(source: source, reason: "\(error)")
        }
        try self.init(json: value, source: source)
    }

    public init(
        id: SnapshotID, createdAt: String, userPool: PoolInfo, counts: Counts, files: [Member: FileInfo],
        previous: SnapshotID?, changes: ChangeSummary?, warnings: [String], tool: String
    ) {
        self.id = id
        self.createdAt = createdAt
        self.userPool = userPool
        self.counts = counts
        self.files = files
        self.previous = previous
        self.changes = changes
        self.warnings = warnings
        self.tool = tool
        self.format = files[.config] == nil ? 1 : 2
        // A format-2 manifest counts format 2's records; where the caller gave no count, the member's own is it.
        if format >= 2 {
            self.counts.clients = counts.clients ?? files[.clients]?.records
            self.counts.providers = counts.providers ?? files[.providers]?.records
            self.counts.resourceServers = counts.resourceServers ?? files[.resourceServers]?.records
        }
    }
}

extension Manifest.Counts {
    public var json: JSONValue {
        var o: [String: JSONValue] = ["users": .int(users), "groups": .int(groups), "memberships": .int(memberships)]
        if let clients { o["clients"] = .int(clients) }
        if let providers { o["providers"] = .int(providers) }
        if let resourceServers { o["resourceServers"] = .int(resourceServers) }
        return .object(o)
    }
}

extension Manifest {
    /// Events of the export worth keeping with the snapshot: how the user
    /// listing was split and restarted, and how much Cognito throttled it.
    public struct Stats: Sendable, Equatable {
        /// `sub ^=` prefixes the user listing was split into at the start.
        public var userShards = 0
        /// Shards listed again because Cognito refused their pagination token.
        public var shardRestarts = 0
        /// Group member listings started again for the same reason.
        public var groupRestarts = 0
        /// Cognito requests sent, and how many were throttled (TooManyRequests).
        public var requests = 0
        public var throttled = 0
        /// Times the pacer cut a rate, and the lowest UserList pace reached (requests per second, 2 decimals).
        public var rateCuts = 0
        public var lowestUserListRate = 0.0

        public init() {}

        static let fields = ["userShards", "shardRestarts", "groupRestarts", "requests", "throttled", "rateCuts"]

        public var json: JSONValue {
            let ints = [userShards, shardRestarts, groupRestarts, requests, throttled, rateCuts]
            var o: [String: JSONValue] = [:]
            for (k, v) in zip(Self.fields, ints) { o[k] = .int(v) }
            o["lowestUserListRate"] = .number(String(format: "%.2f", lowestUserListRate))
            return .object(o)
        }

        /// Reads what it knows and ignores the rest, so newer snaps can add counters.
        public init?(json: JSONValue) {
            guard json.objectValue != nil else { return nil }
            userShards = json["userShards"]?.intValue ?? 0
            shardRestarts = json["shardRestarts"]?.intValue ?? 0
            groupRestarts = json["groupRestarts"]?.intValue ?? 0
            requests = json["requests"]?.intValue ?? 0
            throttled = json["throttled"]?.intValue ?? 0
            rateCuts = json["rateCuts"]?.intValue ?? 0
            lowestUserListRate = json["lowestUserListRate"]?.doubleValue ?? 0
        }
    }
}

extension Manifest {
    /// Where `counts` disagree with the record counts `files` gives its
    /// members, or nil. Reading a copy proves each member holds its `files`
    /// count, so with this the counts shown by `list` and restore are proven too.
    public var countsProblem: String? {
        let stated: [(name: String, count: Int?, member: Member)] = [
            ("users", counts.users, .users), ("groups", counts.groups, .groups), ("memberships", counts.memberships, .memberships),
            ("clients", counts.clients, .clients), ("providers", counts.providers, .providers),
            ("resourceServers", counts.resourceServers, .resourceServers),
        ]
        for s in stated {
            if let records = files[s.member]?.records, let count = s.count, records != count {
                return
                    "its counts say \(count) \(s.name), but \(s.member.rawValue) holds \(records) records (files.\(s.member.rawValue).records)"
            }
        }
        return nil
    }
}
