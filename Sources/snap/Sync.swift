import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy snapshots missing from, or damaged in, a store from a store with an intact copy.",
        discussion: """
            Every copy is verified first. One line per store and snapshot: ok, copied from STORE, \
            or FAILED and why. Exit 0 when every store ends holding every snapshot intact, 1 otherwise.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let ctx = Context(global)
        var failures = 0
        try await runReportingErrors {
            let stores = try ctx.stores()
            guard stores.count > 1 else {
                throw ValidationError("sync needs at least two stores (--store URL twice, SNAP_STORES or [[store]] in snap.toml)")
            }
            let work = try WorkDirectory()
            defer { work.remove() }
            var rows: [JSONValue] = []
            for pool in try await PoolSelection.pools(ctx: ctx, stores: stores) {
                try await Syncer(stores: stores).sync(pool: pool, workDirectory: work.path) { r in
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
                    if global.json { rows.append(.object(row)) } else { ctx.output.result("\(r.store)  \(r.pool)/\(r.id.value)  \(text)") }
                }
            }
            if global.json { ctx.output.result(json: .array(rows)) }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
