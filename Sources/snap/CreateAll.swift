import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `snap create --all [--discover REGION,…] [--parallel N]`.
struct CreateAllOptions: ParsableArguments {
    @Flag(
        help:
            "Every pool of snap.toml's [[pool]] tables (or, with --discover, every pool ListUserPools finds), each into its own stores under its own lock; pools of one account and region share one pacer. One line per pool and a total; --json: one object per pool, then {\"summary\":…}; one notification. Exit 0 when all pools succeeded, 3 when some did, 1 when none did."
    )
    var all = false

    @Option(
        help: ArgumentHelp(
            "With --all: take every pool ListUserPools finds in these regions (the run's own credentials), into the default stores, instead of snap.toml's [[pool]] tables.",
            valueName: "REGION[,REGION…]"))
    var discover: String?

    @Option(
        help: ArgumentHelp(
            "With --all: pools exported at once (default: 2 per account and region, at most 8). More only helps while a pool's listing cannot use its account and region's whole budget.",
            valueName: "N"))
    var parallel: Int?

    var regions: [String]? {
        discover.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    func validate(_ global: GlobalOptions) throws {
        if discover != nil && !all { throw ValidationError("--discover goes with --all: snap create --all --discover REGION[,REGION…]") }
        if let regions, regions.isEmpty {
            throw ValidationError("--discover: name at least one region, e.g. --discover us-east-1,eu-west-1")
        }
        if let parallel, parallel < 1 { throw ValidationError("--parallel \(parallel): must be 1 or more") }
        if parallel != nil && !all { throw ValidationError("--parallel goes with --all") }
        if all && global.userPoolId != nil { throw ValidationError("--all and --user-pool-id: give one or the other") }
    }
}

/// `snap create --all`: every pool, concurrently as far as `--parallel` allows, each with its own lock,
/// stores and snapshot; one pacer per account and region (STS GetCallerIdentity once per set of
/// credentials) shared by that account and region's pools, so their combined rate stays within the share
/// and a throttle slows them all. A pool's failure never stops the others.
struct CreateAll {
    let ctx: Context
    let flags: CreateFlags
    let options: CreateAllOptions
    let quotas: QuotaOptions
    let notice: NotifyReport

    /// A pool ready to run: its context (id, stores, settings, credentials) and its lane (account/region).
    struct Job: Sendable {
        var entry: PoolEntry
        var ctx: Context
        var account: String
        var lane: String { account + "/" + entry.effectiveRegion }
    }

    func run() async throws {
        let started = ContinuousClock.now
        var pacers: [String: QuotaPacer] = [:]
        var identities = Identities(ctx: ctx)
        var outcomes: [PoolOutcome] = []
        var entries: [PoolEntry]
        if let regions = options.regions {
            (entries, outcomes) = await discover(regions, identities: &identities, pacers: &pacers)
        } else {
            entries = try AllPools.entries(ctx)
        }

        var jobs: [Job] = []
        for entry in entries {
            switch await identities.resolve(entry) {
            case .success(let (credentials, account)):
                jobs.append(Job(entry: entry, ctx: ctx.forPool(entry, credentials: credentials), account: account))
            case .failure(let why):
                Output.$pool.withValue(entry.id) { Output.error(why.description) }
                outcomes.append(
                    PoolOutcome(pool: entry.id, region: entry.effectiveRegion, exitCode: 1, errors: [entry.id + ": " + why.description]))
            }
        }
        for job in jobs where pacers[job.lane] == nil { pacers[job.lane] = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota) }
        let lanes = Set(jobs.map(\.lane))
        let limit = options.parallel ?? min(8, max(1, 2 * lanes.count))
        if !jobs.isEmpty {
            ctx.output.message(
                "create --all: \(jobs.count) pool(s) in \(lanes.count) account/region lane(s) (\(lanes.sorted().joined(separator: ", "))), \(limit) at once"
            )
        }

        var scheduler = FleetScheduler(lanes: jobs.map(\.lane), limit: limit)
        let output = ctx.output
        let json = ctx.options.json
        await withTaskGroup(of: (Int, PoolOutcome).self) { group in
            while true {
                while let i = scheduler.next() {
                    let job = jobs[i]
                    let pacer = pacers[job.lane]!
                    let flags = flags
                    group.addTask { (i, await Self.runPool(job, flags: flags, pacer: pacer)) }
                }
                guard let (i, outcome) = await group.next() else { break }
                scheduler.finished(lane: jobs[i].lane)
                outcomes.append(outcome)
                if json { output.result(json: outcome.json) } else { output.result(Self.line(outcome)) }
            }
        }
        let fleet = FleetOutcome(pools: outcomes, seconds: AllPools.seconds(since: started))
        notice.summary = .object(["pools": .array(outcomes.map(\.json)), "summary": fleet.summaryJSON["summary"] ?? .null])
        for o in outcomes { for e in o.errors { notice.error(e) } }
        try AllPools.finish(fleet, output: output, json: json)
    }

    /// One pool's create, its lines on stderr named after it; never throws: its outcome says how it ended.
    static func runPool(_ job: Job, flags: CreateFlags, pacer: QuotaPacer) async -> PoolOutcome {
        let started = ContinuousClock.now
        let report = NotifyReport()
        var code: Int32 = 0
        var detail: [String: JSONValue] = [:]
        do {
            try await Output.$pool.withValue(job.entry.id) {
                try await Output.$errorReport.withValue(report) {
                    try await runReportingErrors {
                        let outcome = try await flags.createPool(job.ctx, pacer: pacer, progress: false)
                        if case .object(let o) = Create.json(outcome) { detail = o }
                        Create.reportProblems(outcome, output: job.ctx.output)
                        if outcome.noneWritten { throw ExitCode.failure }
                        if !outcome.allWritten { throw ExitCode(3) }
                    }
                }
            }
        } catch let e as ExitCode {
            code = e.rawValue
        } catch {
            Output.$pool.withValue(job.entry.id) { Output.error("\(error)") }
            report.error(job.entry.id + ": \(error)")
            code = 1
        }
        let outcome = PoolOutcome(
            pool: job.entry.id, region: job.entry.effectiveRegion, account: job.account, exitCode: code, errors: report.errors,
            seconds: AllPools.seconds(since: started), detail: detail)
        await notifyPoolOwners(job, outcome)
        return outcome
    }

    /// A `[[pool]]`'s own `notify` (its team's topic) hears of its pool too, besides the run's one notification.
    static func notifyPoolOwners(_ job: Job, _ outcome: PoolOutcome) async {
        guard let targets = job.entry.notify, !targets.isEmpty else { return }
        let parsed: [NotifyTarget]
        do {
            parsed = try targets.map { try NotifyTarget($0) }
        } catch {
            Output.$pool.withValue(job.entry.id) { Output.error("notify in [[pool]] (\(job.entry.origin)): \(error)") }
            return
        }
        let notification = Notification(
            command: "create", exitCode: outcome.exitCode, userPoolId: job.entry.id, summary: outcome.json, errors: outcome.errors,
            tool: Snap.versionText)
        let failures = await Notifier(
            targets: parsed, environment: job.ctx.environment, http: job.ctx.http, credentials: job.ctx.credentials
        )
        .send(notification)
        for f in failures { StandardStreams.err(Data("snap: warning: \(job.entry.id): \(f)\n".utf8)) }
    }

    /// `POOL ID: N users, … in Ts`, or `POOL failed: why`.
    static func line(_ o: PoolOutcome) -> String {
        let head = "\(o.pool) (\(o.region)\(o.account.map { ", " + $0 } ?? ""))"
        // The error lines already name the pool (`POOL: …`): once is enough here.
        let why = (o.errors.last ?? "exit \(o.exitCode)").replacingOccurrences(of: o.pool + ": ", with: "", options: .anchored)
        guard let id = o.detail["id"]?.stringValue, o.status != .failed else { return head + " failed: " + why }
        let counts = o.detail["counts"]
        let n = { (k: String) in counts?[k]?.intValue.map(String.init) ?? "?" }
        return head + " \(id): \(n("users")) users, \(n("groups")) groups, \(n("memberships")) memberships"
            + String(format: " in %.1fs", o.seconds) + (o.status == .partial ? " (partial: " + why + ")" : "")
    }

    /// `--discover`: every pool ListUserPools shows in each region with the run's own credentials; a region
    /// that cannot be listed is a failed entry of its own, named `discover:REGION`.
    private func discover(_ regions: [String], identities: inout Identities, pacers: inout [String: QuotaPacer]) async -> (
        [PoolEntry], [PoolOutcome]
    ) {
        var found: [PoolEntry] = []
        var failed: [PoolOutcome] = []
        for region in regions {
            let probe = PoolEntry(id: region + "_discover", region: region)
            do {
                let (credentials, account) = try await identities.resolve(probe).get()
                let lane = account + "/" + region
                if pacers[lane] == nil { pacers[lane] = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota) }
                let cognito = try ctx.forPool(probe, credentials: credentials).cognito(region: region, http: ctx.http, pacer: pacers[lane]!)
                let ids = try await cognito.listUserPoolIds()
                ctx.output.message("--discover: \(ids.count) pool(s) in \(region) (account \(account))")
                found += ids.map { PoolEntry(id: $0, region: region) }
            } catch {
                let why =
                    "--discover \(region): ListUserPools failed: \(error); allow cognito-idp:ListUserPools there, or name the pools in [[pool]] tables"
                Output.error(why)
                failed.append(PoolOutcome(pool: "discover:" + region, region: region, exitCode: 1, errors: [why]))
            }
        }
        return (found, failed)
    }
}
