import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every copy of snapshots in every store.",
        discussion: """
            Reads each copy (from S3 as it downloads, never written to disk) and checks the archive's sha256, each member's sha256 and record \
            count against the manifest, the JSON of every line and the types of its fields, the sort order, \
            the manifest's counts against the members, and that every membership names a user and a group \
            of the snapshot (a record that breaks a rule is named: member, line, field). One line per \
            store and snapshot: ok, or what is wrong; a store that cannot be read, a .json that \
            cannot be read, and one ID holding different archives in different stores are reported \
            too; a .json the store refuses to read is that copy's finding, named by its key. A local store \
            folder that does not exist is an error (is the disk mounted?). Says how many copies it checked, \
            or "nothing to verify". No REF (or --all): every \
            snapshot. Exit 0 when every store was read and every copy is intact; 1 when a copy is \
            damaged or missing, or no store could be read; 3 when every copy read is intact but \
            some stores could not be read. --chain also walks each store's history (signatures, the \
            digests each manifest names, prune's records) and fails on what it finds.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(
        help:
            "Every snapshot (the default when no REF is given); with [[pool]] tables in snap.toml, of every pool there, each in its own stores, one after another (exit 0 when all pools are intact, 3 when some are, 1 when none is)."
    )
    var all = false

    @Argument(help: "Snapshots to check: ID, unique prefix, latest, latest~N, @TIME.")
    var refs: [String] = []

    @Option(help: ArgumentHelp("Also check the newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD).", valueName: "TIME"))
    var at: String?

    @Flag(
        help:
            "Also walk each store's history of the pool, newest to oldest: every signature (create --sign), each manifest against the digest its successor names, a snapshot missing with no prune record to explain it, a snapshot older than one whose ID sorts before it. Signatures are checked with KMS against the key sign in snap.toml names, or offline with --public-key."
    )
    var chain = false

    @Option(
        help: ArgumentHelp(
            "Check signatures offline against this public key (PEM, from snap key export), without KMS; implies --chain.",
            valueName: "FILE"))
    var publicKey: String?

    func validate() throws {
        if all && (!refs.isEmpty || at != nil) { throw ValidationError("give REFs (or --at) or --all, not both") }
    }

    func run() async throws {
        let ctx = Context(global)
        if all, ctx.options.userPoolId == nil, try !ctx.config().pools.isEmpty {
            return try await AllPools.run(ctx) { ctx, _ in try await run(ctx) }
        }
        try await run(ctx)
    }

    private func run(_ ctx: Context) async throws {
        var bad = 0
        var failures = StoreFailures()
        var storeCount = 0
        try await runReportingErrors {
            let stores = try ctx.stores()
            storeCount = stores.count
            let work = try WorkDirectory()
            defer { work.remove() }
            var targets: [(String, Set<SnapshotID>?)] = []
            if refs.isEmpty && at == nil {
                let (pools, listFailures) = try await PoolSelection.pools(
                    configured: try ctx.configuredPool(), catalog: Catalog(stores: stores))
                failures.add(listFailures)
                targets = pools.map { ($0, nil) }
            } else {
                var byPool: [String: Set<SnapshotID>] = [:]
                let lookup = try ctx.lookup()
                for ref in refs.map(SnapshotRef.init) + (at.map { [SnapshotRef.at($0)] } ?? []) {
                    let found = try await lookup.find(ref, pool: try ctx.configuredPool())
                    byPool[found.pool, default: []].insert(found.entry.id)
                }
                targets = byPool.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            }
            var rows: [JSONValue] = []
            let meter = ProgressMeter(output: ctx.output, label: "verifying", unit: "copies")
            var copies = 0
            var snapshots = 0
            for (pool, ids) in targets {
                let summary = await Verifier(stores: stores).verify(
                    pool: pool, ids: ids, workDirectory: work.path, planned: { meter.add(total: $0) }
                ) { finding in
                    if case .copy(_, _, let id, _) = finding { meter.advance(detail: "\(pool)/\(id.value)") }
                    // The result line goes below the progress line, which is then drawn anew.
                    if meter.isShown { ctx.output.endProgress() }
                    // An unreadable store has its own exit rule (3 or 1), below.
                    if case .storeUnreadable = finding {} else if finding.isProblem { bad += 1 }
                    if global.json { rows.append(Self.json(finding)) } else { ctx.output.result(Self.text(finding)) }
                }
                failures.add(summary.failures)
                copies += summary.copies
                snapshots += summary.snapshots
            }
            meter.finish()
            if chain || publicKey != nil {
                let checker = try Signing.Checker(ctx, publicKey: publicKey)
                ctx.output.message("--chain: \(checker.how)")
                for (pool, _) in targets {
                    for finding in await ChainReport.run(pool: pool, stores: stores, checker: checker) {
                        if finding.problem != nil { bad += 1 }
                        if global.json { rows.append(finding.json) } else { ctx.output.result(finding.text) }
                    }
                }
            }
            if global.json { ctx.output.result(json: .array(rows)) }
            if snapshots == 0 && failures.all.count < stores.count {
                ctx.output.message(
                    "nothing to verify: \(targets.isEmpty ? "no pool" : "no snapshot") in \(failures.isEmpty ? "" : "the readable stores of ")\(ctx.storeURLs().joined(separator: ", "))"
                )
            } else if copies == 0 && failures.all.count >= stores.count {
                ctx.output.message("nothing verified: no store could be read (see the errors)")
            } else {
                ctx.output.message(
                    "checked \(copies) cop\(copies == 1 ? "y" : "ies") of \(snapshots) snapshot\(snapshots == 1 ? "" : "s"): "
                        + (bad == 0 ? "all intact" : "\(bad) problem\(bad == 1 ? "" : "s")")
                        + (failures.isEmpty ? "" : "; \(failures.all.count) store(s) could not be read"))
            }
        }
        if bad > 0 {
            failures.report()
            throw ExitCode.failure
        }
        try failures.exitIfAny(storeCount: storeCount)
    }

    static func text(_ f: Verifier.Finding) -> String {
        switch f {
        case .copy(let store, let pool, let id, let problem):
            return "\(store)  \(pool)/\(id.value)  \(problem.map { "FAILED: \($0)" } ?? "ok")"
        case .storeUnreadable(let failure, let pool):
            return "\(failure.store)  \(pool)  FAILED: cannot read the store: \(failure.reason)"
        case .disagreement(let pool, let id, let digests):
            return
                "\(pool)/\(id.value)  FAILED: the stores hold different archives under one ID: \(digests.map { "\($0.store) sha256 \($0.sha256)" }.joined(separator: ", "))"
        case .retention(let store, let pool, let id, let lock):
            return
                "\(store)  \(pool)/\(id.value)  retained: \(lock.mode.rawValue.lowercased()) Object Lock until \(Timestamp.format(lock.retainUntil))"
        }
    }

    static func json(_ f: Verifier.Finding) -> JSONValue {
        switch f {
        case .copy(let store, let pool, let id, let problem):
            return [
                "kind": "copy", "store": .string(store), "userPoolId": .string(pool), "id": .string(id.value), "ok": .bool(problem == nil),
                "error": problem.map { .string($0) } ?? .null,
            ]
        case .storeUnreadable(let failure, let pool):
            return [
                "kind": "store", "store": .string(failure.store), "userPoolId": .string(pool), "ok": false,
                "error": .string("cannot read the store: \(failure.reason)"),
            ]
        case .retention(let store, let pool, let id, let lock):
            return [
                "kind": "retention", "store": .string(store), "userPoolId": .string(pool), "id": .string(id.value), "ok": true,
                "mode": .string(lock.mode.rawValue), "retainUntil": .string(Timestamp.format(lock.retainUntil)),
            ]
        case .disagreement(let pool, let id, let digests):
            return [
                "kind": "disagreement", "userPoolId": .string(pool), "id": .string(id.value), "ok": false,
                "digests": .object(Dictionary(uniqueKeysWithValues: digests.map { ($0.store, JSONValue.string($0.sha256)) })),
            ]
        }
    }
}
