import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy snapshots missing from, or damaged in, a store from a store with an intact copy.",
        discussion: """
            Every copy is verified first (a copy whose size differs from its .json is known damaged \
            without a download). One line per store and snapshot: ok, copied from STORE, or FAILED \
            and why. A .json that cannot be read is repaired from an intact copy; a store that cannot \
            be read (a local folder that does not exist included) is named and left alone. Each copy is \
            written with its own store's encryption setting. Holds each store's lock while it runs, as \
            create and prune do (--wait-lock), so a create never takes sync's uploads for debris. Exit 0 \
            when every store was read and ends holding every snapshot intact; 1 when a copy could not \
            be made or no store could be read; 3 when some stores could not be read; 4 when a running \
            snap holds a store's lock.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pools: AllPoolsFlag
    @OptionGroup var notify: NotifyOptions

    @Option(help: ArgumentHelp("Wait up to DURATION for a store's lock held by a running snap (default 0s).", valueName: "DURATION"))
    var waitLock: String?

    func validate() throws {
        if let waitLock { _ = try Durations.parse(waitLock, flag: "--wait-lock") }
    }

    func run() async throws {
        let ctx = Context(global)
        let notice = NotifyReport()
        if pools.all {
            // One notification for the whole run.
            return try await notify.run("sync", ctx: ctx, pool: nil, report: notice) {
                try await AllPools.run(ctx, notice: notice) { ctx, report in try await execute(ctx, notice: report) }
            }
        }
        // The pool's name for the notice only; a broken setting fails the command itself, and is reported there.
        try await notify.run("sync", ctx: ctx, pool: try? ctx.configuredPool(), report: notice) {
            try await execute(ctx, notice: notice)
        }
    }

    private func execute(_ ctx: Context, notice: NotifyReport) async throws {
        var failures = 0
        var unreadable = StoreFailures()
        var storeCount = 0
        try await runReportingErrors {
            let stores = try ctx.stores()
            storeCount = stores.count
            guard stores.count > 1 else {
                throw ValidationError("sync needs at least two stores (--store URL twice, SNAP_STORES or [[store]] in snap.toml)")
            }
            let wait = try Durations.parse(waitLock ?? ctx.config().waitLock ?? "0s", flag: "--wait-lock")
            let work = try WorkDirectory()
            defer { work.remove() }
            var rows: [JSONValue] = []
            var counts: [String: Int] = ["ok": 0, "copied": 0, "failed": 0]
            let meter = ProgressMeter(output: ctx.output, label: "syncing", unit: "copies")
            let (pools, listFailures) = try await PoolSelection.pools(
                configured: try ctx.configuredPool(), catalog: Catalog(stores: stores))
            unreadable.add(listFailures)
            for pool in pools {
                let storeFailures = try await Syncer(stores: stores, waitLock: wait).sync(
                    pool: pool, workDirectory: work.path, log: { ctx.output.message($0) }, planned: { meter.add(total: $0) }
                ) { r in
                    meter.advance(detail: "\(r.pool)/\(r.id.value)")
                    if meter.isShown { ctx.output.endProgress() }
                    let text: String
                    var row: [String: JSONValue] = ["store": .string(r.store), "userPoolId": .string(r.pool), "id": .string(r.id.value)]
                    switch r.action {
                    case .intact:
                        text = "ok"
                        row["action"] = "ok"
                    case .copied(let from):
                        text = "copied from \(from)"
                        row["action"] = "copied"
                        row["from"] = .string(from)
                    case .failed(let why):
                        failures += 1
                        text = "FAILED: \(why)"
                        row["action"] = "failed"
                        row["error"] = .string(why)
                    }
                    counts[row["action"]?.stringValue ?? "", default: 0] += 1
                    notice.summary = ["copies": .object(counts.mapValues { .int($0) })]
                    if global.json { rows.append(.object(row)) } else { ctx.output.result("\(r.store)  \(r.pool)/\(r.id.value)  \(text)") }
                }
                unreadable.add(storeFailures)
                if storeFailures.count == stores.count {
                    throw SnapError.storeFailed(
                        store: stores.map(\.url).joined(separator: ", "),
                        reason: "no store could be read: " + storeFailures.map(\.description).joined(separator: "; "))
                }
            }
            meter.finish()
            if global.json { ctx.output.result(json: .array(rows)) }
        }
        if failures > 0 {
            unreadable.report()
            throw ExitCode.failure
        }
        try unreadable.exitIfAny(storeCount: storeCount)
    }
}
