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
                entry, pool: pool, workDirectory: work.path, want: [wanted], log: { ctx.output.message("warning: \($0)") })
            guard let verified = snapshot.files[wanted] else {
                throw SnapError.io(path: work.path, reason: "the verified \(wanted.rawValue) is missing from the work folder")
            }
            try writeToStandardOutput(contentsOf: verified)
        }
    }

    /// The one place cat writes to stdout: a verified work file, copied whole.
    private func writeToStandardOutput(contentsOf path: String) throws {
        guard let input = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open a work file") }
        defer { try? input.close() }  // read-only handle: closing cannot lose data
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            FileHandle.standardOutput.write(chunk)
        }
    }
}
