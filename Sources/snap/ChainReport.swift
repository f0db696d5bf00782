import AWS
import Foundation
import SnapCore

/// `verify --chain`: each store's history of a pool, checked by ChainCheck.
enum ChainReport {
    struct Finding {
        var store: String
        var pool: String
        var problem: ChainCheck.Problem?
        var summary: String

        var text: String {
            if let problem { return "\(store)  \(pool)/\(problem.subject)  CHAIN FAILED: \(problem.what)" }
            return "\(store)  \(pool)  chain \(summary)"
        }

        var json: JSONValue {
            [
                "kind": "chain", "store": .string(store), "userPoolId": .string(pool), "ok": .bool(problem == nil),
                "subject": problem.map { .string($0.subject) } ?? .null, "error": problem.map { .string($0.what) } ?? .null,
                "summary": .string(summary),
            ]
        }
    }

    /// One finding per problem and one summary line per store; a store that cannot be listed is a problem.
    static func run(pool: String, stores: [any SnapshotStore], checker: Signing.Checker) async -> [Finding] {
        var out: [Finding] = []
        for store in stores {
            let listing: StoreListing
            var records: [(name: String, record: PruneRecord)] = []
            do {
                listing = try await store.listing(pool: pool)
                for (name, data) in try await store.records(pool: pool) {
                    records.append((name, try PruneRecord(data: data, source: "\(store.url)/\(pool)/pruned/\(name)")))
                }
            } catch {
                out.append(
                    Finding(
                        store: store.url, pool: pool, problem: ChainCheck.Problem(subject: "(history)", what: "cannot be read: \(error)"),
                        summary: ""))
                continue
            }
            var problems: [ChainCheck.Problem] = listing.unreadable.map {
                ChainCheck.Problem(subject: $0.id.value, what: "its .json cannot be trusted: \($0.reason)")
            }
            let report = await ChainCheck.run(manifests: listing.manifests, records: records) { await checker.check($0, $1) }
            problems += report.problems
            for p in problems { out.append(Finding(store: store.url, pool: pool, problem: p, summary: "")) }
            out.append(
                Finding(
                    store: store.url, pool: pool, problem: nil,
                    summary: (problems.isEmpty ? "ok" : "\(problems.count) problem(s)")
                        + ": \(report.snapshots) snapshot(s), \(report.signed) signed, \(report.records) prune record(s)"
                        + (report.explainedByPrune > 0 ? ", \(report.explainedByPrune) pruned snapshot(s) explained" : "")))
        }
        return out
    }
}
