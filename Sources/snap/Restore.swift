import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a snapshot into an empty user pool (in any region).",
        discussion: """
            --user-pool-id names the TARGET pool. The snapshot is REF (full ID, unique prefix, latest, \
            latest~N) or --at TIME, of the pool --source-pool (default SNAP_USER_POOL_ID); a full ID or \
            unique prefix is found in whichever pool's folder holds it. It is read from the first store \
            holding an intact copy, every checksum checked before anything is written.

            Before any write, every problem is listed: a target that is not empty (unless --resume), \
            custom attributes missing from its schema or of another type, a sign-in configuration \
            that cannot hold the users, required attributes users lack.

            Users are created with AdminCreateUser (no message sent), every attribute but sub and the \
            service's own, verification flags as in the snapshot; in a pool that signs in by email or \
            phone that value is the username. Users that had a password (CONFIRMED, RESET_REQUIRED, \
            COMPROMISED) end CONFIRMED with a random password nobody knows, so forgot-password works; \
            users that never set one (FORCE_CHANGE_PASSWORD, UNCONFIRMED) end FORCE_CHANGE_PASSWORD, \
            as invited users; disabled users are disabled. Federated users (EXTERNAL_PROVIDER) cannot \
            be created and are listed as skipped.

            Progress is journaled (restore-<ID>-<POOL>.journal.jsonl, next to the sub map); a restore \
            that was interrupted continues with --resume. The sub map, JSON Lines \
            {"username","oldSub","newSub"}, goes to restore-<ID>-<POOL>.submap.jsonl or --sub-map FILE.

            Exit 0 when every group, user and membership of the snapshot (skipped users aside) is in \
            the pool; 1 otherwise or when a check fails; 64 on a usage error.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var notify: NotifyOptions

    @Argument(help: "The snapshot: ID, unique ID prefix, latest, latest~N, @TIME (or use --at).")
    var ref: String?

    @Option(help: ArgumentHelp("The pool the snapshot was taken of (default: SNAP_USER_POOL_ID).", valueName: "ID"))
    var sourcePool: String?

    @Option(help: ArgumentHelp("The newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD) instead of REF.", valueName: "TIME"))
    var at: String?

    @Option(
        help: ArgumentHelp(
            "Create the target pool, named NAME, from the snapshot's pool.json in --region (default: the source pool's), then restore into it; what cannot be carried over is listed.",
            valueName: "NAME"))
    var createPool: String?

    @Flag(help: "Run every check and print the plan (with --create-pool, the pool it would create); write nothing.")
    var dryRun = false

    @Flag(help: "Continue an interrupted restore into the same pool (its journal says what is done; the pool is checked).")
    var resume = false

    @Option(help: ArgumentHelp("Where the sub map goes (default: restore-<ID>-<POOL>.submap.jsonl here).", valueName: "FILE"))
    var subMap: String?

    @OptionGroup var quotas: QuotaOptions

    func validate() throws {
        guard (ref == nil) != (at == nil) else {
            throw ValidationError("name the snapshot: give REF (ID, prefix, latest, latest~N) or --at TIME, not both")
        }
        if let createPool {
            guard global.userPoolId == nil else {
                throw ValidationError("--create-pool makes the target pool: give it or --user-pool-id, not both")
            }
            guard !resume else {
                throw ValidationError(
                    "--create-pool with --resume: resume into the pool the first run created, with --user-pool-id POOL --resume")
            }
            guard !createPool.isEmpty, createPool.count <= 128 else { throw ValidationError("--create-pool NAME: 1 to 128 characters") }
        } else {
            guard let target = global.userPoolId else {
                throw ValidationError(
                    "no target pool: pass --user-pool-id POOL (the pool to restore into; the snapshot's own pool is --source-pool), or --create-pool NAME"
                )
            }
            guard target.contains("_"), !target.hasPrefix("_") else {
                throw ValidationError("--user-pool-id \(target): not a user pool id (expected REGION_ID, e.g. eu-west-1_AbCdEf123)")
            }
        }
        if dryRun && resume { throw ValidationError("--dry-run and --resume: pick one") }
    }

    func run() async throws {
        let ctx = Context(global)
        let notice = NotifyReport()
        try await notify.run("restore", ctx: ctx, pool: global.userPoolId, report: notice) {
            try await execute(ctx, notice: notice)
        }
    }

    private func execute(_ ctx: Context, notice: NotifyReport) async throws {
        let output = ctx.output
        try await runReportingErrors {
            let started = ContinuousClock.now
            var target = global.userPoolId ?? ""
            let catalog = Catalog(stores: try ctx.stores())
            let (sourcePool, entry) = try await findSnapshot(catalog: catalog, ctx: ctx)
            let id = entry.id.value
            output.message(
                "snapshot \(id) of \(sourcePool) (\(entry.manifest.createdAt)): \(entry.manifest.counts.users) users, \(entry.manifest.counts.groups) groups, \(entry.manifest.counts.memberships) memberships"
            )

            let (contents, store) = try await RestoreSource.load(catalog: catalog, entry: entry, pool: sourcePool) {
                output.message("warning: \($0); trying the next store")
            }
            if store != entry.stores.first {
                output.message("read the intact copy in \(store)")
            }

            let region = createPool == nil ? ctx.region(forPool: target) : global.region ?? ctx.region(forPool: sourcePool)
            let pacer = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota)
            let cognito = try ctx.cognito(region: region, http: HTTPClient(maxIdleHandles: 96), pacer: pacer)
            let targetPool: JSONValue
            if let createPool {
                let blueprint = PoolBlueprint.make(from: contents.pool, name: createPool, region: region)
                for n in blueprint.notCarried { output.message("not carried over: \(n)") }
                if dryRun {
                    output.message("dry run: would create pool \(createPool) in \(region): \(blueprint.request.canonicalString())")
                    target = "new:\(createPool)"
                    targetPool = contents.pool  // the new pool mirrors the snapshot's
                } else {
                    target = try await cognito.createUserPool(blueprint.request)
                    output.message("created pool \(target) (\(createPool)) in \(region) from the snapshot's pool.json")
                    if let mode = blueprint.softwareTokenMfa {
                        do {
                            try await cognito.enableSoftwareTokenMfa(target, mode: mode)
                        } catch {
                            output.message("not carried over: MFA \(mode) with software tokens: \(error)")
                        }
                    }
                    targetPool = try await cognito.describeUserPool(target)
                }
            } else {
                do {
                    targetPool = try await cognito.describeUserPool(target)
                } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                    throw SnapError.poolNotFound(pool: target, region: region)
                }
            }
            let config = PoolConfiguration(pool: targetPool)
            let fresh = resume || createPool != nil
            let users = fresh ? [] : try await cognito.sampleUsers(target, limit: 5)
            let groups = fresh ? [] : try await cognito.sampleGroups(target, limit: 5)
            let plan = RestorePlan.make(snapshot: contents, target: config, targetUsers: users, targetGroups: groups, resume: resume)

            let paths = RestorePaths(snapshot: id, target: target, subMap: subMap)
            let subMapPath = paths.subMap, journalPath = paths.journal
            var rates: [QuotaCategory: Double] = [:]
            for c in QuotaCategory.allCases { rates[c] = await pacer.rate(of: c) }
            let estimate = plan.estimatedSeconds { rates[$0]! }
            var summary = Summary(
                snapshot: id, sourcePool: sourcePool, targetPool: target, store: store, dryRun: dryRun, plan: plan,
                estimate: estimate, subMap: subMapPath, journal: journalPath)

            notice.summary = summary.json
            if !plan.problems.isEmpty {
                if global.json { output.result(json: summary.json) }
                Output.error("cannot restore \(id) into \(target): \(plan.problems.count) problem(s); nothing was written:")
                for p in plan.problems { StandardStreams.err(Data("  - \(p)\n".utf8)) }
                throw ExitCode.failure
            }
            for n in plan.notes { output.message("note: \(n)") }
            for s in plan.skipped { output.message("skipped: \(s.username): \(s.reason)") }
            output.message(planLine(plan, estimate: estimate, rates: rates))
            notice.summary = summary.json
            if dryRun {
                if global.json {
                    output.result(json: summary.json)
                } else {
                    output.result("dry run: all checks passed; nothing was written")
                }
                return
            }

            var prior = JournalState()
            if resume {
                if let loaded = try RestoreJournal.load(path: journalPath) {
                    let state = loaded.state
                    if let s = state.snapshot, s != id || state.target != target {
                        throw SnapError.configuration(
                            "journal \(journalPath) belongs to snapshot \(s) into \(state.target ?? "?"), not \(id) into \(target); pass the same REF and pool, or a different --sub-map folder"
                        )
                    }
                    prior = state
                    output.message(
                        "resuming: the journal records \(state.groups.count) groups, \(state.users.count) users, \(state.members.count) memberships done; each is checked against the pool"
                    )
                } else {
                    output.message(
                        "resuming without a journal at \(journalPath): every user found in the pool is checked with AdminGetUser")
                }
            }
            let journal = try RestoreJournal(path: journalPath, truncate: !resume)
            if prior.snapshot == nil { try await journal.append(.start(snapshot: id, target: target, source: sourcePool)) }

            let kill = TestHooks.killAfterWrites
            var progress: (@Sendable (RestoreProgress) -> Void)?
            let meter = ProgressMeter(output: output, label: "restoring", unit: "writes")
            if meter.isShown {
                let totals = (plan.groups.count, plan.users.count, plan.passwords, plan.disables, plan.memberships.count)
                let all = totals.0 + totals.1 + totals.2 + totals.3 + totals.4
                progress = { p in
                    meter.set(
                        done: p.groups + p.users + p.passwords + p.disabled + p.memberships, total: all,
                        detail:
                            "groups \(p.groups)/\(totals.0)  users \(p.users)/\(totals.1)  passwords \(p.passwords)/\(totals.2)  disabled \(p.disabled)/\(totals.3)  memberships \(p.memberships)/\(totals.4)\(p.failures > 0 ? "  failures \(p.failures)" : "")"
                    )
                }
            }
            let executor = RestoreExecutor(
                cognito: cognito, pacer: pacer, plan: plan, journal: journal, prior: prior, passwordPolicy: config.passwordPolicy,
                killAfterWrites: kill, progress: progress)
            let outcome = try await executor.run()
            output.endProgress()
            try SubMapEntry.write(outcome.subMap, to: subMapPath)
            let elapsed = started.duration(to: .now)
            summary.outcome = outcome
            summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            notice.summary = summary.json
            report(summary, outcome: outcome, output: output)
            if !outcome.complete { throw ExitCode.failure }
        }
    }

    /// In --source-pool (else SNAP_USER_POOL_ID or user_pool_id in snap.toml); with none, wherever it is.
    private func findSnapshot(catalog: Catalog, ctx: Context) async throws -> (String, Catalog.Entry) {
        let pool: String?
        if let sourcePool {
            pool = sourcePool
        } else if let env = ctx.environment["SNAP_USER_POOL_ID"] {
            pool = env
        } else {
            pool = try ctx.config().userPoolId
        }
        let output = ctx.output
        let found = try await SnapshotLookup(catalog: catalog) { output.message("warning: \($0)") }.find(
            SnapshotRef(ref: ref, at: at), pool: pool)
        return (found.pool, found.entry)
    }

    // MARK: Reporting

    private func planLine(_ plan: RestorePlan, estimate: Double, rates: [QuotaCategory: Double]) -> String {
        let bottleneck = plan.calls.max { a, b in Double(a.value) / rates[a.key]! < Double(b.value) / rates[b.key]! }
        var line =
            "plan: \(plan.groups.count) groups, \(plan.users.count) users (\(plan.passwords) passwords to set, \(plan.disables) to disable), \(plan.memberships.count) memberships"
        if !plan.skipped.isEmpty {
            line += "; \(plan.skipped.count) federated users and \(plan.skippedMemberships.count) of their memberships skipped"
        }
        line += String(format: "; at least %.0fs at the configured quotas", estimate.rounded(.up))
        if let b = bottleneck, b.value > 0 { line += " (bottleneck \(b.key.rawValue) at " + String(format: "%.1f/s)", rates[b.key]!) }
        return line
    }

    private func report(_ s: Summary, outcome o: RestoreOutcome, output: Output) {
        for f in o.failures.prefix(50) { Output.error(f) }
        if o.failures.count > 50 { Output.error("... and \(o.failures.count - 50) more failures (see --json)") }
        if global.json {
            output.result(json: s.json)
            return
        }
        func line(_ kind: String, _ c: RestoreOutcome.Count) -> String {
            "\(kind): \(c.done)/\(c.planned)" + (c.existing > 0 ? " (\(c.existing) already there)" : "")
                + (c.failed > 0 ? ", \(c.failed) failed" : "")
        }
        output.message(
            [
                line("groups", o.groups), line("users", o.users), line("passwords", o.passwords), line("disabled", o.disabled),
                line("memberships", o.memberships),
            ].joined(separator: "; "))
        if !s.plan.skipped.isEmpty {
            output.message(
                "skipped \(s.plan.skipped.count) federated user(s): \(s.plan.skipped.map(\.username).prefix(20).joined(separator: ", "))")
        }
        output.message("sub map: \(s.subMap)")
        output.result(
            o.complete
                ? String(format: "restored \(s.snapshot) into \(s.targetPool) in %.1fs", s.seconds)
                : "restore of \(s.snapshot) into \(s.targetPool) is incomplete: \(o.failures.count) failure(s); fix them and run again with --resume"
        )
    }
}

/// The --json summary.
private struct Summary {
    var snapshot: String
    var sourcePool: String
    var targetPool: String
    var store: String
    var dryRun: Bool
    var plan: RestorePlan
    var estimate: Double
    var subMap: String
    var journal: String
    var outcome: RestoreOutcome?
    var seconds: Double = 0

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "snapshot": .string(snapshot), "sourcePool": .string(sourcePool), "targetPool": .string(targetPool),
            "store": .string(store), "dryRun": .bool(dryRun),
            "problems": .array(plan.problems.map { .string($0) }),
            "notes": .array(plan.notes.map { .string($0) }),
            "plan": [
                "groups": .int(plan.groups.count), "users": .int(plan.users.count), "passwords": .int(plan.passwords),
                "disabled": .int(plan.disables), "memberships": .int(plan.memberships.count),
                "estimatedSeconds": .number(String(format: "%.1f", estimate)),
            ],
            "skipped": .array(plan.skipped.map { ["username": .string($0.username), "reason": .string($0.reason)] }),
            "skippedMemberships": .int(plan.skippedMemberships.count),
        ]
        if let outcome {
            func count(_ c: RestoreOutcome.Count) -> JSONValue {
                ["planned": .int(c.planned), "written": .int(c.written), "existing": .int(c.existing), "failed": .int(c.failed)]
            }
            o["counts"] = [
                "groups": count(outcome.groups), "users": count(outcome.users), "passwords": count(outcome.passwords),
                "disabled": count(outcome.disabled), "memberships": count(outcome.memberships),
            ]
            o["failures"] = .array(outcome.failures.map { .string($0) })
            o["subMap"] = .string(subMap)
            o["journal"] = .string(journal)
            o["seconds"] = .number(String(format: "%.3f", seconds))
            o["ok"] = .bool(outcome.complete)
        } else {
            o["ok"] = .bool(plan.problems.isEmpty)
        }
        return .object(o)
    }
}
