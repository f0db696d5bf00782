import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `--all` on list, verify, check, prune and sync: the command once per `[[pool]]` of snap.toml.
struct AllPoolsFlag: ParsableArguments {
    @Flag(
        help:
            "Every pool of snap.toml's [[pool]] tables, one after another, each with its own stores and settings; a pool's failure never stops the others; one line per pool and a total at the end. Exit 0 when all pools succeeded, 3 when some did, 1 when none did."
    )
    var all = false
}

enum AllPools {
    /// The `[[pool]]` tables, or a usage error saying how to write one.
    static func entries(_ ctx: Context) throws -> [PoolEntry] {
        let file = try ctx.config()
        guard !file.pools.isEmpty else {
            let where_ =
                file.path.isEmpty
                ? "there is no snap.toml (--config FILE, $SNAP_CONFIG or ./snap.toml)" : "\(file.path) has no [[pool]] table"
            throw ValidationError(
                "--all takes the pools of snap.toml's [[pool]] tables, and \(where_): add one per pool ([[pool]] then id = \"REGION_ID\"), or use create --all --discover REGION"
            )
        }
        if ctx.options.userPoolId != nil {
            throw ValidationError("--all and --user-pool-id: give one or the other")
        }
        return file.pools
    }

    /// Runs `body`, a whole one-pool command (its own error lines and exit status), for every pool in turn,
    /// each line it prints naming its pool; then the total. Exit 0 when all pools succeeded, 3 when some
    /// did, 1 when none did.
    static func run(_ ctx: Context, notice: NotifyReport? = nil, _ body: (Context, NotifyReport) async throws -> Void) async throws {
        let started = ContinuousClock.now
        var outcomes: [PoolOutcome] = []
        for entry in try entries(ctx) {
            let poolStart = ContinuousClock.now
            let report = NotifyReport()
            var code: Int32 = 0
            if !ctx.options.json && !ctx.options.quiet { ctx.output.result("# \(entry.id) (\(entry.effectiveRegion))") }
            do {
                try await Output.$pool.withValue(entry.id) {
                    try await Output.$errorReport.withValue(report) { try await body(ctx.forPool(entry), report) }
                }
            } catch let e as ExitCode {
                code = e.rawValue
            } catch {
                // What runReportingErrors did not turn into an exit status (a usage error of this pool's settings).
                Output.$pool.withValue(entry.id) { Output.error("\(error)") }
                report.error("\(error)")
                code = 1
            }
            if [130, 141, 143].contains(code) { throw ExitCode(code) }  // interrupted, or stdout gone: stop here
            outcomes.append(
                PoolOutcome(
                    pool: entry.id, region: entry.effectiveRegion, exitCode: code, errors: report.errors,
                    seconds: seconds(since: poolStart), detail: report.summary.map { ["summary": $0] } ?? [:]))
        }
        let fleet = FleetOutcome(pools: outcomes, seconds: seconds(since: started))
        if let notice {
            notice.summary = .object(["pools": .array(outcomes.map(\.json)), "summary": fleet.summaryJSON["summary"] ?? .null])
            for o in outcomes { for e in o.errors { notice.error(e) } }
        }
        try finish(fleet, output: ctx.output, json: ctx.options.json)
    }

    /// The total on stderr (and, with --json, `{"summary":…}` on stdout); then the exit status.
    static func finish(_ fleet: FleetOutcome, output: Output, json: Bool) throws {
        if json { output.result(json: fleet.summaryJSON) }
        output.message(fleet.line)
        if fleet.exitCode != 0 { throw ExitCode(fleet.exitCode) }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
