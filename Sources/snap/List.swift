import AWS
import ArgumentParser
import Foundation
import SnapCore

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List snapshots, oldest first.",
        discussion: """
            One line per snapshot: ID, time, counts, changes against the previous one, and the \
            stores holding it. Without a configured pool, every pool in the stores is listed. \
            --json prints an array of {"id","createdAt","userPoolId","counts","changes","stores"}. \
            Counts come from each .json; where they disagree with its own member record counts a \
            warning says so (snap verify proves a copy). A .json that cannot be read (malformed, or \
            refused by the store) is a warning naming it. A local store folder that does not exist \
            is an error (is the disk mounted?), never an empty store.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pools: AllPoolsFlag

    func run() async throws {
        let ctx = Context(global)
        if pools.all { return try await AllPools.run(ctx) { ctx, _ in try await run(ctx) } }
        try await run(ctx)
    }

    private func run(_ ctx: Context) async throws {
        var failures = StoreFailures()
        var storeCount = 0
        try await runReportingErrors {
            let catalog = Catalog(stores: try ctx.stores())
            storeCount = catalog.stores.count
            let pools: [String]
            if let pool = try ctx.configuredPool() {
                pools = [pool]
            } else {
                let found = try await catalog.pools()
                failures.add(found.failures)
                pools = found.pools
            }
            var rows: [(String, Catalog.Entry)] = []
            for pool in pools {
                let listing = try await catalog.listing(pool: pool)
                failures.add(listing.failures)
                for u in listing.unreadable {
                    ctx.output.message("warning: \(u.description); skipped (snap verify reports it, snap sync repairs it)")
                }
                for e in listing.entries {
                    if let problem = e.manifest.countsProblem {
                        ctx.output.message(
                            "warning: \(pool)/\(e.id.value): \(problem); its .json cannot be trusted (snap verify checks the copy)")
                    }
                }
                rows += listing.entries.map { (pool, $0) }
            }
            if global.json {
                ctx.output.result(
                    json: .array(
                        rows.map { pool, e in
                            [
                                "id": .string(e.id.value), "createdAt": .string(e.manifest.createdAt), "userPoolId": .string(pool),
                                "counts": e.manifest.counts.json, "changes": e.manifest.changes?.json ?? .null,
                                "stores": .array(e.stores.map { .string($0) }),
                            ]
                        }))
            } else if rows.isEmpty {
                ctx.output.message("no snapshots in \(ctx.storeURLs().joined(separator: ", ")) yet")
            } else {
                ctx.output.result(table(rows))
            }
        }
        try failures.exitIfAny(storeCount: storeCount)
    }

    private func table(_ rows: [(String, Catalog.Entry)]) -> String {
        var lines = [["ID", "CREATED", "POOL", "USERS", "GROUPS", "MEMBERS", "CHANGES", "STORES"]]
        for (pool, e) in rows {
            let c = e.manifest.counts
            lines.append([
                e.id.value, e.manifest.createdAt, pool, "\(c.users)", "\(c.groups)", "\(c.memberships)",
                e.manifest.changes?.short ?? "-", e.stores.joined(separator: ","),
            ])
        }
        return Table.render(lines)
    }
}

/// Plain aligned columns.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
