import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a snapshot's manifest.",
        discussion: "REF is a full ID, a unique prefix, latest or latest~N. Prints the stored manifest as JSON.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The snapshot: ID, unique ID prefix, latest, latest~N.")
    var ref: String

    func run() async throws {
        let ctx = Context(global)
        try await runReportingErrors {
            let (_, entry) = try await SnapshotLookup.find(ref, ctx: ctx)
            ctx.output.result(json: entry.manifest.json)
        }
    }
}

/// Finding a REF in the configured pool, or in whichever pool holds it.
enum SnapshotLookup {
    static func find(_ ref: String, ctx: Context) async throws -> (pool: String, entry: Catalog.Entry) {
        let catalog = Catalog(stores: try ctx.stores())
        if let pool = try ctx.configuredPool() {
            return (pool, try await catalog.resolve(ref, pool: pool))
        }
        var pools = Set<String>()
        for s in catalog.stores { pools.formUnion((try? await s.pools()) ?? []) }
        var found: [(String, Catalog.Entry)] = []
        var ambiguous: [String] = []
        for pool in pools.sorted() {
            do {
                found.append((pool, try await catalog.resolve(ref, pool: pool)))
            } catch SnapError.ambiguousRef(_, let candidates) {
                ambiguous += candidates
            } catch SnapError.unknownRef, SnapError.noSnapshots {
                continue
            }
        }
        if !ambiguous.isEmpty || found.count > 1 {
            throw SnapError.ambiguousRef(ref: ref, candidates: ambiguous + found.map { "\($0.0)/\($0.1.id.value)" })
        }
        guard let one = found.first else {
            if pools.isEmpty { throw SnapError.noSnapshots(where: ctx.storeURLs().joined(separator: ", ")) }
            throw SnapError.unknownRef(ref: ref, where: "any pool in \(ctx.storeURLs().joined(separator: ", ")) (set --user-pool-id to name one)")
        }
        return one
    }
}
