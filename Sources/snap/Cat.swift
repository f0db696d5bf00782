import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Cat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one member of a snapshot to stdout.",
        discussion: """
            MEMBER is users, groups, memberships or pool. The whole archive is verified (checksums, \
            counts, JSON, order) before a byte is written, so a damaged copy prints nothing but the error; \
            when another store holds an intact copy, that copy is printed instead (once, with a warning \
            naming the damaged one).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The snapshot: ID, unique ID prefix, latest, latest~N.")
    var ref: String

    @Argument(help: "users, groups, memberships or pool.")
    var member: String

    func validate() throws {
        guard let m = Member(catName: member), m != .manifest else {
            throw ValidationError("member \"\(member)\": use users, groups, memberships or pool (snap show prints the manifest)")
        }
    }

    func run() async throws {
        let ctx = Context(global)
        try await runReportingErrors {
            let wanted = Member(catName: member)!
            let (pool, entry) = try await SnapshotLookup.find(ref, ctx: ctx)
            let work = try WorkDirectory()
            defer { work.remove() }
            let snapshot = try await Catalog(stores: try ctx.stores()).read(
                entry, pool: pool, workDirectory: work.path, log: { ctx.output.message("warning: \($0)") })
            let members = try snapshot.members()
            try members.open(wanted)
            try writeToStandardOutput(members.read)
            // A reader that left early (`| head`) ends the command quietly with 141; nothing is left to check for it.
            if !StandardStreams.isStdoutClosed { try members.finish() }
        }
    }

    /// The one place cat writes to stdout: the verified member, chunk by chunk.
    private func writeToStandardOutput(_ next: () throws -> Data?) throws {
        while !StandardStreams.isStdoutClosed, let chunk = try next() {
            StandardStreams.out(chunk)
        }
    }
}
