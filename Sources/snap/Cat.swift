import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Cat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one member of a snapshot to stdout.",
        discussion: """
            MEMBER is users, groups, memberships or pool. The whole archive is verified (checksums, \
            counts, JSON, order) before a byte is written, so a damaged copy prints nothing but the error.
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
            let scratch = try WorkDirectory()
            defer { scratch.remove() }
            let work = scratch.path
            let buffer = "\(work)/member"
            guard FileManager.default.createFile(atPath: buffer, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw SnapError.io(path: buffer, reason: "cannot create a work file")
            }
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: buffer))
            _ = try await Catalog(stores: try ctx.stores()).read(
                entry, pool: pool, workDirectory: work, want: [wanted], log: { ctx.output.message("warning: \($0)") }
            ) { _, data in
                try out.write(contentsOf: data)
                if wanted.isJSONLines { try out.write(contentsOf: Data([0x0A])) }
            }
            try out.close()
            let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: buffer))
            // Stops early when the reader has gone (`| head`): the command then ends quietly with 141.
            while !StandardStreams.isStdoutClosed, let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                StandardStreams.out(chunk)
            }
        }
    }
}
