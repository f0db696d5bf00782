import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a snapshot's manifest.",
        discussion: """
            REF is a full ID, a unique prefix, latest, latest~N or @TIME; --at TIME instead of REF picks \
            the newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD). Prints the stored manifest \
            as JSON.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The snapshot: ID, unique ID prefix, latest, latest~N, @TIME (default: latest).")
    var ref: String?

    @Option(help: ArgumentHelp("The newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD) instead of REF.", valueName: "TIME"))
    var at: String?

    func validate() throws {
        if ref != nil && at != nil { throw ValidationError("give REF or --at TIME, not both") }
    }

    func run() async throws {
        let ctx = Context(global)
        try await runReportingErrors {
            let found = try await ctx.lookup().find(SnapshotRef(ref: ref, at: at), pool: try ctx.configuredPool())
            ctx.output.result(json: found.entry.manifest.json)
        }
    }
}
