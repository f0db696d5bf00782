import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `snap restore REF --user-pool-id LIVE --only-missing`: options in, `OnlyMissingRestore` run, report out.
extension Restore {
    func executeOnlyMissing(_ ctx: Context, notice: NotifyReport) async throws {
        let output = ctx.output
        try await runReportingErrors {
            let started = ContinuousClock.now
            let target = global.userPoolId ?? ""
            let scope = try onlyMissing.scope()
            let catalog = Catalog(stores: try ctx.stores())
            let (sourcePool, entry) = try await findSnapshot(catalog: catalog, ctx: ctx)
            let id = entry.id.value
            output.message(
                "snapshot \(id) of \(sourcePool) (\(entry.manifest.createdAt)): \(entry.manifest.counts.users) users, \(entry.manifest.counts.groups) groups, \(entry.manifest.counts.memberships) memberships"
            )
            let source = try await RestoreSource.open(catalog: catalog, entry: entry, pool: sourcePool) {
                output.message("warning: \($0); trying the next store")
            }
            defer { source.remove() }
            if source.store != entry.stores.first { output.message("read the intact copy in \(source.store)") }

            let region = ctx.region(forPool: target)
            let pacer = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota)
            let cognito = try ctx.cognito(region: region, http: HTTPClient(maxIdleHandles: 96), pacer: pacer)
            let pool: JSONValue
            do {
                pool = try await cognito.describeUserPool(target)
            } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                throw SnapError.poolNotFound(pool: target, region: region)
            }
            let paths = OnlyMissingPaths(snapshot: id, target: target, subMap: subMap)
            var restore = OnlyMissingRestore(
                cognito: cognito, pacer: pacer, source: source, target: PoolConfiguration(pool: pool), scope: scope, paths: paths)
            restore.options = RestoreOptions(keepOldSub: keepOldSub)
            output.message("reading pool \(target) and joining it with the snapshot, as `snap diff \(id) pool:\(target)` does")
            let (found, planned) = try await restore.plan(resume: resume, dryRun: dryRun, log: { output.message($0) })
            var plan = planned
            if plan.hasLinks {
                plan.resolveLinks(
                    targetProviders: Set(try await cognito.listIdentityProviders(target).compactMap { $0["ProviderName"]?.stringValue }))
            }

            var summary = OnlyMissingSummary(
                snapshot: id, sourcePool: sourcePool, targetPool: target, store: source.store, dryRun: dryRun, found: found, plan: plan,
                paths: paths)
            notice.summary = summary.json
            if !plan.problems.isEmpty {
                if global.json { output.result(json: summary.json) }
                Output.error(
                    "cannot restore the missing records of \(id) into \(target): \(plan.problems.count) problem(s); nothing was written:")
                for p in plan.problems { StandardStreams.err(Data("  - \(p)\n".utf8)) }
                throw ExitCode.failure
            }
            listFindings(found, plan: plan, output: output)
            for l in MFAReport.planLines(plan, manifest: entry.manifest, targetPool: pool) { output.message(l) }
            for l in LinkReport.planLines(plan) { output.message(l) }
            if dryRun {
                // The run fails what is taken or held by another user: so does its dry run.
                if global.json {
                    output.result(json: summary.json)
                } else if found.blocked == 0 {
                    output.result("dry run: all checks passed; nothing was written")
                } else {
                    output.result(
                        "dry run: the run would not bring back \(found.blocked) user(s) (\(found.taken.count) username(s) taken by different users, \(found.conflicts.count) sign-in value(s) held by other users; listed above) and would exit 1; nothing was written"
                    )
                }
                if !summary.ok { throw ExitCode.failure }
                return
            }

            var progress: (@Sendable (RestoreProgress) -> Void)?
            let meter = ProgressMeter(output: output, label: "restoring what the pool lacks", unit: "writes")
            if meter.isShown {
                let all = plan.groups.count + plan.userCount + plan.passwords + plan.disables + plan.membershipCount
                progress = { p in
                    meter.set(
                        done: p.groups + p.users + p.passwords + p.disabled + p.memberships, total: all,
                        detail:
                            "groups \(p.groups)  users \(p.users)  memberships \(p.memberships)\(p.failures > 0 ? "  failures \(p.failures)" : "")"
                    )
                }
            }
            let outcome = try await restore.run(
                found, plan: plan, snapshot: id, sourcePool: sourcePool, resume: resume, killAfterWrites: TestHooks.killAfterWrites,
                progress: progress, log: { output.message($0) })
            output.endProgress()
            // Check, don't trust: the pool is joined with the snapshot again, and must lack nothing this run
            // was to bring back (what is taken, held or differs is listed as before, and left alone).
            if outcome.complete {
                output.message("reading \(target) back: joining it with the snapshot again")
                let (after, _) = try await restore.plan(resume: false, dryRun: true, readBack: true, log: { output.message($0) })
                summary.stillMissing = after.isEmpty ? [] : Self.missing(after)
            }
            let elapsed = started.duration(to: .now)
            summary.outcome = outcome
            summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            notice.summary = summary.json
            reportOnlyMissing(summary, outcome: outcome, output: output)
            if !summary.ok { throw ExitCode.failure }
        }
    }

    /// What a read-back join still finds missing, one phrase per kind.
    static func missing(_ f: OnlyMissingPlan) -> [String] {
        var out: [String] = []
        if !f.groups.isEmpty { out.append("\(f.groups.count) group(s) (\(RestorePlan.examples(f.groups.map(\.name))))") }
        if f.users > 0 { out.append("\(f.users) user(s)") }
        if f.existingMemberships > 0 { out.append("\(f.existingMemberships) membership(s) of users the pool holds") }
        return out
    }

    /// What will be created, what differs and is left alone, what is taken: before any write, and with --dry-run.
    private func listFindings(_ f: OnlyMissingPlan, plan: RestorePlan, output: Output) {
        let cap = 50
        for g in f.groups { output.message("+ group \(g.name)") }
        output.message(
            "plan: \(f.groups.count) groups, \(f.users) users (\(plan.passwords) passwords to set, \(plan.disables) to disable), \(f.restoredMemberships) memberships of those users, \(f.existingMemberships) memberships of users the pool holds"
        )
        for n in plan.notes { output.message("note: \(n)") }
        for d in f.differences.first.prefix(cap) { output.message("differs, left as is (snapshot -> pool): \(d.text)") }
        if f.differences.count > cap {
            output.message("... and \(f.differences.count - cap) more differences (--json lists \(OnlyMissingPlan.shown); snap diff all)")
        }
        for t in f.taken.first.prefix(cap) {
            output.message(
                "taken: user \(t.username) in the pool is a different user (sub \(t.poolSub), the snapshot's \(t.snapshotSub)): not restored, nor its memberships; delete or rename the pool's user and run again, or leave it"
            )
        }
        if f.taken.count > cap { output.message("... and \(f.taken.count - cap) more taken usernames (see --json)") }
        for c in f.conflicts.first.prefix(cap) {
            let how =
                c.alias == "username"
                ? "its username is the pool's user \(c.holder)'s, case aside, and the pool's usernames are case-insensitive"
                : c.alias.map { "its \($0) \(c.value) is the alias of the pool's user \(c.holder)" }
                    ?? "its sign-in value \(c.value) is held by the pool's user \(c.holder), with a different \(c.differing.joined(separator: ", "))"
            output.message(
                "held: user \(c.username) cannot be re-created: \(how); the run fails it. Delete or fix \(c.holder) and run again, or leave it"
            )
        }
        if f.conflicts.count > cap { output.message("... and \(f.conflicts.count - cap) more sign-in values held (see --json)") }
        if f.takenMemberships.count > 0 {
            output.message(
                "\(f.takenMemberships.count) membership(s) of taken usernames not added: \(f.takenMemberships.first.prefix(10).map { "\($0.group) \($0.username)" }.joined(separator: ", "))"
            )
        }
        if f.federated.count > 0 {
            output.message(
                "skipped \(f.federated.count) federated user(s) the pool lacks (the admin API cannot create them; they come back at their next sign-in) and \(f.federatedMemberships) of their memberships: \(f.federated.first.prefix(20).joined(separator: ", "))"
            )
        }
        for l in f.leftOut.first.prefix(cap) { output.message("left for another run: \(l)") }
        if f.leftOut.count > cap { output.message("... and \(f.leftOut.count - cap) more left out by --only") }
    }

    private func reportOnlyMissing(_ s: OnlyMissingSummary, outcome o: RestoreOutcome, output: Output) {
        RestoreReport.failures(o)
        if !s.stillMissing.isEmpty {
            Output.error(
                "read back: every planned write was acknowledged, but \(s.targetPool) still lacks \(s.stillMissing.joined(separator: ", ")) of \(s.snapshot). Something removed them during the run (another process, a Lambda trigger), or a write was lost: see them with `snap restore \(s.snapshot) --user-pool-id \(s.targetPool) --only-missing --dry-run`, and run it again"
            )
        }
        if global.json {
            output.result(json: s.json)
            return
        }
        output.message(RestoreReport.counts(o))
        for l in MFAReport.outcomeLines(o) { output.message(l) }
        for l in LinkReport.outcomeLines(o) { output.message(l) }
        output.message("sub map: \(s.paths.subMap)")
        if o.complete && s.stillMissing.isEmpty { output.message("read back: \(s.targetPool) lacks nothing this run was to bring back") }
        if !o.complete {
            output.result(
                "the missing records of \(s.snapshot) are not all back in \(s.targetPool): \(o.failureCount) failure(s); fix them and run again with --resume"
            )
        } else if !s.stillMissing.isEmpty {
            output.result(
                "the missing records of \(s.snapshot) are not all back in \(s.targetPool): the read-back found some still missing (above)")
        } else if s.found.taken.count > 0 {
            output.result(
                "restored what \(s.targetPool) lacked of \(s.snapshot), but \(s.found.taken.count) username(s) are taken by different users and were not restored (listed above)"
            )
        } else {
            output.result(String(format: "restored what \(s.targetPool) lacked of \(s.snapshot) in %.1fs", s.seconds))
        }
    }
}

/// The --json summary of an --only-missing run.
private struct OnlyMissingSummary {
    var snapshot: String
    var sourcePool: String
    var targetPool: String
    var store: String
    var dryRun: Bool
    var found: OnlyMissingPlan
    var plan: RestorePlan
    var paths: OnlyMissingPaths
    var outcome: RestoreOutcome?
    var seconds: Double = 0

    /// The checks passed, no username is taken nor sign-in value held by another user, and, after a run,
    /// everything the pool lacked is back. A dry run is ok exactly when its run would be, failures aside.
    var ok: Bool { plan.problems.isEmpty && found.blocked == 0 && (outcome?.complete ?? true) && stillMissing.isEmpty }
    /// What the read-back after a complete run still found missing (empty: nothing).
    var stillMissing: [String] = []

    var json: JSONValue {
        let f = found
        var o: [String: JSONValue] = [
            "snapshot": .string(snapshot), "sourcePool": .string(sourcePool), "targetPool": .string(targetPool),
            "store": .string(store), "dryRun": .bool(dryRun), "onlyMissing": true,
            "problems": .array(plan.problems.map { .string($0) }),
            "notes": .array(plan.notes.map { .string($0) }),
            "plan": [
                "groups": .int(f.groups.count), "groupNames": .array(f.groups.map { .string($0.name) }), "users": .int(f.users),
                "passwords": .int(plan.passwords),
                "disabled": .int(plan.disables), "memberships": .int(f.restoredMemberships),
                "existingMemberships": .int(f.existingMemberships),
            ],
            "differences": .array(f.differences.first.map(\.json)), "differenceCount": .int(f.differences.count),
            "taken": .array(
                f.taken.first.map {
                    ["username": .string($0.username), "snapshotSub": .string($0.snapshotSub), "poolSub": .string($0.poolSub)]
                }
            ),
            "takenCount": .int(f.taken.count),
            "conflicts": .array(
                f.conflicts.first.map {
                    [
                        "username": .string($0.username), "value": .string($0.value), "holder": .string($0.holder),
                        "alias": $0.alias.map { .string($0) } ?? .null, "differing": .array($0.differing.map { .string($0) }),
                    ]
                }
            ),
            "conflictCount": .int(f.conflicts.count),
            "takenMemberships": .array(f.takenMemberships.first.map(\.json)), "takenMembershipCount": .int(f.takenMemberships.count),
            "federated": .array(f.federated.first.map { .string($0) }), "federatedCount": .int(f.federated.count),
            "federatedMemberships": .int(f.federatedMemberships),
            "leftOut": .array(f.leftOut.first.map { .string($0) }), "leftOutCount": .int(f.leftOut.count),
            "unknownUsers": .array(f.unknownUsers.map { .string($0) }),
            "subMap": .string(paths.subMap), "journal": .string(paths.journal),
            "mfa": MFAReport.json(plan: plan, outcome: outcome),
            "links": LinkReport.json(plan: plan, outcome: outcome),
        ]
        if outcome?.complete == true { o["stillMissing"] = .array(stillMissing.map { .string($0) }) }
        if let outcome {
            func count(_ c: RestoreOutcome.Count) -> JSONValue {
                ["planned": .int(c.planned), "written": .int(c.written), "existing": .int(c.existing), "failed": .int(c.failed)]
            }
            o["counts"] = [
                "groups": count(outcome.groups), "users": count(outcome.users), "passwords": count(outcome.passwords),
                "disabled": count(outcome.disabled), "memberships": count(outcome.memberships), "mfa": count(outcome.mfa),
                "links": count(outcome.links),
            ]
            o["failures"] = .array(outcome.failures.map { .string($0) })
            o["failureCount"] = .int(outcome.failureCount)
            o["seconds"] = .number(String(format: "%.3f", seconds))
        }
        o["ok"] = .bool(ok)
        return .object(o)
    }
}
