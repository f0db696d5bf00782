import AWS
import Foundation

/// One line of the sub map.
public struct SubMapEntry: Sendable, Equatable {
    public var username: String
    public var targetUsername: String
    public var oldSub: String?
    public var newSub: String

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "username": .string(username), "oldSub": oldSub.map { .string($0) } ?? .null, "newSub": .string(newSub),
        ]
        // Only where the pool made up a username of its own (sign-in by email or phone).
        if targetUsername != username { o["targetUsername"] = .string(targetUsername) }
        return .object(o)
    }

    /// Writes the map atomically (temp file, fsync, rename), sorted by username.
    public static func write(_ entries: [SubMapEntry], to path: String) throws {
        var data = Data()
        for e in entries.sorted(by: { JSONValue.utf8Less($0.username, $1.username) }) {
            data += e.json.canonicalData()
            data.append(0x0A)
        }
        try FileSystem.atomicWrite(data, to: path)
    }
}

public struct RestoreProgress: Sendable {
    public var groups = 0, users = 0, passwords = 0, disabled = 0, memberships = 0, failures = 0
}

public struct RestoreOutcome: Sendable {
    public struct Count: Sendable, Equatable {
        /// In the snapshot and meant to be restored.
        public var planned = 0
        /// Written by this run.
        public var written = 0
        /// Found already in the pool (an earlier, interrupted run) and checked.
        public var existing = 0
        public var failed = 0
        public var done: Int { written + existing }
    }

    public var groups = Count()
    public var users = Count()
    public var passwords = Count()
    public var disabled = Count()
    public var memberships = Count()
    public var failures: [String] = []
    public var subMap: [SubMapEntry] = []

    /// Every planned group, user (with its password and state) and membership is in the pool.
    public var complete: Bool {
        failures.isEmpty && [groups, users, passwords, disabled, memberships].allSatisfy { $0.done == $0.planned }
    }
}

/// Writes a plan into the target pool: groups, users, passwords and
/// disabling, memberships. Each quota category has its own pool of workers
/// (enough in flight to reach its rate at Cognito's round trip), connected
/// by queues, so creating users, setting passwords and adding memberships
/// overlap; the pacer holds each category to its budget. Every finished
/// write is journaled before anything depends on it.
public struct RestoreExecutor: Sendable {
    public let cognito: CognitoClient
    public let pacer: QuotaPacer
    public let plan: RestorePlan
    public let journal: RestoreJournal
    /// What an earlier run journaled (empty for a fresh restore).
    public let prior: JournalState
    public let passwordPolicy: PasswordPolicy
    /// Test hook: the process kills itself (SIGKILL) right after this many successful writes,
    /// before journaling the last one — the worst moment to die.
    public let killAfterWrites: Int?
    public let progress: (@Sendable (RestoreProgress) -> Void)?

    public init(
        cognito: CognitoClient, pacer: QuotaPacer, plan: RestorePlan, journal: RestoreJournal, prior: JournalState,
        passwordPolicy: PasswordPolicy, killAfterWrites: Int? = nil, progress: (@Sendable (RestoreProgress) -> Void)? = nil
    ) {
        self.cognito = cognito
        self.pacer = pacer
        self.plan = plan
        self.journal = journal
        self.prior = prior
        self.passwordPolicy = passwordPolicy
        self.killAfterWrites = killAfterWrites
        self.progress = progress
    }

    struct UpdateJob: Sendable {
        var username: String
        var targetUsername: String
        var password: Bool
        var disable: Bool
    }

    struct MemberJob: Sendable {
        var group: String
        var username: String
        var targetUsername: String
    }

    /// Workers that keep `rate` requests a second going at up to ~350 ms a round trip.
    static func workers(rate: Double) -> Int { min(64, max(2, Int((rate * 0.35).rounded(.up)) + 2)) }

    public func run() async throws -> RestoreOutcome {
        let tracker = Tracker(progress: progress)
        await tracker.plan(plan)
        let users = WorkQueue(plan.users, closed: true)
        let groups = WorkQueue(plan.groups, closed: true)
        let updates = WorkQueue<UpdateJob>()
        let members = WorkQueue<MemberJob>()
        let groupsDone = Gate()
        let counter = WriteCounter(limit: killAfterWrites)
        var byUser: [String: [String]] = [:]
        for m in plan.memberships { byUser[m.username, default: []].append(m.group) }
        let membershipsOf = byUser

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
        let nUpdate = Self.workers(rate: await pacer.rate(of: .userUpdate))
        let nMember = Self.workers(rate: await pacer.rate(of: .userResourceUpdate))

        try await withThrowingTaskGroup(of: Void.self) { group in
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
                                while let user = await users.receive() {
                                    try await restoreUser(
                                        user, groups: membershipsOf[user.record.username] ?? [], tracker: tracker, counter: counter,
                                        updates: updates, members: members)
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
        return await tracker.outcome()
    }

    // MARK: Groups

    private func restoreGroup(_ g: GroupRecord, tracker: Tracker, counter: WriteCounter) async throws {
        if prior.groups.contains(g.name) {
            await tracker.group(g.name, .existing)
            return
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
            let diffs = Self.groupDifferences(g, existing)
            if diffs.isEmpty {
                try await journal.append(.group(name: g.name))
                await tracker.group(g.name, .existing)
            } else {
                await tracker.group(
                    g.name,
                    .failed(
                        "group \(g.name) already exists in the target with a different \(diffs.joined(separator: ", ")): it was not made by this restore; delete it or fix it and run again with --resume"
                    ))
            }
        } catch let error where Self.isItemError(error) {
            await tracker.group(g.name, .failed("group \(g.name): \(error)"))
        }
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
        _ u: RestorePlan.User, groups: [String], tracker: Tracker, counter: WriteCounter, updates: WorkQueue<UpdateJob>,
        members: WorkQueue<MemberJob>
    ) async throws {
        let name = u.record.username
        var found: (targetUsername: String, newSub: String, status: String, enabled: Bool)?
        var how = Tracker.Result.written

        // An existing user is taken over only when it matches the snapshot; otherwise the user fails, named.
        func adoptOrFail(_ existing: JSONValue) async -> Bool {
            switch Self.adopt(u, existing) {
            case .success(let f):
                found = f
                how = .existing
                return true
            case .failure(let why):
                await failUser(u, groups: groups, why: why.description, tracker: tracker)
                return false
            }
        }

        // Journaled as created: checked in the pool, not taken on trust.
        if let created = prior.users[name],
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
        await tracker.user(SubMapEntry(username: name, targetUsername: found.targetUsername, oldSub: u.oldSub, newSub: found.newSub), how)

        // The pool's state decides what is left: a password already set (CONFIRMED) or a user already disabled needs nothing.
        let password = u.setPassword && found.status != "CONFIRMED"
        let disable = u.disable && found.enabled
        if u.setPassword && !password { await tracker.password(.existing) }
        if u.disable && !disable { await tracker.disabled(.existing) }
        if password || disable {
            await updates.send(UpdateJob(username: name, targetUsername: found.targetUsername, password: password, disable: disable))
        }
        for g in groups {
            if prior.members.contains(MembershipRecord(group: g, username: name)) {
                await tracker.membership(.existing)
            } else {
                await members.send(MemberJob(group: g, username: name, targetUsername: found.targetUsername))
            }
        }
    }

    private func failUser(_ u: RestorePlan.User, groups: [String], why: String, tracker: Tracker) async {
        await tracker.user(nil, .failed(why))
        if u.setPassword { await tracker.password(.failed(nil)) }
        if u.disable { await tracker.disabled(.failed(nil)) }
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
    static func adopt(_ u: RestorePlan.User, _ existing: JSONValue) -> Result<
        (targetUsername: String, newSub: String, status: String, enabled: Bool), AdoptError
    > {
        let attrs = attributes(of: existing)
        let differing = u.attributes.filter { attrs[$0.name] != $0.value }.map(\.name)
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

    struct AdoptError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    // MARK: Passwords, disabling, memberships

    private func update(_ job: UpdateJob, tracker: Tracker, counter: WriteCounter) async throws {
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

    private func addMember(_ job: MemberJob, tracker: Tracker, counter: WriteCounter) async throws {
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
    static func isItemError(_ error: Error) -> Bool {
        guard case AWSError.service(let e) = error else { return false }
        if e.isSignatureError || e.isCredentialError || e.isAccessDenied { return false }
        if e.code == "ResourceNotFoundException" && e.message.lowercased().contains("pool") { return false }
        return true
    }
}

/// Counts successful writes for the test-only kill switch.
actor WriteCounter {
    private var count = 0
    private let limit: Int?

    init(limit: Int?) { self.limit = limit }

    func wrote() {
        #if DEBUG
            // Compiled into debug (test) builds only: a release snap never kills itself.
            guard let limit else { return }
            count += 1
            if count >= limit { kill(getpid(), SIGKILL) }
        #endif
    }
}

/// Counts and failures as the run goes, and the sub map.
actor Tracker {
    enum Result {
        case written, existing
        /// nil: a consequence of another failure, already reported.
        case failed(String?)
    }

    private var out = RestoreOutcome()
    private var failedGroups: Set<String> = []
    private let progress: (@Sendable (RestoreProgress) -> Void)?
    private var lastReport = ContinuousClock.now

    init(progress: (@Sendable (RestoreProgress) -> Void)?) { self.progress = progress }

    func plan(_ p: RestorePlan) {
        out.groups.planned = p.groups.count
        out.users.planned = p.users.count
        out.passwords.planned = p.passwords
        out.disabled.planned = p.disables
        out.memberships.planned = p.memberships.count
    }

    private func count(_ kind: WritableKeyPath<RestoreOutcome, RestoreOutcome.Count>, _ r: Result) {
        switch r {
        case .written: out[keyPath: kind].written += 1
        case .existing: out[keyPath: kind].existing += 1
        case .failed(let why):
            out[keyPath: kind].failed += 1
            if let why { out.failures.append(why) }
        }
        report()
    }

    func group(_ name: String, _ r: Result) {
        if case .failed = r { failedGroups.insert(name) }
        count(\.groups, r)
    }
    func groupFailed(_ name: String) -> Bool { failedGroups.contains(name) }
    func user(_ entry: SubMapEntry?, _ r: Result) {
        if let entry { out.subMap.append(entry) }
        count(\.users, r)
    }
    func password(_ r: Result) { count(\.passwords, r) }
    func disabled(_ r: Result) { count(\.disabled, r) }
    func membership(_ r: Result) { count(\.memberships, r) }

    private func report() {
        guard let progress else { return }
        let now = ContinuousClock.now
        guard now - lastReport >= .milliseconds(200) else { return }
        lastReport = now
        progress(
            RestoreProgress(
                groups: out.groups.done, users: out.users.done, passwords: out.passwords.done, disabled: out.disabled.done,
                memberships: out.memberships.done, failures: out.failures.count))
    }

    func outcome() -> RestoreOutcome { out }
}
