import AWS
import Foundation

/// Writes a plan into the target pool: groups, users, passwords and
/// disabling, memberships. Each quota category has its own pool of workers
/// (enough in flight to reach its rate at Cognito's round trip), connected
/// by queues, so creating users, setting passwords and adding memberships
/// overlap; the pacer holds each category to its budget. Every finished
/// write is journaled before anything depends on it.
public struct RestoreExecutor: Sendable {
    public let cognito: CognitoClient
    public let pacer: QuotaPacer
    public let source: RestoreSource
    public let plan: RestorePlan
    public let journal: RestoreJournal
    /// What an earlier run journaled (empty for a fresh restore).
    public let prior: JournalIndex
    public let subMap: SubMapWriter
    public let passwordPolicy: PasswordPolicy
    /// Test hook: the process kills itself (SIGKILL) right after this many successful writes,
    /// before journaling the last one — the worst moment to die.
    public let killAfterWrites: Int?
    public let progress: (@Sendable (RestoreProgress) -> Void)?
    /// `--method import-job`: the CSV files to import first; nil for the API method.
    public var importJobs: ImportSettings?
    /// Users that must enrol a software token again (`MFARestore`), next to the sub map.
    let totpList: TOTPListWriter

    public init(
        cognito: CognitoClient, pacer: QuotaPacer, source: RestoreSource, plan: RestorePlan, journal: RestoreJournal,
        prior: JournalIndex?, subMap: SubMapWriter, passwordPolicy: PasswordPolicy, killAfterWrites: Int? = nil,
        progress: (@Sendable (RestoreProgress) -> Void)? = nil
    ) {
        self.cognito = cognito
        self.pacer = pacer
        self.source = source
        self.plan = plan
        self.journal = journal
        self.prior = prior ?? .empty
        self.subMap = subMap
        self.passwordPolicy = passwordPolicy
        self.killAfterWrites = killAfterWrites
        self.progress = progress
        self.totpList = TOTPListWriter(path: MFARestore.totpListPath(subMap: subMap.path))
    }

    struct UserJob: Sendable {
        var user: RestorePlan.User
        var groups: [String]
        var prior: PriorUser
        /// The user as the pool lists it (import-job method only).
        var listed: JSONValue?
        /// In an import CSV: it ends RESET_REQUIRED, no password set.
        var carried: Bool
    }

    struct UpdateJob: Sendable {
        var username: String
        var targetUsername: String
        var password: Bool
        var disable: Bool
        var mfa: MFARestore.Preference? = nil
        /// Linked identities to link again: their provider is in the pool, and the user is not linked to them yet.
        var links: [LinkedIdentity] = []
    }

    struct MemberJob: Sendable {
        var group: String
        var username: String
        var targetUsername: String
    }

    /// Workers that keep `rate` requests a second going at up to ~350 ms a round trip.
    static func workers(rate: Double) -> Int { min(64, max(2, Int((rate * 0.35).rounded(.up)) + 2)) }

    public func run() async throws -> RestoreOutcome {
        let tracker = RestoreTracker(progress: progress)
        await tracker.plan(plan)
        let counter = WriteCounter(limit: killAfterWrites)
        var listed: String?
        if let importJobs {
            await tracker.imported(importJobs.split.carried)
            var runner = ImportRunner(
                cognito: cognito, poolId: plan.targetPoolId, roleArn: importJobs.roleArn, snapshotId: importJobs.snapshotId,
                journal: journal, prior: prior, counter: counter, log: importJobs.log)
            runner.activeJobWait = importJobs.activeJobWait
            let results = try await runner.run(importJobs.split.chunks)
            await tracker.jobs(results)
            importJobs.log("listing the pool for the imported users' new subs")
            listed = try await PoolListing.sorted(cognito: cognito, poolId: plan.targetPoolId, directory: source.work.path)
        }
        // Bounded: the producer streams users from the archive no faster than they are created.
        let listing = listed
        let users = WorkQueue<UserJob>(capacity: 512)
        let groups = WorkQueue(plan.groups, closed: true)
        let updates = WorkQueue<UpdateJob>(capacity: 2048)
        let members = WorkQueue<MemberJob>(capacity: 4096)
        let groupsDone = Gate()

        let abort: @Sendable () async -> Void = {
            await users.abort()
            await groups.abort()
            await updates.abort()
            await members.abort()
            await groupsDone.open()
        }
        func guarded(_ body: @escaping @Sendable () async throws -> Void) -> @Sendable () async throws -> Void {
            {
                do { try await body() } catch {
                    await abort()
                    throw error
                }
            }
        }

        let nGroups = Self.workers(rate: await pacer.rate(of: .userPoolResourceUpdate))
        let nCreate = Self.workers(rate: await pacer.rate(of: .userCreation))
        // An update job sets a password (UserAccountRecovery) and disables (UserUpdate): enough workers for the faster.
        let nUpdate = Self.workers(
            rate: max(
                await pacer.rate(of: .userUpdate), await pacer.rate(of: .userAccountRecovery), await pacer.rate(of: .userFederation)))
        let nMember = Self.workers(rate: await pacer.rate(of: .userResourceUpdate))

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(operation: guarded { try await produce(into: users, listing: listing) })
            group.addTask(
                operation: guarded {
                    try await withThrowingTaskGroup(of: Void.self) { g in
                        for _ in 0..<nGroups {
                            g.addTask {
                                while let record = await groups.receive() {
                                    try await restoreGroup(record, tracker: tracker, counter: counter)
                                }
                            }
                        }
                        try await g.waitForAll()
                    }
                    await groupsDone.open()
                })
            group.addTask(
                operation: guarded {
                    try await withThrowingTaskGroup(of: Void.self) { g in
                        for _ in 0..<nCreate {
                            g.addTask {
                                while let job = await users.receive() {
                                    try await restoreUser(
                                        job, tracker: tracker, counter: counter, updates: updates, members: members)
                                }
                            }
                        }
                        try await g.waitForAll()
                    }
                    await updates.close()
                    await members.close()
                })
            for _ in 0..<nUpdate {
                group.addTask(
                    operation: guarded {
                        while let job = await updates.receive() { try await update(job, tracker: tracker, counter: counter) }
                    })
            }
            for _ in 0..<nMember {
                group.addTask(
                    operation: guarded {
                        // A membership needs its group; groups are few and go first at their own rate.
                        await groupsDone.wait()
                        while let job = await members.receive() { try await addMember(job, tracker: tracker, counter: counter) }
                    })
            }
            try await group.waitForAll()
        }
        try await totpList.close()
        return await tracker.outcome()
    }

    /// Streams the users from the archive, each with its memberships and what the journal says of it,
    /// joined by username (every input is sorted by it).
    private func produce(into users: WorkQueue<UserJob>, listing: String?) async throws {
        let stream = try source.users()
        var memberships = try SortedLines(path: source.membershipsByUser)
        var journaled = try PriorCursor(prior)
        var listed = try listing.map { try SortedLines(path: $0) }
        while let record = try stream.next() {
            guard var user = plan.user(for: record) else { continue }
            var inPool: JSONValue?
            while let line = try listed?.peek() {
                let cut = line.utf8.firstIndex(of: 0) ?? line.utf8.endIndex
                let username = String(line[..<cut])
                if username == record.username {
                    // The listing file is ours, written from parsed records: a line that does not parse is damage.
                    inPool = try JSONParser.parse(Data(line.utf8[line.utf8.index(after: cut)...]))
                } else if !JSONValue.utf8Less(username, record.username) {
                    break
                }
                try listed?.advance()
            }
            var carried = false
            if let csv = importJobs?.csv, case .success = csv.row(user) {
                carried = true
                user.setPassword = false
            }
            var groups: [String] = []
            while let line = try memberships.peek() {
                let parts = line.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                let username = String(parts[0])
                if username == record.username {
                    groups.append(parts.count > 1 ? String(parts[1]) : "")
                } else if !JSONValue.utf8Less(username, record.username) {
                    break
                }
                try memberships.advance()
            }
            let p = try journaled.prior(of: record.username)
            await users.send(UserJob(user: user, groups: groups, prior: p, listed: inPool, carried: carried))
            if await users.isAborted { return }
        }
        await users.close()
    }

    // MARK: Groups

    private func restoreGroup(_ g: GroupRecord, tracker: RestoreTracker, counter: WriteCounter) async throws {
        if prior.groups.contains(g.name) {
            // Journaled: checked in the pool, not taken on trust (it may have been deleted since); gone, it is made again.
            do {
                if let existing = try await cognito.getGroup(plan.targetPoolId, name: g.name) {
                    return try await adoptGroup(g, existing, journaled: true, tracker: tracker)
                }
            } catch let error where Self.isItemError(error) {
                return await tracker.group(
                    g.name, .failed("group \(g.name): GetGroup, to check it is still there: \(error); run again with --resume"))
            }
        }
        do {
            try await cognito.createGroup(
                plan.targetPoolId, name: g.name, description: g.description, precedence: g.precedence, roleArn: g.roleArn)
            await counter.wrote()
            try await journal.append(.group(name: g.name))
            await tracker.group(g.name, .written)
        } catch let AWSError.service(e) where e.code == "GroupExistsException" {
            // Created by a run killed before it could journal it, or by someone else: only a perfect match is ours.
            guard let existing = try await cognito.getGroup(plan.targetPoolId, name: g.name) else {
                await tracker.group(
                    g.name, .failed("group \(g.name): CreateGroup says it exists, GetGroup says it does not; run again with --resume"))
                return
            }
            try await adoptGroup(g, existing, journaled: false, tracker: tracker)
        } catch let error where Self.isItemError(error) {
            await tracker.group(g.name, .failed("group \(g.name): \(error)"))
        }
    }

    /// A group the pool holds is this restore's only when it matches the snapshot; otherwise it fails, named.
    private func adoptGroup(_ g: GroupRecord, _ existing: JSONValue, journaled: Bool, tracker: RestoreTracker) async throws {
        let diffs = Self.groupDifferences(g, existing)
        guard diffs.isEmpty else {
            return await tracker.group(
                g.name,
                .failed(
                    "group \(g.name) already exists in the target with a different \(diffs.joined(separator: ", ")): \(journaled ? "it was changed since this restore made it" : "it was not made by this restore"); delete it or fix it and run again with --resume"
                ))
        }
        if !journaled { try await journal.append(.group(name: g.name)) }
        await tracker.group(g.name, .existing)
    }

    static func groupDifferences(_ g: GroupRecord, _ existing: JSONValue) -> [String] {
        var diffs: [String] = []
        let desc = existing["Description"]?.stringValue
        if (g.description ?? "") != (desc ?? "") { diffs.append("description") }
        if g.precedence != existing["Precedence"]?.intValue { diffs.append("precedence") }
        if (g.roleArn ?? "") != (existing["RoleArn"]?.stringValue ?? "") { diffs.append("role ARN") }
        return diffs
    }

    // MARK: Users

    private func restoreUser(
        _ job: UserJob, tracker: RestoreTracker, counter: WriteCounter, updates: WorkQueue<UpdateJob>, members: WorkQueue<MemberJob>
    ) async throws {
        var u = job.user
        let groups = job.groups, prior = job.prior
        let name = u.record.username
        var found: (targetUsername: String, newSub: String, status: String, enabled: Bool)?
        var how = RestoreTracker.Result.written
        var createdNow = false
        /// The user as the pool holds it, when it was there already: its identities say which links are made.
        var inPoolUser: JSONValue?

        // An existing user is taken over only when it matches the snapshot; otherwise the user fails, named.
        func adoptOrFail(_ existing: JSONValue, trimmed: Bool = false) async -> Bool {
            switch Self.adopt(u, existing, trimmed: trimmed) {
            case .success(let f):
                found = f
                how = .existing
                inPoolUser = existing
                return true
            case .failure(let why):
                await failUser(u, groups: groups, why: why.description, tracker: tracker)
                return false
            }
        }

        // Import-job method: the pool's listing says what is there (imported, or made by an earlier run).
        if let listed = job.listed {
            // An import job trims leading and trailing white space from every value: what it made is compared so.
            guard await adoptOrFail(listed, trimmed: job.carried) else { return }
            if job.carried {
                how = .written
                if u.attributes.contains(where: { Self.trim($0.value) != $0.value }) { await tracker.trimmed(name) }
            }
        } else if job.carried {
            // The job failed or skipped it: created through the API, and reported.
            u.setPassword = true
            await tracker.fallback(name, password: true)
        }
        // Journaled as created: checked in the pool, not taken on trust.
        if found == nil, importJobs == nil, let created = prior.created,
            let existing = try await cognito.adminGetUser(plan.targetPoolId, username: created.targetUsername)
        {
            guard await adoptOrFail(existing) else { return }
        }
        if found == nil {
            do {
                let user = try await cognito.adminCreateUser(
                    plan.targetPoolId, username: u.createUsername, attributes: u.attributes.map { ($0.name, $0.value) })
                await counter.wrote()
                guard let target = user["Username"]?.stringValue, let sub = Self.attributes(of: user)["sub"] else {
                    throw AWSError.invalidResponse(
                        service: "cognito-idp", operation: "AdminCreateUser", reason: "no Username or sub for user \(name)")
                }
                found = (target, sub, user["UserStatus"]?.stringValue ?? "FORCE_CHANGE_PASSWORD", user["Enabled"]?.boolValue ?? true)
                createdNow = true
            } catch let AWSError.service(e) where e.code == "UsernameExistsException" || e.code == "AliasExistsException" {
                guard let existing = try await cognito.adminGetUser(plan.targetPoolId, username: u.createUsername) else {
                    await failUser(
                        u, groups: groups,
                        why:
                            "user \(name): AdminCreateUser says it exists (\(e.message)), AdminGetUser finds no \(u.createUsername); run again with --resume",
                        tracker: tracker)
                    return
                }
                guard await adoptOrFail(existing) else { return }
            } catch let error where Self.isItemError(error) {
                await failUser(u, groups: groups, why: "user \(name): \(error)", tracker: tracker)
                return
            }
        }
        guard let found else { return }
        try await journal.append(.user(username: name, targetUsername: found.targetUsername, newSub: found.newSub))
        let enrol = MFARestore.mustEnrolTotp(u.record)
        try await subMap.append(
            SubMapEntry(username: name, targetUsername: found.targetUsername, oldSub: u.oldSub, newSub: found.newSub, mustEnrolTotp: enrol))
        if enrol {
            try await totpList.append(name)
            await tracker.mustEnrolTotp(name, file: totpList.path)
        }
        await tracker.user(how)
        var mfa = MFARestore.preference(for: u.record)
        if mfa != nil && prior.mfa {
            await tracker.mfa(.existing)
            mfa = nil
        }

        // The pool's state decides what is left: a password already set (CONFIRMED) or a user already disabled needs nothing.
        let password = u.setPassword && found.status != "CONFIRMED"
        let disable = u.disable && found.enabled
        if u.setPassword && !password { await tracker.password(.existing) }
        if u.disable && !disable { await tracker.disabled(.existing) }
        let links = try await linksToMake(u, targetUsername: found.targetUsername, inPool: inPoolUser, prior: prior, tracker: tracker)
        if password || disable || mfa != nil || !links.isEmpty {
            await updates.send(
                UpdateJob(
                    username: name, targetUsername: found.targetUsername, password: password, disable: disable, mfa: mfa, links: links))
        }
        // Memberships the journal records are checked in the pool, not taken on trust: a user created
        // just now has none, and one found may have lost some since (a group deleted, a member removed).
        var inPool: Set<String> = []
        if !createdNow && groups.contains(where: prior.members.contains) {
            do {
                inPool = Set(try await cognito.adminListGroupsForUser(plan.targetPoolId, username: found.targetUsername))
            } catch let error where Self.isItemError(error) {
                for g in groups {
                    await tracker.membership(
                        .failed(
                            "membership of \(name) in \(g): the user's groups cannot be read (AdminListGroupsForUser): \(error); run again with --resume"
                        ))
                }
                return
            }
        }
        for g in groups {
            if inPool.contains(g) {
                if !prior.members.contains(g) { try await journal.append(.member(group: g, username: name)) }
                await tracker.membership(.existing)
            } else {
                await members.send(MemberJob(group: g, username: name, targetUsername: found.targetUsername))
            }
        }
    }

    private func failUser(_ u: RestorePlan.User, groups: [String], why: String, tracker: RestoreTracker) async {
        await tracker.user(.failed(why))
        if u.setPassword { await tracker.password(.failed(nil)) }
        if u.disable { await tracker.disabled(.failed(nil)) }
        if MFARestore.preference(for: u.record) != nil { await tracker.mfa(.failed(nil)) }
        for l in u.links where plan.options.targetProviders.contains(l.providerName) { await tracker.link(.failed(nil)) }
        for _ in groups { await tracker.membership(.failed(nil)) }
    }

    static func attributes(of user: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        for a in (user["Attributes"] ?? user["UserAttributes"])?.arrayValue ?? [] {
            if let n = a["Name"]?.stringValue { out[n] = a["Value"]?.stringValue ?? "" }
        }
        return out
    }

    /// An existing user is ours only when it carries every attribute the snapshot gives it.
    /// `trimmed`: the user came through an import job, which trims leading and trailing white space from values
    /// (a value that trims to nothing is not set).
    static func adopt(_ u: RestorePlan.User, _ existing: JSONValue, trimmed: Bool = false) -> Result<
        (targetUsername: String, newSub: String, status: String, enabled: Bool), AdoptError
    > {
        let attrs = attributes(of: existing)
        let differing = u.attributes.filter { a in
            guard trimmed else { return attrs[a.name] != a.value }
            let want = trim(a.value)
            return (attrs[a.name] ?? "") != want
        }.map(\.name)
        guard differing.isEmpty else {
            return .failure(
                AdoptError(
                    "user \(u.record.username) already exists in the target with different \(differing.joined(separator: ", ")): it was not made by this restore; delete it or fix it and run again with --resume"
                ))
        }
        guard let target = existing["Username"]?.stringValue, let sub = attrs["sub"] else {
            return .failure(AdoptError("user \(u.record.username): AdminGetUser returned no Username or sub"))
        }
        return .success((target, sub, existing["UserStatus"]?.stringValue ?? "UNKNOWN", existing["Enabled"]?.boolValue ?? true))
    }

    /// A value as an import job stores it: without leading or trailing white space.
    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }

    struct AdoptError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    // MARK: Passwords, disabling, memberships

    private func update(_ job: UpdateJob, tracker: RestoreTracker, counter: WriteCounter) async throws {
        if job.password {
            do {
                try await cognito.adminSetUserPassword(
                    plan.targetPoolId, username: job.targetUsername, password: passwordPolicy.randomPassword(), permanent: true)
                await counter.wrote()
                try await journal.append(.password(username: job.username))
                await tracker.password(.written)
            } catch let error where Self.isItemError(error) {
                await tracker.password(.failed("password of user \(job.username): \(error)"))
            }
        }
        if let mfa = job.mfa {
            do {
                try await cognito.adminSetUserMFAPreference(
                    plan.targetPoolId, username: job.targetUsername, sms: mfa.sms, email: mfa.email)
                await counter.wrote()
                try await journal.append(.mfa(username: job.username))
                await tracker.mfa(.written)
            } catch let error where Self.isItemError(error) {
                await tracker.mfa(.failed("MFA preferences of user \(job.username) (AdminSetUserMFAPreference): \(error)"))
            }
        }
        // Before disabling: a link is made to an enabled user, as the user was when it was first linked.
        for l in job.links {
            do {
                try await cognito.adminLinkProviderForUser(
                    plan.targetPoolId, username: job.targetUsername, provider: l.providerName, userId: l.userId)
                await counter.wrote()
                try await journal.append(.link(username: job.username, provider: l.providerName, userId: l.userId))
                await tracker.link(.written)
            } catch let error where Self.isItemError(error) {
                await tracker.link(
                    .failed(
                        "link of user \(job.username) to \(l.providerName) identity \(l.userId) (AdminLinkProviderForUser): \(error); fix it and run again with --resume, or make it by hand: \(l.command(poolId: plan.targetPoolId, targetUsername: job.targetUsername))"
                    ))
            }
        }
        if job.disable {
            do {
                try await cognito.adminDisableUser(plan.targetPoolId, username: job.targetUsername)
                await counter.wrote()
                try await journal.append(.disabled(username: job.username))
                await tracker.disabled(.written)
            } catch let error where Self.isItemError(error) {
                await tracker.disabled(.failed("disabling user \(job.username): \(error)"))
            }
        }
    }

    private func addMember(_ job: MemberJob, tracker: RestoreTracker, counter: WriteCounter) async throws {
        if await tracker.groupFailed(job.group) {
            await tracker.membership(.failed("membership of \(job.username) in \(job.group): the group was not restored"))
            return
        }
        do {
            try await cognito.adminAddUserToGroup(plan.targetPoolId, username: job.targetUsername, group: job.group)
            await counter.wrote()
            try await journal.append(.member(group: job.group, username: job.username))
            await tracker.membership(.written)
        } catch let error where Self.isItemError(error) {
            await tracker.membership(.failed("membership of \(job.username) in \(job.group): \(error)"))
        }
    }

    /// A failure of this one item, recorded so the rest goes on. Everything else (bad credentials,
    /// access denied, the pool gone, the network down, the journal unwritable) stops the run:
    /// every further call would fail the same way, and --resume continues once it is fixed.
    /// Throttling is never a user's failure: beyond its time budget it stops the run, resumable.
    static func isItemError(_ error: Error) -> Bool {
        guard case AWSError.service(let e) = error else { return false }
        if e.isThrottling { return false }
        if e.isSignatureError || e.isCredentialError || e.isAccessDenied { return false }
        if e.code == "ResourceNotFoundException" && e.message.lowercased().contains("pool") { return false }
        return true
    }
}

/// What `--method import-job` adds to a run.
public struct ImportSettings: Sendable {
    public var csv: ImportCSV
    public var roleArn: String
    public var split: ImportSplit
    public var snapshotId: String
    public var log: @Sendable (String) -> Void
    /// How long to wait for someone else's import job (Cognito runs one at a time per account and Region).
    public var activeJobWait: Duration = .seconds(3600)

    public init(csv: ImportCSV, roleArn: String, split: ImportSplit, snapshotId: String, log: @escaping @Sendable (String) -> Void) {
        self.csv = csv
        self.roleArn = roleArn
        self.split = split
        self.snapshotId = snapshotId
        self.log = log
    }
}
