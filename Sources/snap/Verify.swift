import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every copy of snapshots in every store.",
        discussion: """
            Downloads each copy and checks the archive's sha256, each member's sha256 and record \
            count against the manifest, the JSON of every line and the sort order. One line per \
            store and snapshot: ok, or what is wrong. No REF (or --all): every snapshot. \
            Exit 0 when every copy is intact, 1 otherwise.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Every snapshot (the default when no REF is given).")
    var all = false

    @Argument(help: "Snapshots to check: ID, unique prefix, latest, latest~N.")
    var refs: [String] = []

    func validate() throws {
        if all && !refs.isEmpty { throw ValidationError("give REFs or --all, not both") }
    }

    func run() async throws {
        let ctx = Context(global)
        var bad = 0
        try await runReportingErrors {
            let stores = try ctx.stores()
            let work = try WorkDirectory()
            defer { work.remove() }
            var targets: [(String, Set<SnapshotID>?)] = []
            if refs.isEmpty {
                targets = try await PoolSelection.pools(ctx: ctx, stores: stores).map { ($0, nil) }
            } else {
                var byPool: [String: Set<SnapshotID>] = [:]
                for ref in refs {
                    let (pool, entry) = try await SnapshotLookup.find(ref, ctx: ctx)
                    byPool[pool, default: []].insert(entry.id)
                }
                targets = byPool.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            }
            var rows: [JSONValue] = []
            for (pool, ids) in targets {
                try await Verifier(stores: stores).verify(pool: pool, ids: ids, workDirectory: work.path) { r in
                    if !r.ok { bad += 1 }
                    if global.json {
                        rows.append([
                            "store": .string(r.store), "userPoolId": .string(r.pool), "id": .string(r.id.value), "ok": .bool(r.ok),
                            "error": r.problem.map { .string($0) } ?? .null,
                        ])
                    } else {
                        ctx.output.result("\(r.store)  \(r.pool)/\(r.id.value)  \(r.problem.map { "FAILED: \($0)" } ?? "ok")")
                    }
                }
            }
            if global.json { ctx.output.result(json: .array(rows)) }
            if rows.isEmpty && !global.json && targets.isEmpty { ctx.output.message("no snapshots to verify") }
        }
        if bad > 0 { throw ExitCode.failure }
    }
}

/// The configured pool, or every pool any store holds.
enum PoolSelection {
    static func pools(ctx: Context, stores: [any SnapshotStore]) async throws -> [String] {
        if let pool = try ctx.configuredPool() { return [pool] }
        var all = Set<String>()
        for s in stores {
            do { all.formUnion(try await s.pools()) } catch { ctx.output.message("warning: store \(s.url): \(error)") }
        }
        return all.sorted()
    }
}
