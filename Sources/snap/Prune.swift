import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove snapshots a retention policy does not keep, in every store.",
        discussion: """
            restic's rules: --keep-last N keeps the N newest; --keep-hourly/daily/weekly/monthly/yearly N \
            keep the newest snapshot of each of the last N hours, days, ISO weeks, months, years (UTC) that \
            have one, and when such a count has room left, the oldest snapshot as well; --keep-within \
            SPAN keeps all taken within SPAN before now, in restic's units (y years, m months, w weeks, \
            d days, h hours: 7d, 36h, 1y2m3d; m is months, not minutes). Rules are ORed; \
            each kept snapshot is listed with its reasons. The newest snapshot is never removed. An empty \
            policy is refused. --drop-unchanged also removes a kept snapshot identical to the last kept one \
            before it, so every state the rules keep is still kept. \
            The policy is decided over all stores and applied per store: a snapshot is removed from a store \
            only when every kept snapshot newer than it (and, for an unchanged one, the kept snapshot with \
            its state) is present and intact in that same store, verified as fully as snap verify does \
            (checksums, every line, counts, memberships); otherwise that store keeps it, and says why \
            (snap sync fills the gap). A removal takes the .json first, then the archive; a failed one \
            stops that store's removals, and the summary counts only what was removed, naming any archive \
            left behind (debris for a later prune). Holds each \
            store's lock, like create (--wait-lock). \
            The policy may come from [prune] in snap.toml (keep_daily = 14, ...), so cron can run \
            `snap create && snap prune`. Also removes debris older than a day: archives without a \
            manifest, temporary files, unfinished multipart uploads. \
            Exit status: 0 when every store was read and pruned; 3 when some stores were and some could \
            not be (a line names each with the reason); 1 when none could; 4 when a running snap holds a \
            store's lock (nothing is removed then).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pools: AllPoolsFlag
    @OptionGroup var notify: NotifyOptions

    @Option(help: "Keep the N newest snapshots.") var keepLast: Int?
    @Option(help: "Keep the newest snapshot of each of the last N hours.") var keepHourly: Int?
    @Option(help: "Keep the newest snapshot of each of the last N days.") var keepDaily: Int?
    @Option(help: "Keep the newest snapshot of each of the last N ISO weeks.") var keepWeekly: Int?
    @Option(help: "Keep the newest snapshot of each of the last N months.") var keepMonthly: Int?
    @Option(help: "Keep the newest snapshot of each of the last N years.") var keepYearly: Int?
    @Option(
        help: ArgumentHelp(
            "Keep every snapshot taken within SPAN before now: y, m (months), w, d, h, combined (e.g. 7d, 36h, 1y2m3d).", valueName: "SPAN")
    )
    var keepWithin: String?
    @Flag(help: "Also remove a snapshot identical to the last kept one before it.") var dropUnchanged = false
    @Option(help: ArgumentHelp("Wait up to DURATION for a store's lock held by a running snap (default 0s).", valueName: "DURATION"))
    var waitLock: String?
    @Flag(help: "Print what would be removed; remove nothing.") var dryRun = false

    func validate() throws {
        for (flag, v) in [
            ("--keep-last", keepLast), ("--keep-hourly", keepHourly), ("--keep-daily", keepDaily), ("--keep-weekly", keepWeekly),
            ("--keep-monthly", keepMonthly), ("--keep-yearly", keepYearly),
        ] {
            if let v, v < 0 { throw ValidationError("\(flag) \(v): must be 0 or more") }
        }
        if let keepWithin { _ = try Self.keepWithin(keepWithin, from: "--keep-within") }
        if let waitLock { _ = try Durations.parse(waitLock, flag: "--wait-lock") }
    }

    /// Flags win; with no keep flag at all, the config file's [prune] table.
    func policy(_ file: ConfigFile) throws -> RetentionPolicy {
        var p = RetentionPolicy()
        let anyFlag = [keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly].contains { $0 != nil } || keepWithin != nil
        let t = anyFlag ? [:] : file.prune
        p.last = keepLast ?? Int(t["keep_last"] ?? "") ?? 0
        p.hourly = keepHourly ?? Int(t["keep_hourly"] ?? "") ?? 0
        p.daily = keepDaily ?? Int(t["keep_daily"] ?? "") ?? 0
        p.weekly = keepWeekly ?? Int(t["keep_weekly"] ?? "") ?? 0
        p.monthly = keepMonthly ?? Int(t["keep_monthly"] ?? "") ?? 0
        p.yearly = keepYearly ?? Int(t["keep_yearly"] ?? "") ?? 0
        if let w = keepWithin {
            p.within = try Self.keepWithin(w, from: "--keep-within")
        } else if let w = t["keep_within"] {
            p.within = try Self.keepWithin(w, from: "keep_within in snap.toml's [prune]")
        }
        p.dropUnchanged = dropUnchanged || file.prune["drop_unchanged"] == "true"
        guard !p.isEmpty else {
            throw ValidationError(
                "no retention policy: give at least one --keep-* option (or [prune] in snap.toml); prune never removes everything")
        }
        return p
    }

    func run() async throws {
        let ctx = Context(global)
        let notice = NotifyReport()
        if pools.all {
            // One notification for the whole run.
            return try await notify.run("prune", ctx: ctx, pool: nil, report: notice) {
                try await AllPools.run(ctx, notice: notice) { ctx, report in try await execute(ctx, notice: report) }
            }
        }
        // The pool's name for the notice only; a broken setting fails the command itself, and is reported there.
        try await notify.run("prune", ctx: ctx, pool: try? ctx.configuredPool(), report: notice) {
            try await execute(ctx, notice: notice)
        }
    }

    private func execute(_ ctx: Context, notice: NotifyReport) async throws {
        var failedStores = Set<String>()
        var storeCount = 0
        try await runReportingErrors {
            let config = try ctx.config()
            let policy = try policy(config)
            let wait = try Durations.parse(waitLock ?? config.waitLock ?? "0s", flag: "--wait-lock")
            let stores = try ctx.stores()
            storeCount = stores.count
            var rows: [JSONValue] = []
            var pruned: [JSONValue] = []
            let (pools, listFailures) = try await PoolSelection.pools(
                configured: try ctx.configuredPool(), catalog: Catalog(stores: stores))
            for f in listFailures {
                Output.error(f.description)
                failedStores.insert(f.store)
            }
            for pool in pools {
                var pruner = Pruner(stores: stores, policy: policy, waitLock: wait)
                pruner.tool = Snap.versionText
                // Its records of what it removed are signed as the snapshots are (sign in snap.toml).
                if let key = try Signing.key(ctx, flag: nil) { pruner.sign = Signing.closure(try Signing.signer(ctx, key: key)) }
                let outcome = try await pruner.run(pool: pool, dryRun: dryRun) { ctx.output.message($0) }
                for d in outcome.decisions {
                    if global.json {
                        rows.append([
                            "userPoolId": .string(pool), "id": .string(d.id.value), "keep": .bool(d.keep),
                            "reasons": .array(d.reasons.map { .string($0) }),
                            "removedFrom": .array(outcome.removed.filter { $0.id == d.id }.map { .string($0.store) }),
                            "keptIn": .array(outcome.spared.filter { $0.id == d.id }.map { .string($0.store) }),
                            "retainedIn": .array(
                                outcome.retained.filter { $0.id == d.id }.map {
                                    ["store": .string($0.store), "until": .string(Timestamp.format($0.until))]
                                }),
                        ])
                    } else {
                        ctx.output.result("\(d.keep ? "keep  " : "remove") \(pool)/\(d.id.value)  \(d.reasons.joined(separator: ", "))")
                    }
                }
                for f in outcome.failures { Output.error(f) }
                failedStores.formUnion(outcome.failedStores)
                let removing = outcome.decisions.filter { !$0.keep }.count
                // What was done, not what was meant: a snapshot counts once a copy of it is gone from a store.
                let gone = Set(outcome.removed.map(\.id)).count
                pruned.append([
                    "userPoolId": .string(pool), "dryRun": .bool(dryRun), "snapshots": .int(outcome.decisions.count),
                    "removed": .array(
                        dryRun
                            ? outcome.decisions.filter { !$0.keep }.map { .string($0.id.value) }
                            : Set(outcome.removed.map(\.id)).sorted().map { .string($0.value) }),
                    "copiesRemoved": .int(outcome.removed.count), "copiesSpared": .int(outcome.spared.count),
                    "debris": .int(outcome.debris.count),
                    "archivesLeft": .array(outcome.halfRemoved.map { .string($0.left) }),
                ])
                notice.summary = ["pools": .array(pruned)]
                let spared =
                    outcome.spared.isEmpty
                    ? ""
                    : "; \(outcome.spared.count) copies kept where what replaces them is missing or damaged (snap sync, then prune again)"
                let retained = outcome.retained.isEmpty ? "" : "; \(outcome.retained.count) copies kept under Object Lock retention"
                let unfinished =
                    dryRun || outcome.failures.isEmpty || gone + outcome.spared.count + outcome.retained.count >= removing
                    ? "" : "; the policy removes \(removing): the rest stay, see the errors above"
                let left =
                    outcome.halfRemoved.isEmpty
                    ? ""
                    : "; \(outcome.halfRemoved.count) removed but their archive left behind (debris, cleared by a later prune): \(outcome.halfRemoved.map(\.left).joined(separator: ", "))"
                ctx.output.message(
                    dryRun
                        ? "dry run: would remove \(removing) of \(outcome.decisions.count) snapshot(s) of \(pool) (\(outcome.removed.count) copies)\(spared)\(retained)"
                        : "removed \(gone) of \(outcome.decisions.count) snapshot(s) of \(pool) (\(outcome.removed.count) copies), \(outcome.debris.count) debris item(s)\(spared)\(retained)\(left)\(unfinished)"
                )
            }
            if global.json { ctx.output.result(json: .array(rows)) }
        }
        // A store that could not be read is never taken for an empty one.
        if failedStores.isEmpty { return }
        if failedStores.count >= storeCount { throw ExitCode.failure }
        throw ExitCode(3)
    }

    /// restic's duration units (`KeepWithin`), or a usage error naming where it came from.
    static func keepWithin(_ text: String, from source: String) throws -> KeepWithin {
        guard let w = KeepWithin(text) else { throw ValidationError("\(source) \(text): not a retention span; \(KeepWithin.usage)") }
        return w
    }
}
