import AWS
import ArgumentParser
import Foundation
import SnapCore

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "One user's history across every snapshot, oldest first.",
        discussion: """
            Reads every snapshot of the pool in turn (each verified, one at a time, so memory stays \
            flat) and prints when USERNAME appeared, each change of attributes, status, enabled \
            state, MFA options and groups, and when the user disappeared. With --json: one object \
            a line, {"id","createdAt","username","op":"appeared"|"changed"|"disappeared", \
            "record"+"groups" | "changes":[{"field","old","new"}]}. For who else left a group that \
            night, use snap diff. Exit 0 when some snapshot holds the user, 1 when none does.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The username, exactly as in users.jsonl (an email-signing pool's usernames are UUIDs).")
    var username: String

    func run() async throws {
        let ctx = Context(global)
        var found = true
        try await runReportingErrors {
            let catalog = Catalog(stores: try ctx.stores())
            let pool: String
            if let configured = try ctx.configuredPool() {
                pool = configured
            } else {
                let (pools, failures) = try await catalog.pools()
                for f in failures { ctx.output.message("warning: \(f); looking in the other stores") }
                guard pools.count == 1, let only = pools.first else {
                    throw ValidationError(
                        pools.isEmpty
                            ? "no snapshots in \(ctx.storeURLs().joined(separator: ", ")) yet"
                            : "the stores hold several pools (\(pools.joined(separator: ", "))): name one with --user-pool-id")
                }
                pool = only
            }
            let listing = try await catalog.listing(pool: pool)
            for f in listing.failures { ctx.output.message("warning: \(f); reading the other stores") }
            for u in listing.unreadable { ctx.output.message("warning: \(u.description); skipped (snap sync repairs it)") }
            guard !listing.entries.isEmpty else { throw SnapError.noSnapshots(where: catalog.placeName(pool)) }
            let work = try WorkDirectory()
            defer { work.remove() }
            let history = UserHistory(catalog: catalog, pool: pool, username: username)
            let (present, total) = try await history.run(
                entries: listing.entries, workDirectory: work.path, log: { ctx.output.message("warning: \($0)") }
            ) { step in
                if global.json { ctx.output.result(json: Self.json(step, username: username)) } else { ctx.output.result(Self.text(step)) }
            }
            found = present > 0
            ctx.output.message(
                present == 0
                    ? "\(username) is in none of the \(total) snapshots of \(pool)"
                    : "\(username) is in \(present) of the \(total) snapshots of \(pool)")
        }
        if !found { throw ExitCode.failure }
    }

    static func json(_ step: UserHistory.Step, username: String) -> JSONValue {
        var o: [String: JSONValue] = ["id": .string(step.id.value), "createdAt": .string(step.createdAt), "username": .string(username)]
        switch step.event {
        case .appeared(let s):
            o["op"] = "appeared"
            o["record"] = s.record
            o["groups"] = .array(s.groups.map { .string($0) })
        case .changed(let fields):
            o["op"] = "changed"
            o["changes"] = .array(fields.map { ["field": .string($0.field), "old": $0.old, "new": $0.new] })
        case .disappeared:
            o["op"] = "disappeared"
        }
        return .object(o)
    }

    static func text(_ step: UserHistory.Step) -> String {
        func show(_ v: JSONValue) -> String { v == .null ? "(none)" : v.canonicalString() }
        let head = "\(step.id.value)  \(step.createdAt)  "
        switch step.event {
        case .appeared(let s):
            let status = s.record["status"]?.stringValue ?? "?"
            let enabled = s.record["enabled"]?.boolValue == false ? "disabled" : "enabled"
            return head + "+ appeared: \(status), \(enabled), groups: \(s.groups.isEmpty ? "(none)" : s.groups.joined(separator: ", "))"
        case .changed(let fields):
            return head + "~ " + fields.map { "\($0.field) \(show($0.old)) -> \(show($0.new))" }.joined(separator: "; ")
        case .disappeared(let last):
            return head
                + "- disappeared (was \(last.record["status"]?.stringValue ?? "?"), groups: \(last.groups.isEmpty ? "(none)" : last.groups.joined(separator: ", ")))"
        }
    }
}
