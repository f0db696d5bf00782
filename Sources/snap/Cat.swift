import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Cat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one member of a snapshot to stdout.",
        discussion: """
            MEMBER is users, groups, memberships or pool, or, in a format-2 snapshot, clients (app clients), \
            providers (identity providers), resource-servers or config (config.json: the MFA configuration \
            and domains); a secret reads {"redacted":true}; with create --with-secrets \
            the secrets are kept only encrypted, in secrets.enc, which cat refuses: secrets are never printed. REF is an ID, unique prefix, latest, latest~N \
            or @TIME; `snap cat --at TIME MEMBER` picks the newest snapshot at or before TIME. The whole archive is verified (checksums, \
            counts, JSON, order) before a byte is written, so a damaged copy prints nothing but the error; \
            when another store holds an intact copy, that copy is printed instead (once, with a warning \
            naming the damaged one).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signatures: SignaturePolicyOptions

    @Argument(help: "The snapshot: ID, unique ID prefix, latest, latest~N or @TIME (left out with --at).")
    var ref: String

    @Argument(help: "users, groups, memberships or pool; clients, providers, resource-servers or config in a format-2 snapshot.")
    var memberArgument: String?

    @Option(help: ArgumentHelp("The newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD) instead of REF.", valueName: "TIME"))
    var at: String?

    /// With --at the one positional argument is the member.
    private var member: String { at != nil && memberArgument == nil ? ref : memberArgument ?? "" }
    private var snapshotRef: SnapshotRef { at != nil && memberArgument == nil ? .at(at!) : SnapshotRef(ref) }

    func validate() throws {
        if at != nil && memberArgument != nil { throw ValidationError("give REF or --at TIME, not both: snap cat --at TIME MEMBER") }
        if at == nil && memberArgument == nil { throw ValidationError("name the member: snap cat REF users|groups|memberships|pool") }
        if Member(catName: member) == .secrets {
            throw ValidationError(
                "member \"\(member)\": secrets are never printed; secrets.enc stays encrypted, and only restore --create-pool decrypts it (kms:Decrypt) to set them in the new pool"
            )
        }
        guard let m = Member(catName: member), m != .manifest else {
            throw ValidationError(
                "member \"\(member)\": use users, groups, memberships or pool, or clients, providers, resource-servers or config in a format-2 snapshot (snap show prints the manifest)"
            )
        }
    }

    func run() async throws {
        let ctx = Context(global)
        try await runReportingErrors {
            let wanted = Member(catName: member)!
            let lookup = try ctx.lookup()
            let found = try await lookup.find(snapshotRef, pool: try ctx.configuredPool())
            try await signatures.enforce(ctx, pool: found.pool, entry: found.entry)
            let work = try WorkDirectory()
            defer { work.remove() }
            let snapshot = try await lookup.catalog.read(
                found.entry, pool: found.pool, workDirectory: work.path, log: { ctx.output.message("warning: \($0)") })
            if Member.format2.contains(wanted) && snapshot.manifest.format < 2 {
                throw SnapError.configuration(
                    "snapshot \(found.entry.id.value) is format \(snapshot.manifest.format): it has no \(wanted.rawValue) (snapshots of format 2 and later have it); snap cat \(found.entry.id.value) pool prints its pool.json"
                )
            }
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
