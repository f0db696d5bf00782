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
            to NEW. A REF is an ID, unique prefix, latest, latest~N, or pool:USER_POOL_ID for the live \
            pool, read now and not stored (to check a restore, or drift since the last snapshot).

            Text: one line per change (+ added, - removed, ~ changed with the fields), then totals. \
            --json: JSON Lines, one change per line, then a summary line. created and modified are \
            never compared. --exit-code: 0 no differences, 1 differences, 2 trouble.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "OLD and NEW (see above).")
    var refs: [String] = []

    @Flag(help: "Totals only.")
    var stat = false

    @Option(help: ArgumentHelp("Leave a field out of the comparison, e.g. attributes.sub or status (repeatable).", valueName: "FIELD"))
    var ignore: [String] = []

    @Flag(help: "Exit 0 when there are no differences, 1 when there are, 2 on trouble.")
    var exitCode = false

    func validate() throws {
        if refs.count > 2 { throw ValidationError("diff takes at most two REFs (OLD NEW)") }
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

    private enum Side {
        case stored(pool: String, entry: Catalog.Entry)
        case live(pool: String)
        var name: String {
            switch self {
            case .stored(_, let e): e.id.value
            case .live(let p): "pool:\(p)"
            }
        }
    }

    private func compare(_ ctx: Context) async throws -> Bool {
        let catalog = Catalog(stores: try ctx.stores())
        let (old, new) = try await sides(ctx: ctx, catalog: catalog)
        let work = try WorkDirectory()
        defer { work.remove() }
        let output = ctx.output
        let log: @Sendable (String) -> Void = { output.message("warning: \($0)") }
        // A live side is exported first; stored sides are verified while they are joined.
        let oldFolder = try work.folder("old-export"), newFolder = try work.folder("new-export")
        async let oldExport = side(old, ctx: ctx, directory: oldFolder)
        async let newExport = side(new, ctx: ctx, directory: newFolder)
        let (oldSide, newSide) = try await (oldExport, newExport)
        let json = global.json, stat = stat
        let summary = try await VerifiedDiff.run(
            old: oldSide, new: newSide, catalog: catalog, engine: DiffEngine(ignore: Set(ignore)),
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
                "\(old.name) -> \(new.name): users +\(u.added) -\(u.removed) ~\(u.changed), groups +\(g.added) -\(g.removed) ~\(g.changed), memberships +\(m.added) -\(m.removed)"
            )
        }
        return !summary.isEmpty
    }

    private func sides(ctx: Context, catalog: Catalog) async throws -> (Side, Side) {
        func live(_ ref: String) -> String? { ref.hasPrefix("pool:") ? String(ref.dropFirst(5)) : nil }
        func stored(_ ref: String) async throws -> (pool: String, entry: Catalog.Entry) {
            try await SnapshotLookup.find(ref: ref, at: nil, pool: try ctx.configuredPool(), catalog: catalog, ctx: ctx)
        }
        func side(_ ref: String) async throws -> Side {
            if let p = live(ref) {
                guard !p.isEmpty else { throw ValidationError("\(ref): write pool:USER_POOL_ID") }
                return .live(pool: p)
            }
            let (pool, entry) = try await stored(ref)
            return .stored(pool: pool, entry: entry)
        }
        func before(_ pool: String, _ entry: Catalog.Entry) async throws -> Side {
            let all = try await catalog.entries(pool: pool).entries
            guard let i = all.firstIndex(where: { $0.id == entry.id }), i > 0 else {
                throw SnapError.unknownRef(
                    ref: "the snapshot before \(entry.id.value)", where: catalog.placeName(pool) + " (it is the oldest)")
            }
            return .stored(pool: pool, entry: all[i - 1])
        }
        switch refs.count {
        case 0:
            let (pool, newest) = try await stored("latest")
            return (try await before(pool, newest), .stored(pool: pool, entry: newest))
        case 1:
            if let p = live(refs[0]) {
                let (_, newest) = try await SnapshotLookup.find(ref: "latest", at: nil, pool: p, catalog: catalog, ctx: ctx)
                return (.stored(pool: p, entry: newest), .live(pool: p))
            }
            let (pool, entry) = try await stored(refs[0])
            return (try await before(pool, entry), .stored(pool: pool, entry: entry))
        default:
            return (try await side(refs[0]), try await side(refs[1]))
        }
    }

    private func side(_ side: Side, ctx: Context, directory: String) async throws -> DiffSide {
        switch side {
        case .stored(let pool, let entry):
            return .stored(entry, pool: pool)
        case .live(let pool):
            let cognito = try ctx.cognito(region: ctx.region(forPool: pool), http: ctx.http, pacer: try ctx.pacer(share: nil, quotas: []))
            return .files(try await Exporter(cognito: cognito, poolId: pool).run(workDirectory: directory).paths)
        }
    }
}
