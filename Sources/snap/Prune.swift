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
            have one; --keep-within DURATION keeps all within that time of the newest. Rules are ORed; \
            each kept snapshot is listed with its reasons. The newest snapshot is never removed. An empty \
            policy is refused. --drop-unchanged also removes a snapshot identical to the one before it. \
            The policy may come from [prune] in snap.toml (keep_daily = 14, ...), so cron can run \
            `snap create && snap prune`. Also removes debris older than a day: archives without a \
            manifest, temporary files, unfinished multipart uploads.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Keep the N newest snapshots.") var keepLast: Int?
    @Option(help: "Keep the newest snapshot of each of the last N hours.") var keepHourly: Int?
    @Option(help: "Keep the newest snapshot of each of the last N days.") var keepDaily: Int?
    @Option(help: "Keep the newest snapshot of each of the last N ISO weeks.") var keepWeekly: Int?
    @Option(help: "Keep the newest snapshot of each of the last N months.") var keepMonthly: Int?
    @Option(help: "Keep the newest snapshot of each of the last N years.") var keepYearly: Int?
    @Option(help: ArgumentHelp("Keep every snapshot within DURATION of the newest (e.g. 7d, 36h).", valueName: "DURATION"))
    var keepWithin: String?
    @Flag(help: "Also remove a snapshot identical to the one before it.") var dropUnchanged = false
    @Flag(help: "Print what would be removed; remove nothing.") var dryRun = false

    func validate() throws {
        for (flag, v) in [
            ("--keep-last", keepLast), ("--keep-hourly", keepHourly), ("--keep-daily", keepDaily), ("--keep-weekly", keepWeekly),
            ("--keep-monthly", keepMonthly), ("--keep-yearly", keepYearly),
        ] {
            if let v, v < 0 { throw ValidationError("\(flag) \(v): must be 0 or more") }
        }
        if let keepWithin { _ = try Durations.parse(keepWithin, flag: "--keep-within") }
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
        if let w = keepWithin ?? t["keep_within"] { p.within = try Durations.parse(w, flag: "--keep-within") }
        p.dropUnchanged = dropUnchanged || file.prune["drop_unchanged"] == "true"
        guard !p.isEmpty else {
            throw ValidationError(
                "no retention policy: give at least one --keep-* option (or [prune] in snap.toml); prune never removes everything")
        }
        return p
    }

    func run() async throws {
        let ctx = Context(global)
        var failed = false
        try await runReportingErrors {
            let policy = try policy(try ctx.config())
            let stores = try ctx.stores()
            var rows: [JSONValue] = []
            for pool in try await PoolSelection.pools(ctx: ctx, stores: stores).pools {
                let outcome = try await Pruner(stores: stores, policy: policy).run(pool: pool, dryRun: dryRun) { ctx.output.message($0) }
                for d in outcome.decisions {
                    if global.json {
                        rows.append([
                            "userPoolId": .string(pool), "id": .string(d.id.value), "keep": .bool(d.keep),
                            "reasons": .array(d.reasons.map { .string($0) }),
                        ])
                    } else {
                        ctx.output.result("\(d.keep ? "keep  " : "remove") \(pool)/\(d.id.value)  \(d.reasons.joined(separator: ", "))")
                    }
                }
                for f in outcome.failures { Output.error(f) }
                failed = failed || !outcome.failures.isEmpty
                let removing = outcome.decisions.filter { !$0.keep }.count
                ctx.output.message(
                    dryRun
                        ? "dry run: would remove \(removing) of \(outcome.decisions.count) snapshot(s) of \(pool)"
                        : "removed \(removing) of \(outcome.decisions.count) snapshot(s) of \(pool) (\(outcome.removed.count) copies), \(outcome.debris.count) debris item(s)"
                )
            }
            if global.json { ctx.output.result(json: .array(rows)) }
        }
        if failed { throw ExitCode.failure }
    }
}
