import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two snapshots (or a snapshot and the live pool).",
        discussion: """
            No REF: the two newest snapshots. One REF: that snapshot against the one before it \
            (pool:ID alone: the newest snapshot of that pool against the pool as it is now). Two: OLD \
            to NEW. A REF is an ID, unique prefix, latest, latest~N, @TIME (the newest snapshot at or \
            before TIME, RFC 3339 or YYYY-MM-DD), or pool:USER_POOL_ID for the live pool, read now and \
            not stored (to check a restore, or drift since the last snapshot). --old-at TIME and \
            --new-at TIME name a side by time; REFs fill the other side: `snap diff --old-at 2026-11-20` \
            compares that day's snapshot with the newest, `snap diff --old-at 2026-11-20 pool:ID` with the \
            live pool.

            Text: one line per change (+ added, - removed, ~ changed with the fields), then totals. \
            --json: JSON Lines, one change per line, then a summary line. created and modified are \
            never compared. --exit-code: 0 no differences, 1 differences, 2 trouble.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "OLD and NEW (see above).")
    var refs: [String] = []

    @Option(help: ArgumentHelp("OLD is the newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD).", valueName: "TIME"))
    var oldAt: String?

    @Option(help: ArgumentHelp("NEW is the newest snapshot at or before TIME.", valueName: "TIME"))
    var newAt: String?

    @Flag(help: "Totals only.")
    var stat = false

    @Option(help: ArgumentHelp("Leave a field out of the comparison, e.g. attributes.sub or status (repeatable).", valueName: "FIELD"))
    var ignore: [String] = []

    @Flag(help: "Exit 0 when there are no differences, 1 when there are, 2 on trouble.")
    var exitCode = false

    func validate() throws {
        let sides = refs.count + (oldAt == nil ? 0 : 1) + (newAt == nil ? 0 : 1)
        if sides > 2 { throw ValidationError("diff takes at most two sides: OLD NEW, with --old-at/--new-at counted") }
    }

    func run() async throws {
        let ctx = Context(global)
        var changed = false
        do {
            try await runReportingErrors { changed = try await compare(ctx) }
        } catch let e as ExitCode where exitCode && e != .success {
            throw ExitCode(2)
        }
        if exitCode && changed { throw ExitCode(1) }
    }

    private func compare(_ ctx: Context) async throws -> Bool {
        let lookup = try ctx.lookup()
        let catalog = lookup.catalog
        let (old, new) = try await DiffSides.resolve(
            refs: refs, oldAt: oldAt, newAt: newAt, pool: try ctx.configuredPool(), lookup: lookup)
        let work = try WorkDirectory()
        defer { work.remove() }
        let output = ctx.output
        let log: @Sendable (String) -> Void = { output.message("warning: \($0)") }
        // Both sides are read (downloaded, decompressed, verified) at the same time.
        let oldFolder = try work.folder("old"), newFolder = try work.folder("new")
        async let oldSide = files(old, ctx: ctx, catalog: catalog, directory: oldFolder, log: log)
        async let newSide = files(new, ctx: ctx, catalog: catalog, directory: newFolder, log: log)
        let (oldFiles, newFiles) = try await (oldSide, newSide)
        let summary = try DiffEngine(ignore: Set(ignore)).diff(old: oldFiles, new: newFiles) { change in
            guard !stat else { return }
            if global.json { ctx.output.result(json: change.json) } else { ctx.output.result(change.text) }
        }
        if global.json {
            var s = summary.json.objectValue ?? [:]
            s["kind"] = "summary"
            s["old"] = .string(old.name)
            s["new"] = .string(new.name)
            ctx.output.result(json: .object(s))
        } else {
            let u = summary.users, g = summary.groups, m = summary.memberships
            ctx.output.result(
                "\(old.name) -> \(new.name): users +\(u.added) -\(u.removed) ~\(u.changed), groups +\(g.added) -\(g.removed) ~\(g.changed), memberships +\(m.added) -\(m.removed)"
            )
        }
        return !summary.isEmpty
    }

    private func files(_ side: DiffSideRef, ctx: Context, catalog: Catalog, directory: String, log: @Sendable (String) -> Void) async throws
        -> DiffInput
    {
        switch side {
        case .stored(let found):
            return try await DiffSide.stored(found.entry, pool: found.pool, catalog: catalog, directory: directory, log: log)
        case .live(let pool):
            let cognito = try ctx.cognito(region: ctx.region(forPool: pool), http: ctx.http, pacer: try ctx.pacer(share: nil, quotas: []))
            return .files(try await Exporter(cognito: cognito, poolId: pool).run(workDirectory: directory).paths)
        }
    }
}
