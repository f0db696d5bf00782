import AWS
import Foundation

/// `snap restore REF --user-pool-id LIVE --only-missing`: re-creates in a
/// live pool the groups, users and memberships the snapshot has and the pool
/// lacks, and never changes or deletes what the pool holds.
///
/// `plan` reads the pool as `snap diff REF pool:LIVE` does (`Exporter` into
/// sorted files) and joins it with the snapshot (`DiffEngine`, through
/// `OnlyMissingPlanner`); then the full restore's pre-checks run over the users
/// to re-create (no empty-pool check). `run` hands those users, their
/// memberships and the missing groups to the full restore's `RestoreExecutor`
/// (same user creation, passwords, disabling, journal, sub map, pacing), then
/// adds the memberships the pool lacks of users it holds (`OnlyMissingMembers`).
public struct OnlyMissingRestore: Sendable {
    public let cognito: CognitoClient
    public let pacer: QuotaPacer
    public let source: RestoreSource
    public let target: PoolConfiguration
    public let scope: OnlyMissingScope
    public let paths: OnlyMissingPaths
    /// `--keep-old-sub` and the pool's identity providers, as for a full restore.
    public var options = RestoreOptions()

    public init(
        cognito: CognitoClient, pacer: QuotaPacer, source: RestoreSource, target: PoolConfiguration, scope: OnlyMissingScope,
        paths: OnlyMissingPaths
    ) {
        self.cognito = cognito
        self.pacer = pacer
        self.source = source
        self.target = target
        self.scope = scope
        self.paths = paths
    }

    /// Joins the snapshot with the pool as it is now and runs the pre-checks. Writes nothing to the pool.
    /// With `resume` (or `dryRun`, to show what a resume would do), the users an interrupted run set out
    /// to re-create (`paths.users`, removed once a run completes) are part of the plan; without either,
    /// such a file is an error: those users are in the pool with new subs and would look taken.
    ///
    /// `readBack` is the check after a run: the pool joined with the snapshot again (in folders of its own,
    /// without the MFA reads: only what is missing counts), which must find nothing left to re-create.
    public func plan(resume: Bool, dryRun: Bool = false, readBack: Bool = false, log: @escaping @Sendable (String) -> Void)
        async throws -> (OnlyMissingPlan, RestorePlan)
    {
        let interrupted = FileManager.default.fileExists(atPath: paths.users)
        if interrupted && !resume && !dryRun && !readBack {
            throw SnapError.configuration(
                "an earlier --only-missing run of this snapshot into \(target.id) did not finish (\(paths.users) is left): finish it with --resume, or delete that file to start afresh"
            )
        }
        // Like for like, as `snap diff` does: a snapshot taken with --with-mfa is compared with the pool's MFA settings.
        var exporter = Exporter(cognito: cognito, poolId: target.id)
        exporter.withMFA = source.snapshot.manifest.options.withMFA && !readBack
        if exporter.withMFA {
            log("note: the snapshot was taken with --with-mfa, so the pool's MFA settings are read too (one AdminGetUser per user)")
        }
        let suffix = readBack ? "-read-back" : ""
        let export = try await exporter.run(workDirectory: try source.work.folder("live-pool" + suffix))
        let planned = interrupted && !readBack ? paths.users : nil
        if let planned { log("resuming: the users an earlier run set out to re-create (\(planned)) are finished first") }
        let directory = try source.work.folder("only-missing" + suffix)
        var planner = OnlyMissingPlanner(scope: scope, directory: directory, planned: planned)
        planner.earlier = try OnlyMissingSubMap.sorted(path: paths.subMap, directory: directory)
        planner.liveUsers = export.paths[.users]
        var found = try planner.plan(old: .snapshot(source.snapshot), new: .files(export.paths))
        let plan = try checks(&found)
        // What the run would meet in the pool, found before it (and by --dry-run) rather than by it.
        // The run sends the renamed users' memberships unjoined; the read-back asks the pool's own memberships.
        if readBack, found.renamedMemberships > 0, let live = export.paths[.memberships] {
            found.existingMemberships -= try Self.held(found.renamedMembersFile, in: live)
        }
        if let live = export.paths[.users], !readBack {
            found.conflicts = try OnlyMissingConflicts(directory: directory, target: target).find(
                users: { each in try restoring(found) { if let u = plan.user(for: $0) { try each(u) } } }, live: live)
        }
        return (found, plan)
    }

    /// How many of the `username NUL group` lines at `path` the exported memberships at `live` hold.
    static func held(_ path: String, in live: String) throws -> Int {
        func lines(_ file: String, _ each: (Data, Int) throws -> Void) throws {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw SnapError.io(path: file, reason: "cannot read the read-back's scratch file; run again")
            }
            // A read-only handle: closing it cannot lose anything.
            defer { try? handle.close() }
            var reader = LineReader(maxLineLength: 1 << 20) { try handle.read(upToCount: 1 << 18).flatMap { $0.isEmpty ? nil : $0 } }
            while let line = try reader.next() {
                if !line.isEmpty { try each(line, reader.lineNumber) }
            }
        }
        var wanted: Set<Data> = []
        try lines(path) { line, _ in wanted.insert(line) }
        var held = 0
        try lines(live) { line, number in
            // A parse failure is named below (file and line), never skipped.
            guard let m = try? MembershipRecord(json: JSONParser.parse(line)) else {
                throw SnapError.malformedLine(
                    source: live, member: "memberships", line: number, reason: "not a membership line; a bug in snap")
            }
            if wanted.contains(Data(m.username.utf8) + [0] + Data(m.group.utf8)) { held += 1 }
        }
        return held
    }

    /// The full restore's pre-checks over the users to re-create; `--user` names the snapshot lacks are a problem too.
    private func checks(_ found: inout OnlyMissingPlan) throws -> RestorePlan {
        var checks = RestoreChecks(source: PoolConfiguration(pool: source.pool), target: target, options: options)
        var unknown = scope.users ?? []
        func pass(_ body: (UserRecord) throws -> Void) throws {
            try restoring(found, every: { unknown.remove($0.username) }, body)
        }
        try pass { checks.add($0) }
        if checks.needsSecondPass { try pass { checks.confirm($0) } }
        var plan = RestorePlan(targetPoolId: target.id, target: target, groups: found.groups)
        // The pool is live: it is meant to hold users and groups, so the empty-pool check is left out.
        checks.finish(into: &plan, targetUsers: [], targetGroups: [], resume: true)
        plan.membershipCount = found.restoredMemberships
        found.unknownUsers = unknown.sorted(by: JSONValue.utf8Less)
        if !found.unknownUsers.isEmpty {
            plan.problems.insert(
                "\(found.unknownUsers.count) user(s) named with --user/--users-from are not in snapshot \(source.snapshot.source): \(RestorePlan.examples(found.unknownUsers, limit: 20)); check the spelling (usernames are case-sensitive) or pick the snapshot that has them",
                at: 0)
        }
        return plan
    }

    /// Streams the snapshot's users, calling `body` with those `found` re-creates (and `every` with each).
    private func restoring(
        _ found: OnlyMissingPlan, every: (UserRecord) -> Void = { _ in }, _ body: (UserRecord) throws -> Void
    ) throws {
        let members = try source.snapshot.members()
        var users = try RecordLines(source.snapshot, .users, members: members)
        var restoring = try SortedNames(path: found.usersFile)
        while let u = try users.next(UserRecord.init(json:)) {
            every(u)
            if try restoring.contains(u.username) { try body(u) }
        }
    }

    /// Writes the plan: journal and sub map at `paths`, the executor for groups and re-created
    /// users (with their memberships), then the memberships of users the pool holds.
    public func run(
        _ found: OnlyMissingPlan, plan: RestorePlan, snapshot id: String, sourcePool: String, resume: Bool,
        killAfterWrites: Int? = nil, progress: (@Sendable (RestoreProgress) -> Void)? = nil, log: @escaping @Sendable (String) -> Void
    ) async throws -> RestoreOutcome {
        var prior: JournalIndex?
        // A journal is resumed only while its run is unfinished (its saved users are there): the journal of a
        // run that completed says "done" of groups and memberships the live pool may have lost again since.
        let unfinished = FileManager.default.fileExists(atPath: paths.users)
        if resume && !unfinished {
            log("no unfinished undo of \(id) into \(target.id) to resume: the pool as it is now decides, and the journal starts afresh")
        }
        let resume = resume && unfinished
        if resume {
            if let index = try source.journal(at: paths.journal) {
                if let s = index.snapshot, s != id || index.target != target.id {
                    throw SnapError.configuration(
                        "journal \(paths.journal) belongs to snapshot \(s) into \(index.target ?? "?"), not \(id) into \(target.id); pass the same REF and pool, or a different --sub-map folder"
                    )
                }
                prior = index
                if let cut = index.cutLine { log("warning: \(ResumeGate.cutWarning(journal: paths.journal, line: cut))") }
                log(
                    "resuming: the journal records \(index.groups.count) groups, \(index.users) users, \(index.members) memberships done; each is checked against the pool"
                )
            } else {
                log("resuming without a journal at \(paths.journal): the pool as it is now decides what is left")
            }
        }
        // Before the first write: a run killed from here on finishes these users on --resume, new subs and all.
        try FileSystem.atomicCopy(from: found.usersFile, to: paths.users)
        let journal = try RestoreJournal(path: paths.journal, truncate: !resume)
        if prior?.snapshot == nil { try await journal.append(.start(snapshot: id, target: target.id, source: sourcePool)) }
        // Written aside and renamed over the earlier map when done: a run killed midway leaves the earlier
        // map whole, and the users it lists are still told from taken usernames on --resume.
        let partial = paths.subMap + ".partial"
        let subMap = try SubMapWriter(path: partial)
        var carried = try SortedLines(path: found.carriedFile)
        while let line = try carried.peek() {
            try carried.advance()
            // Written by the planner from entries it parsed.
            guard let json = try? JSONParser.parse(Data(line.utf8)), let e = SubMapEntry(json: json) else {
                throw SnapError.io(path: found.carriedFile, reason: "a carried sub map line cannot be read: \(line.prefix(80))")
            }
            try await subMap.append(e)
        }

        source.onlyUsers = found.usersFile
        try FileSystem.copy(from: found.restoredMembersFile, to: source.membershipsByUser)
        let executor = RestoreExecutor(
            cognito: cognito, pacer: pacer, source: source, plan: plan, journal: journal, prior: prior, subMap: subMap,
            passwordPolicy: target.passwordPolicy, killAfterWrites: killAfterWrites, progress: progress)
        var outcome = try await executor.run()
        try await subMap.close()
        guard rename(partial, paths.subMap) == 0 else {
            throw SnapError.io(path: paths.subMap, reason: "cannot rename \(partial) to it: \(String(cString: strerror(errno)))")
        }
        // The executor lists software-token users next to the map it writes: next to the final one, then.
        let totp = MFARestore.totpListPath(subMap: partial)
        if FileManager.default.fileExists(atPath: totp) {
            let final = MFARestore.totpListPath(subMap: paths.subMap)
            guard rename(totp, final) == 0 else {
                throw SnapError.io(path: final, reason: "cannot rename \(totp) to it: \(String(cString: strerror(errno)))")
            }
            outcome.totpFile = final
        }

        // The test hook counts every write of the run, the executor's included.
        let o = outcome
        let written =
            o.groups.written + o.users.written + o.passwords.written + o.disabled.written + o.memberships.written + o.mfa.written
        let members = OnlyMissingMembers(
            cognito: cognito, pacer: pacer, poolId: target.id, journal: journal,
            counter: WriteCounter(limit: killAfterWrites.map { max(1, $0 - written) }))
        let added = try await members.run(file: found.existingMembersFile, planned: found.existingMemberships)
        outcome.memberships.planned += added.count.planned
        outcome.memberships.written += added.count.written
        outcome.memberships.failed += added.count.failed
        outcome.failureCount += added.count.failed
        for f in added.failures where outcome.failures.count < RestoreOutcome.shownFailures { outcome.failures.append(f) }
        // Done: nothing is left for --resume (with failures the file stays, and --resume retries them).
        if outcome.complete {
            do {
                try FileManager.default.removeItem(atPath: paths.users)
            } catch {
                log("warning: cannot remove \(paths.users) (\(error.localizedDescription)): delete it, or the next run asks for --resume")
            }
        }
        return outcome
    }
}
