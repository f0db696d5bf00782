import AWS
import Foundation

/// Reads a live pool into sorted, self-consistent member files.
///
/// Users are listed in `shards` parallel ListUsers scans (`sub ^= "0"` ...
/// `sub ^= "f"`) because one paginated scan cannot reach the UserList quota
/// at Cognito's latency; group members are listed alongside. Everything is
/// spilled through external sorts, so memory does not grow with the pool.
/// A listing is not atomic: a membership naming a user the user listing did
/// not see is reconciled with AdminGetUser, or left out with a warning.
public struct Exporter: Sendable {
    public let cognito: CognitoClient
    public let poolId: String
    public let shards: Int
    public let runLimit: Int

    public init(cognito: CognitoClient, poolId: String, shards: Int = 16, runLimit: Int = 200_000) {
        self.cognito = cognito
        self.poolId = poolId
        self.shards = shards
        self.runLimit = runLimit
    }

    public func run(workDirectory dir: String, progress: (@Sendable (ExportProgress) -> Void)? = nil) async throws -> ExportResult {
        let tracker = ProgressTracker(report: progress)
        let rawPool: JSONValue
        do {
            rawPool = try await cognito.describeUserPool(poolId)
        } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
            throw SnapError.poolNotFound(pool: poolId, region: cognito.region)
        }
        let poolJSON = Self.stableConfiguration(rawPool)
        let poolInfo = Manifest.PoolInfo(id: poolId, name: rawPool["Name"]?.stringValue ?? "", region: cognito.region)

        let users = ExternalSorter(directory: try Self.makeDir(dir, "users-sort"), runLimit: runLimit)
        let byUser = ExternalSorter(directory: try Self.makeDir(dir, "members-by-user"), runLimit: runLimit)

        // Users and groups+memberships are listed at the same time; the pacer keeps both within the quota.
        async let usersDone: Void = listUsers(into: users, tracker: tracker)
        let groups = try await listGroups(tracker: tracker)
        try await listMemberships(groups: groups, into: byUser, tracker: tracker)
        try await usersDone

        // users.jsonl, from the sorted listing.
        let usersFile = try MemberFile(member: .users, directory: dir)
        try users.drain { _, line in try usersFile.writeLine(line) }
        var usersInfo = try usersFile.finish()

        // Memberships: join (sorted by user) against users.jsonl, re-sort by group.
        let byGroup = ExternalSorter(directory: try Self.makeDir(dir, "members-by-group"), runLimit: runLimit)
        var missing: [String: [String]] = [:]  // username -> groups
        var usersReader = try SortedLineCursor(path: usersFile.path, key: { try Self.usernameKey($0) })
        try byUser.drain { key, _ in
            let (username, group) = Self.splitKey(key)
            if try usersReader.seek(to: Array(username.utf8)) {
                try byGroup.add(key: group + "\u{0}" + username, line: [])
            } else {
                missing[username, default: []].append(group)
            }
        }

        var warnings: [String] = []
        if !missing.isEmpty {
            var extra: [UserRecord] = []
            for (username, groupNames) in missing.sorted(by: { JSONValue.utf8Less($0.key, $1.key) }) {
                if let fetched = try await cognito.adminGetUser(poolId, username: username) {
                    var user = try UserRecord(cognito: fetched)
                    user.username = username
                    extra.append(user)
                    for g in groupNames { try byGroup.add(key: g + "\u{0}" + username, line: []) }
                } else {
                    warnings.append(
                        "user \(username) was deleted during the export; left out its memberships in \(groupNames.joined(separator: ", "))")
                }
            }
            if !extra.isEmpty {
                usersInfo = try Self.mergeUsers(into: usersFile.path, extra: extra, directory: dir)
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

        return ExportResult(
            pool: poolInfo,
            files: [.pool: poolFileInfo, .groups: groupsInfo, .users: usersInfo, .memberships: membershipsInfo],
            paths: [.pool: poolFile.path, .groups: groupsFile.path, .users: usersFile.path, .memberships: membershipsFile.path],
            counts: Manifest.Counts(users: usersInfo.records, groups: groupsInfo.records, memberships: membershipsInfo.records),
            warnings: warnings)
    }

    /// The pool's configuration less the counters that move without a configuration change.
    static func stableConfiguration(_ pool: JSONValue) -> JSONValue {
        guard var o = pool.objectValue else { return pool }
        o["EstimatedNumberOfUsers"] = nil
        return .object(o)
    }

    private func listUsers(into sink: ExternalSorter, tracker: ProgressTracker) async throws {
        let filters: [String?] = shards <= 1 ? [nil] : Array("0123456789abcdef".prefix(min(16, shards)).map { "sub ^= \"\($0)\"" })
        // With fewer than 16 shards the hex digits are split unevenly; 1 or 16 are the sensible values.
        let effective: [String?] = (shards > 1 && shards < 16) ? [nil] : filters
        try await withThrowingTaskGroup(of: Void.self) { group in
            for filter in effective {
                group.addTask {
                    var token: String?
                    repeat {
                        let page = try await cognito.listUsers(poolId, paginationToken: token, filter: filter)
                        for item in page.items {
                            let user = try UserRecord(cognito: item)
                            try sink.add(key: user.username, line: Array(user.json.canonicalData()))
                        }
                        await tracker.add(users: page.items.count)
                        token = page.next
                    } while token != nil
                }
            }
            try await group.waitForAll()
        }
    }

    private func listGroups(tracker: ProgressTracker) async throws -> [GroupRecord] {
        var groups: [String: GroupRecord] = [:]
        var token: String?
        repeat {
            let page = try await cognito.listGroups(poolId, nextToken: token)
            for item in page.items {
                let g = try GroupRecord(cognito: item)
                groups[g.name] = g
            }
            await tracker.add(groups: page.items.count)
            token = page.next
        } while token != nil
        return groups.values.sorted { JSONValue.utf8Less($0.name, $1.name) }
    }

    private func listMemberships(groups: [GroupRecord], into sink: ExternalSorter, tracker: ProgressTracker) async throws {
        try await withThrowingTaskGroup(of: Void.self) { taskGroup in
            var next = groups.makeIterator()
            // A few groups at a time: the UserList budget is shared with the user scan.
            for _ in 0..<4 {
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

    private func listMembers(of group: String, into sink: ExternalSorter, tracker: ProgressTracker) async throws {
        var token: String?
        repeat {
            let page: CognitoClient.Page
            do {
                page = try await cognito.listUsersInGroup(poolId, group: group, nextToken: token)
            } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                return  // deleted during the export: it was listed, it simply has no members now
            }
            for item in page.items {
                guard let username = item["Username"]?.stringValue else { continue }
                try sink.add(key: username + "\u{0}" + group, line: [])
            }
            await tracker.add(memberships: page.items.count)
            token = page.next
        } while token != nil
    }

    static func splitKey(_ key: [UInt8]) -> (String, String) {
        guard let z = key.firstIndex(of: 0) else { return (String(decoding: key, as: UTF8.self), "") }
        return (String(decoding: key[..<z], as: UTF8.self), String(decoding: key[(z + 1)...], as: UTF8.self))
    }

    static func usernameKey(_ line: [UInt8]) throws -> [UInt8] {
        guard let name = try JSONParser.parse(bytes: line)["username"]?.stringValue else {
            throw SnapError.io(path: "users work file", reason: "record without username")
        }
        return Array(name.utf8)
    }

    static func makeDir(_ base: String, _ name: String) throws -> String {
        let path = "\(base)/\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// Rewrites users.jsonl with users fetched late merged in, in order.
    static func mergeUsers(into path: String, extra: [UserRecord], directory: String) throws -> Manifest.FileInfo {
        let sorter = ExternalSorter(directory: try makeDir(directory, "users-merge"))
        var cursor = try SortedLineCursor(path: path, key: usernameKey)
        while let (key, line) = try cursor.next() { try sorter.add(key: String(decoding: key, as: UTF8.self), line: line) }
        for u in extra { try sorter.add(key: u.username, line: Array(u.json.canonicalData())) }
        try FileManager.default.removeItem(atPath: path)
        let out = try MemberFile(member: .users, directory: directory)
        try sorter.drain { _, line in try out.writeLine(line) }
        return try out.finish()
    }
}

/// Tallies progress from concurrent tasks.
actor ProgressTracker {
    private var state = ExportProgress()
    private let report: (@Sendable (ExportProgress) -> Void)?
    init(report: (@Sendable (ExportProgress) -> Void)?) { self.report = report }
    func add(users: Int = 0, groups: Int = 0, memberships: Int = 0) {
        state.users += users
        state.groups += groups
        state.memberships += memberships
        state.requests += 1
        report?(state)
    }
}
