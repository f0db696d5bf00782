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

/// Finding a snapshot: REF (or --at TIME) in a given pool, or, when no pool
/// is named, a full ID or unique prefix in whichever pool's folder holds it
/// (`latest` and `--at` then need the stores to hold a single pool).
enum SnapshotLookup {
    static func find(_ ref: String, ctx: Context) async throws -> (pool: String, entry: Catalog.Entry) {
        try await find(ref: ref, at: nil, pool: try ctx.configuredPool(), catalog: Catalog(stores: try ctx.stores()), ctx: ctx)
    }

    static func find(ref: String?, at: String?, pool: String?, catalog: Catalog, ctx: Context) async throws -> (
        pool: String, entry: Catalog.Entry
    ) {
        let warn: (String) -> Void = { ctx.output.message("warning: \($0)") }
        func resolve(_ pool: String) async throws -> Catalog.Entry {
            if let at { return try await catalog.resolve(at: at, pool: pool, warn: warn) }
            return try await catalog.resolve(ref ?? "latest", pool: pool, warn: warn)
        }
        if let pool { return (pool, try await resolve(pool)) }
        let (listed, failures) = try await catalog.pools()
        for f in failures { warn("\(f); looking in the other stores") }
        let pools = Set(listed)
        let place = ctx.storeURLs().joined(separator: ", ")
        if pools.isEmpty { throw SnapError.noSnapshots(where: place) }
        let name = ref ?? "--at \(at ?? "")"
        if at != nil || ref == nil || ref == "latest" || ref!.hasPrefix("latest~") {
            guard pools.count == 1, let only = pools.first else {
                throw SnapError.configuration(
                    "\(name): the stores hold snapshots of several pools (\(pools.sorted().joined(separator: ", "))); name the pool")
            }
            return (only, try await resolve(only))
        }
        var found: [(String, Catalog.Entry)] = []
        var ambiguous: [String] = []
        for pool in pools.sorted() {
            do {
                found.append((pool, try await resolve(pool)))
            } catch SnapError.ambiguousRef(_, let candidates) {
                ambiguous += candidates
            } catch SnapError.unknownRef, SnapError.noSnapshots {
                continue
            }
        }
        if !ambiguous.isEmpty || found.count > 1 {
            throw SnapError.ambiguousRef(ref: name, candidates: ambiguous + found.map { "\($0.0)/\($0.1.id.value)" })
        }
        guard let one = found.first else {
            throw SnapError.unknownRef(ref: name, where: "any pool in \(place) (name the snapshot's pool to narrow the search)")
        }
        return one
    }
}
