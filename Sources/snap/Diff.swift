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
            never compared. mfa (MFA settings, in snapshots taken with create --with-mfa) is compared \
            like for like: a live pool is read with its MFA settings when the snapshot was taken so, \
            and two snapshots of which only one was leave mfa out.

            The pool's configuration comes first: `~ pool: Policies.PasswordPolicy.MinimumLength 12 -> 8` \
            (pool.json, and config.json's keys such as mfa.SoftwareTokenMfaConfiguration.Enabled, as dotted \
            paths; SchemaAttributes matched by Name, other lists compared whole), then app clients, identity \
            providers and resource servers by name (`+ client: web`, `~ client: web CallbackURLs [...] -> [...]`) \
            and the domain. Dates and counters (CreationDate, LastModifiedDate) and the pool's Id and Arn are \
            never compared; a member only one side has (config.json against a format-1 snapshot) is not \
            compared, with a note. \
            --ignore takes configuration fields with their kind: pool.Policies.PasswordPolicy, \
            client.CallbackURLs, pool.mfa, or a whole kind (client, domain). \
            --exit-code: 0 no differences, 1 differences, 2 trouble.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signatures: SignaturePolicyOptions

    @Argument(help: "OLD and NEW (see above).")
    var refs: [String] = []

    @Option(help: ArgumentHelp("OLD is the newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD).", valueName: "TIME"))
    var oldAt: String?

    @Option(help: ArgumentHelp("NEW is the newest snapshot at or before TIME.", valueName: "TIME"))
    var newAt: String?

    @Flag(help: "Totals only.")
    var stat = false

    @Option(
        help: ArgumentHelp(
            "Leave a field out of the comparison, e.g. attributes.sub, status, pool.Policies.PasswordPolicy or client (repeatable).",
            valueName: "FIELD"))
    var ignore: [String] = []

    @Flag(help: "Exit 0 when there are no differences, 1 when there are, 2 on trouble.")
    var exitCode = false

    @Option(
        name: .customLong("map"),
        help: ArgumentHelp(
            "With a live NEW side (pool:ID), a restore's sub map: the pool's users are compared under their snapshot usernames and subs (checks a restore into a pool that signs in by email or phone).",
            valueName: "SUBMAP"))
    var subMap: String?

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
        for side in [old, new] {
            if case .stored(let found) = side { try await signatures.enforce(ctx, pool: found.pool, entry: found.entry) }
        }
        let work = try WorkDirectory()
        defer { work.remove() }
        let output = ctx.output
        let log: @Sendable (String) -> Void = { output.message("warning: \($0)") }
        // A live side is exported first; stored sides are verified while they are joined.
        let oldFolder = try work.folder("old-export"), newFolder = try work.folder("new-export")
        let mfa = MFAComparison(old: old, new: new)
        if let note = mfa.note { output.message("note: \(note)") }
        async let oldExport = side(old, ctx: ctx, directory: oldFolder, withMFA: mfa.readLive)
        async let newExport = side(new, ctx: ctx, directory: newFolder, withMFA: mfa.readLive)
        var (oldSide, newSide) = try await (oldExport, newExport)
        if let subMap {
            guard case .live = new, case .files(let paths) = newSide else {
                throw ValidationError("--map \(subMap): the NEW side must be a live pool (pool:ID), the pool the map's restore wrote into")
            }
            let map = try SubMapTranslation.load(subMap)
            newSide = .files(try SubMapTranslation.apply(map, to: paths, directory: try work.folder("mapped")))
        }
        let json = global.json, stat = stat
        let notes: @Sendable (String) -> Void = { output.message("note: \($0)") }
        let engine = DiffEngine(
            ignore: Set(ignore).union(mfa.ignore), configuration: ConfigurationDiff(ignore: Set(ignore), note: notes))
        let summary = try await VerifiedDiff.run(
            old: oldSide, new: newSide, catalog: catalog, engine: engine,
            workDirectory: try work.folder("diff"), log: log,
            render: { change in
                guard !stat else { return nil }
                return json ? change.json.canonicalData() + Data([0x0A]) : Data((change.text + "\n").utf8)
            },
            deliver: { StandardStreams.out($0) })
        if global.json {
            var s = summary.json.objectValue ?? [:]
            s["kind"] = "summary"
            s["old"] = .string(old.name)
            s["new"] = .string(new.name)
            ctx.output.result(json: .object(s))
        } else {
            let u = summary.users, g = summary.groups, m = summary.memberships
            ctx.output.result(
                "\(old.name) -> \(new.name): users +\(u.added) -\(u.removed) ~\(u.changed), groups +\(g.added) -\(g.removed) ~\(g.changed), memberships +\(m.added) -\(m.removed), config ~\(summary.config ?? 0)"
            )
        }
        return !summary.isEmpty
    }

    private func side(_ side: DiffSideRef, ctx: Context, directory: String, withMFA: Bool) async throws -> DiffSide {
        switch side {
        case .stored(let found):
            return .stored(found.entry, pool: found.pool)
        case .live(let pool):
            let cognito = try ctx.cognito(region: ctx.region(forPool: pool), http: ctx.http, pacer: try ctx.pacer(share: nil, quotas: []))
            var exporter = Exporter(cognito: cognito, poolId: pool)
            exporter.withMFA = withMFA
            return .files(try await exporter.run(workDirectory: directory).paths)
        }
    }
}
