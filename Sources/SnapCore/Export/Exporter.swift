import AWS
import Foundation

/// Reads a live pool into sorted, self-consistent member files.
///
/// Users are listed in parallel ListUsers scans split by `sub ^=` prefix
/// (`ShardPlan`: 16, 256 or 4,096 shards, sized from EstimatedNumberOfUsers so
/// each scan ends well inside its pagination token's life), a bounded number
/// at a time; group members are listed alongside. A scan whose token Cognito
/// refuses (InvalidParameterException on a request carrying a token) starts
/// again, split into 16 narrower shards while it can be; what it already
/// read is simply read again and deduplicated by username in the sort. It
/// restarts at most `maxRestarts` times, then the export fails saying so.
/// Everything is spilled through external sorts, so memory does not grow
/// with the pool. A listing is not atomic: a membership naming a user the
/// user listing did not see is reconciled with AdminGetUser, or left out
/// with a warning.
public struct Exporter: Sendable {
    public let cognito: CognitoClient
    public let poolId: String
    /// Forced prefix length (0: one unfiltered scan; 1, 2, 3: 16, 256, 4,096 shards); nil chooses from the pool's size.
    public let prefixLength: Int?
    public let concurrency: Int
    /// Group member listings at once.
    public let groupConcurrency = 8
    /// How long Cognito's pagination tokens live (one hour); a simulator may shorten it.
    public let tokenLife: Duration
    public let maxRestarts: Int
    public let runBytes: Int
    public let fanIn: Int
    /// Check the work folder's free space against the estimated user count first.
    public let checkScratch: Bool
    /// `--with-mfa`: read every user's MFA settings with AdminGetUser (`MFAFetcher`).
    public var withMFA = false
    /// `--with-secrets`: keep the secrets the configuration members hold redacted, for secrets.enc (`ExportResult.secrets`).
    public var withSecrets = false
    /// Told before the export starts: what `--with-mfa` costs.
    public var log: (@Sendable (String) -> Void)?

    public init(
        cognito: CognitoClient, poolId: String, prefixLength: Int? = nil, concurrency: Int = 16, tokenLife: Duration = .seconds(3600),
        maxRestarts: Int = 3, runBytes: Int = 32 << 20, fanIn: Int = 64, checkScratch: Bool = true
    ) {
        self.cognito = cognito
        self.poolId = poolId
        self.prefixLength = prefixLength
        self.concurrency = max(1, concurrency)
        self.tokenLife = tokenLife
        self.maxRestarts = max(0, maxRestarts)
        self.runBytes = runBytes
        self.fanIn = fanIn
        self.checkScratch = checkScratch
    }

    private var pacer: QuotaPacer? { cognito.sender.pacer }
    /// Names this export refuses (U+0000); an Exporter runs one export.
    private let refused = RefusedNames()
    /// DescribeUserPool's estimate, for the need a full disk's error names.
    private let estimatedUsers = EstimatedUsers()

    /// A full disk met mid-way names the need as the pre-check would have.
    public func run(workDirectory dir: String, progress: (@Sendable (ExportProgress) -> Void)? = nil) async throws -> ExportResult {
        do {
            return try await export(workDirectory: dir, progress: progress)
        } catch let e as SnapError {
            throw e.withNeed(ScratchSpace.need(users: estimatedUsers.value))
        }
    }

    private func export(workDirectory dir: String, progress: (@Sendable (ExportProgress) -> Void)?) async throws -> ExportResult {
        let tracker = ProgressTracker(report: progress, pacer: pacer)
        let rawPool: JSONValue
        do {
            rawPool = try await cognito.describeUserPool(poolId)
        } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
            throw SnapError.poolNotFound(pool: poolId, region: cognito.region)
        }
        let poolJSON = Self.stableConfiguration(rawPool)
        // Format 2's config.json: the MFA factors, which DescribeUserPool does not give (issue 20, item 4).
        // A refusal (an IAM policy without cognito-idp:GetUserPoolMfaConfig) fails the create, naming the action:
        // a snapshot that left the factors out would be restored as a pool without them.
        let mfa = try await cognito.getUserPoolMfaConfig(poolId)
        // The rest of format 2 (issue 21): app clients, identity providers, resource servers, domains. Read before the
        // user listing, so a policy lacking one of their actions fails the create at once, not after hours of listing.
        let configuration = try await ConfigurationReader(cognito: cognito, poolId: poolId, capturesSecrets: withSecrets)
            .read(pool: rawPool)
        let config = ConfigurationRecords.configuration(
            mfa: mfa, domain: configuration.domain, customDomain: configuration.customDomain, settings: configuration.settings)
        let poolInfo = Manifest.PoolInfo(id: poolId, name: rawPool["Name"]?.stringValue ?? "", region: cognito.region)
        let estimated = rawPool["EstimatedNumberOfUsers"]?.intValue ?? 0
        estimatedUsers.value = estimated
        if checkScratch { try ScratchSpace.check(path: dir, users: estimated) }
        let rate = await pacer?.rate(of: .userList) ?? QuotaCategory.userList.defaultRPS
        let plan = ShardPlan.make(
            estimatedUsers: estimated, pagesPerSecond: rate, tokenLife: QuotaPacer.seconds(tokenLife), concurrency: concurrency,
            forcedLength: prefixLength)
        await tracker.planned(shards: plan.shardCount, estimatedUsers: estimated)
        if withMFA, let log {
            let rate = await pacer?.rate(of: .userRead) ?? QuotaCategory.userRead.defaultRPS
            let seconds = MFAFetcher.estimatedSeconds(users: estimated, rate: rate)
            log(
                "--with-mfa: one AdminGetUser per user, about \(estimated) users at "
                    + String(format: "%.1f", rate)
                    + "/s (the UserRead quota × --quota-share): about \(DurationText.format(.seconds(Int64(seconds.rounded(.up))))) on top of the listing"
            )
        }

        let users = try sorter(dir, "users-sort")
        let byUser = try sorter(dir, "members-by-user")

        // Users and groups+memberships are listed at the same time; the pacer keeps both within the quota.
        async let usersDone: Void = listUsers(plan: plan, into: users, tracker: tracker)
        let groups = try await listGroups(tracker: tracker)
        try await listMemberships(groups: groups, into: byUser, tracker: tracker)
        try await usersDone

        // users.jsonl, from the sorted listing (a user read twice is kept once).
        let usersFile = try MemberFile(member: .users, directory: dir)
        try users.drain { _, line in try usersFile.writeLine(line) }
        var usersInfo = try usersFile.finish()
        var warnings: [String] = refused.warnings + configuration.warnings
        if withMFA {
            let fetcher = MFAFetcher(
                cognito: cognito, poolId: poolId, inFlight: RestoreExecutor.workers(rate: await pacer?.rate(of: .userRead) ?? 96))
            let mfa = try await fetcher.enrich(usersAt: usersFile.path, workDirectory: dir, tracker: tracker)
            usersInfo = mfa.info
            if let w = MFAFetcher.warning(mfa) { warnings.append(w) }
        }

        // Memberships: join (sorted by user) against users.jsonl, re-sort by group.
        let byGroup = try sorter(dir, "members-by-group")
        var missing: [String: [String]] = [:]  // username -> groups
        var usersReader = try SortedLineCursor(path: usersFile.path, key: Self.usernameKeys())
        try byUser.drain { key, _ in
            let (username, group) = Self.splitKey(key)
            if try usersReader.seek(to: Array(username.utf8)) {
                try byGroup.add(key: group + "\u{0}" + username, line: [])
            } else {
                missing[username, default: []].append(group)
            }
        }

        if !missing.isEmpty {
            var extra: [UserRecord] = []
            for (username, groupNames) in missing.sorted(by: { JSONValue.utf8Less($0.key, $1.key) }) {
                if let fetched = try await cognito.adminGetUser(poolId, username: username) {
                    var user = try UserRecord(cognito: fetched)
                    user.username = username
                    // Read with AdminGetUser already: its MFA settings come with it.
                    if withMFA { user.mfa = try MFASettings(cognito: fetched, username: username) }
                    extra.append(user)
                    for g in groupNames { try byGroup.add(key: g + "\u{0}" + username, line: []) }
                } else {
                    warnings.append(
                        "user \(username) was deleted during the export; left out its memberships in \(groupNames.joined(separator: ", "))")
                }
            }
            if !extra.isEmpty {
                usersInfo = try mergeUsers(into: usersFile.path, extra: extra, directory: dir)
                warnings.append("\(extra.count) user(s) created during the export were fetched again and included")
            }
        }

        let membershipsFile = try MemberFile(member: .memberships, directory: dir)
        try byGroup.drain { key, _ in
            let (group, username) = Self.splitKey(key)
            try membershipsFile.writeLine(Array(MembershipRecord(group: group, username: username).json.canonicalData()))
        }
        let membershipsInfo = try membershipsFile.finish()

        let groupsFile = try MemberFile(member: .groups, directory: dir)
        for g in groups { try groupsFile.writeLine(Array(g.json.canonicalData())) }
        let groupsInfo = try groupsFile.finish()

        let poolFile = try MemberFile(member: .pool, directory: dir)
        try poolFile.writeDocument(Array(poolJSON.canonicalData()))
        let poolFileInfo = try poolFile.finish()

        var files: [Member: Manifest.FileInfo] = [
            .pool: poolFileInfo, .groups: groupsInfo, .users: usersInfo, .memberships: membershipsInfo,
        ]
        var paths: [Member: String] = [
            .pool: poolFile.path, .groups: groupsFile.path, .users: usersFile.path, .memberships: membershipsFile.path,
        ]
        let lines: [(Member, [JSONValue])] = [
            (.clients, configuration.clients), (.providers, configuration.providers), (.resourceServers, configuration.resourceServers),
        ]
        for (member, records) in lines {
            let file = try MemberFile(member: member, directory: dir)
            for r in records { try file.writeLine(Array(r.canonicalData())) }
            files[member] = try file.finish()
            paths[member] = file.path
        }

        let configFile = try MemberFile(member: .config, directory: dir)
        try configFile.writeDocument(Array(config.canonicalData()))
        files[.config] = try configFile.finish()
        paths[.config] = configFile.path

        return ExportResult(
            pool: poolInfo, files: files, paths: paths,
            counts: Manifest.Counts(
                users: usersInfo.records, groups: groupsInfo.records, memberships: membershipsInfo.records,
                clients: configuration.clients.count, providers: configuration.providers.count,
                resourceServers: configuration.resourceServers.count),
            warnings: warnings, stats: await tracker.stats(), options: SnapshotOptions(withMFA: withMFA),
            secrets: withSecrets ? configuration.secrets : nil)
    }

    /// The pool's configuration less the counters that move without a configuration change.
    static func stableConfiguration(_ pool: JSONValue) -> JSONValue {
        guard var o = pool.objectValue else { return pool }
        o["EstimatedNumberOfUsers"] = nil
        return .object(o)
    }

    private func sorter(_ dir: String, _ name: String) throws -> ExternalSorter {
        ExternalSorter(directory: try Self.makeDir(dir, name), runBytes: runBytes, fanIn: fanIn)
    }

    /// One user scan: a `sub ^=` prefix ("" for none) and how often its lineage restarted.
    struct Shard: Sendable {
        var prefix: String
        var restarts: Int
        var filter: String? { prefix.isEmpty ? nil : "sub ^= \"\(prefix)\"" }
        var name: String { prefix.isEmpty ? "the user listing" : "the user shard sub ^= \"\(prefix)\"" }

        /// A refused shard starts again as 16 narrower ones while prefixes stay short, else as itself.
        func restarted(maxLength: Int = 3) -> [Shard] {
            guard prefix.count < maxLength else { return [Shard(prefix: prefix, restarts: restarts + 1)] }
            return "0123456789abcdef".map { Shard(prefix: prefix + String($0), restarts: restarts + 1) }
        }
    }

    private func listUsers(plan: ShardPlan, into sink: ExternalSorter, tracker: ProgressTracker) async throws {
        var pending = plan.prefixes.map { Shard(prefix: $0, restarts: 0) }[...]
        try await withThrowingTaskGroup(of: [Shard].self) { group in
            var running = 0
            while true {
                while running < plan.concurrency, let shard = pending.popFirst() {
                    group.addTask { try await listShard(shard, into: sink, tracker: tracker) }
                    running += 1
                }
                guard let more = try await group.next() else { break }
                running -= 1
                pending.append(contentsOf: more)
            }
        }
    }

    /// Lists one shard to its end; returns the shards to run instead when Cognito refused its token.
    private func listShard(_ shard: Shard, into sink: ExternalSorter, tracker: ProgressTracker) async throws -> [Shard] {
        var token: String?
        repeat {
            let page: (users: [Result<UserRecord, ModelError>], next: String?)
            do {
                page = try await cognito.listUsers(poolId, paginationToken: token, filter: shard.filter, user: UserRecord.read(cognito:))
            } catch let AWSError.service(e) where e.code == "InvalidParameterException" && token != nil {
                guard shard.restarts < maxRestarts else {
                    throw SnapError.listingRefused(
                        pool: poolId, listing: shard.name, restarts: shard.restarts, reason: "\(e.code): \(e.message)")
                }
                await tracker.restarted(group: false)
                return shard.restarted()
            }
            for item in page.users {
                let user = try item.get()
                if refused.refuseUser(user.username) { continue }
                try sink.add(key: user.username, line: user.canonicalLine())
            }
            await tracker.listedUsers(page.users.count)
            token = page.next
        } while token != nil
        return []
    }

    /// Every group; a refused token (whatever its words) starts the listing again (groups are kept by name).
    private func listGroups(tracker: ProgressTracker) async throws -> [GroupRecord] {
        var groups: [String: GroupRecord] = [:]
        var token: String?
        var restarts = 0
        while true {
            let page: CognitoClient.Page
            do {
                page = try await cognito.listGroups(poolId, nextToken: token)
            } catch let AWSError.service(e) where e.code == "InvalidParameterException" && token != nil {
                guard restarts < maxRestarts else {
                    throw SnapError.listingRefused(
                        pool: poolId, listing: "the group listing", restarts: restarts, reason: "\(e.code): \(e.message)")
                }
                restarts += 1
                await tracker.restarted(group: true)
                token = nil
                continue
            }
            for item in page.items {
                let g = try GroupRecord(cognito: item)
                if refused.refuseGroup(g.name) { continue }
                groups[g.name] = g
            }
            await tracker.add(groups: page.items.count)
            guard let next = page.next else { break }
            token = next
        }
        return groups.values.sorted { JSONValue.utf8Less($0.name, $1.name) }
    }

    private func listMemberships(groups: [GroupRecord], into sink: ExternalSorter, tracker: ProgressTracker) async throws {
        try await withThrowingTaskGroup(of: Void.self) { taskGroup in
            var next = groups.makeIterator()
            // Groups at a time: the pacer shares the UserList budget with the user scan. A group's pages come one
            // after another, so a group listed last alone ends the export at one page per round trip: 8 at
            // once keeps that tail short (measured: with 4, the last ~6% of a 1M-user listing ran at a quarter pace).
            for _ in 0..<groupConcurrency {
                guard let g = next.next() else { break }
                taskGroup.addTask { try await listMembers(of: g.name, into: sink, tracker: tracker) }
            }
            while try await taskGroup.next() != nil {
                if let g = next.next() {
                    taskGroup.addTask { try await listMembers(of: g.name, into: sink, tracker: tracker) }
                }
            }
        }
    }

    /// A group's members; a refused token starts the group again (members are deduplicated in the sort). A group
    /// cannot be split like a user shard, so a refusal met while Cognito throttled or the pacer recovers from it
    /// (the pass was slowed, not too long) does not count against `maxRestarts`, up to ten times as many such restarts.
    private func listMembers(of group: String, into sink: ExternalSorter, tracker: ProgressTracker) async throws {
        var token: String?
        var restarts = 0
        var throttledRestarts = 0
        while true {
            let page: CognitoClient.Page
            do {
                page = try await cognito.listUsersInGroup(poolId, group: group, nextToken: token)
            } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                return  // deleted during the export: it was listed, it simply has no members now
            } catch let AWSError.service(e) where e.code == "InvalidParameterException" && token != nil {
                // Slowed: throttled lately, or the pacer still below its ceiling after throttling cut it.
                let pace = await pacer?.snapshot(of: .userList)
                let slowed = pace.map { $0.throttledRecently || $0.rate < $0.ceiling * 0.9 } ?? false
                if slowed && throttledRestarts < maxRestarts * 10 {
                    throttledRestarts += 1
                    await tracker.restarted(group: true)
                    token = nil
                    continue
                }
                guard restarts < maxRestarts else {
                    throw SnapError.listingRefused(
                        pool: poolId, listing: "the members of group \(group)", restarts: restarts, reason: "\(e.code): \(e.message)")
                }
                restarts += 1
                await tracker.restarted(group: true)
                token = nil
                continue
            }
            for item in page.items {
                guard let username = item["Username"]?.stringValue else { continue }
                if refused.refuseMembership(group: group, username: username) { continue }
                try sink.add(key: username + "\u{0}" + group, line: [])
            }
            await tracker.add(memberships: page.items.count)
            guard let next = page.next else { return }
            token = next
        }
    }

    static func splitKey(_ key: [UInt8]) -> (String, String) {
        guard let z = key.firstIndex(of: 0) else { return (String(decoding: key, as: UTF8.self), "") }
        return (String(decoding: key[..<z], as: UTF8.self), String(decoding: key[(z + 1)...], as: UTF8.self))
    }

    static func usernameKey(_ line: [UInt8]) throws -> [UInt8] {
        try usernameKeys()(line)
    }

    /// Reads users.jsonl lines' usernames, for a `SortedLineCursor`: each line is checked as `JSONParser` would
    /// check it, but no tree is built, and one scanner serves every line (issue 22, item 5: a full parse here
    /// cost as much per user as the listing's).
    static func usernameKeys() -> ([UInt8]) throws -> [UInt8] {
        var scanner = JSONLineScanner(first: "username")
        return { line in
            try scanner.scan(line.span)
            guard let name = scanner.first else { throw SnapError.io(path: "users work file", reason: "record without username") }
            return name
        }
    }

    static func makeDir(_ base: String, _ name: String) throws -> String {
        let path = "\(base)/\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// Rewrites users.jsonl with users fetched late merged in, in order.
    func mergeUsers(into path: String, extra: [UserRecord], directory: String) throws -> Manifest.FileInfo {
        let sorter = try sorter(directory, "users-merge")
        var cursor = try SortedLineCursor(path: path, key: Self.usernameKeys())
        while let (key, line) = try cursor.next() { try sorter.add(key: String(decoding: key, as: UTF8.self), line: line) }
        for u in extra { try sorter.add(key: u.username, line: u.canonicalLine()) }
        try FileManager.default.removeItem(atPath: path)
        let out = try MemberFile(member: .users, directory: directory)
        try sorter.drain { _, line in try out.writeLine(line) }
        return try out.finish()
    }
}
