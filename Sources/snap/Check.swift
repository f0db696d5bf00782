import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Alert when the newest snapshot is too old or missing from a store (for cron and health checks).",
        discussion: """
            Finds the pool's newest intact snapshot across the stores and checks that it is younger \
            than --max-age and that every store holds it intact. Intact: the .json reads and the archive \
            has the size it names (a listing, no download); --deep also downloads the newest copy in each \
            store and verifies it whole. Without a configured pool, every pool in the stores is checked.

            Prints one line per pool: OK, STALE (too old, or no snapshot at all), MISSING (a store \
            lacks it or holds it damaged), UNKNOWN (a store could not be read) or FUTURE (the newest \
            snapshot is dated more than 5 minutes after now: a clock ran ahead), with the age and the \
            problems; --json prints one JSON object per pool and line: \
            {"kind":"check","userPoolId","status","maxAgeSeconds","newest":{"id","createdAt","ageSeconds"},"stores":[{"url","readable","ok","newest","error"}],"problems"}.

            Exit 0 ok; 1 stale, missing or future, or no store could be read; 3 fresh and present in every store \
            that could be read, but some store could not be (never taken for an empty one); 64 usage error.

            cron: 0 7 * * *  snap check --max-age 26h || notify-on-call
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pools: AllPoolsFlag

    @Option(help: ArgumentHelp("The oldest the newest snapshot may be, e.g. 26h, 2d, 90m.", valueName: "DURATION"))
    var maxAge: String

    @Flag(help: "Download and verify the newest copy in each store (default: compare sizes with the .json).")
    var deep = false

    func validate() throws {
        _ = try Durations.parse(maxAge, flag: "--max-age")
    }

    func run() async throws {
        let ctx = Context(global)
        if pools.all { return try await AllPools.run(ctx) { ctx, _ in try await run(ctx) } }
        try await run(ctx)
    }

    private func run(_ ctx: Context) async throws {
        var worst = 0
        try await runReportingErrors {
            let limit = try Durations.parse(maxAge, flag: "--max-age")
            let stores = try ctx.stores()
            let work = try WorkDirectory()
            defer { work.remove() }
            let pools: [String]
            do {
                pools = try await PoolSelection.pools(configured: try ctx.configuredPool(), catalog: Catalog(stores: stores)).pools
            } catch {
                // No store could be listed: nothing is known to be fresh.
                if global.json {
                    ctx.output.result(json: ["kind": "check", "status": "stale", "problems": .array([.string("\(error)")])])
                } else {
                    ctx.output.result("STALE: no store could be read: \(error)")
                }
                worst = 1
                return
            }
            if pools.isEmpty {
                if global.json {
                    ctx.output.result(json: ["kind": "check", "status": "stale", "problems": ["no snapshots in the stores"]])
                } else {
                    ctx.output.result("STALE: no snapshots in \(ctx.storeURLs().joined(separator: ", "))")
                }
                worst = 1
                return
            }
            let required = try ctx.config().requireSignature == true
            for pool in pools {
                let report = await FreshnessCheck(stores: stores, maxAge: limit, deep: deep).run(pool: pool, workDirectory: work.path)
                let signature = await Self.signatureState(ctx, pool: pool, stores: stores)
                if global.json {
                    var j = report.json
                    if case .object(var o) = j, let signature {
                        o["signature"] = .object(["state": .string(signature.state), "detail": .string(signature.detail)])
                        j = .object(o)
                    }
                    ctx.output.result(json: j)
                } else {
                    ctx.output.result(
                        report.line
                            + (signature.map { "; newest snapshot's signature: \($0.state)\($0.detail.isEmpty ? "" : " (\($0.detail))")" }
                                ?? ""))
                }
                var code = Self.exitCode(report.status)
                // Under require_signature an unsigned or broken newest snapshot is as bad as a stale one.
                if required, let signature, signature.state != "valid" { code = 1 }
                if code == 1 || worst == 0 { worst = code }
            }
        }
        // 3 (unknown) yields to 1 (stale, missing) when both occur.
        if worst == 1 { throw ExitCode.failure }
        if worst == 3 { throw ExitCode(3) }
    }

    /// The newest snapshot's signature: valid, unsigned or invalid (with why); nil when there is no
    /// snapshot, or nothing is signed and nothing asks for it.
    static func signatureState(_ ctx: Context, pool: String, stores: [any SnapshotStore]) async -> (state: String, detail: String)? {
        do {
            guard let newest = try await Catalog(stores: stores).entries(pool: pool).entries.last else { return nil }
            let config = try ctx.config()
            guard let signature = newest.manifest.signature else {
                return config.sign != nil || config.requireSignature == true ? ("unsigned", newest.id.value) : nil
            }
            switch await (try Signing.Checker(ctx, publicKey: nil)).check(signature, newest.manifest.signedBytes) {
            case .valid: return ("valid", "\(newest.id.value), \(signature["key"]?.stringValue ?? "?")")
            case .invalid(let why): return ("invalid", "\(newest.id.value): \(why)")
            case .unsigned: return ("unsigned", newest.id.value)
            }
        } catch {
            return ("unknown", "\(error)")
        }
    }

    static func exitCode(_ s: FreshnessCheck.Status) -> Int {
        switch s {
        case .ok: 0
        case .stale, .missing, .future: 1
        case .unknown: 3
        }
    }
}
