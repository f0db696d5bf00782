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
            as JSON; of an HMAC signature (--sign hmac:KEY_ARN) the MAC itself is not shown (its length is), \
            as snap never prints a key or a MAC.
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
            ctx.output.result(json: Self.shown(found.entry.manifest.json))
        }
    }

    /// The manifest with an HMAC signature's value (the MAC) replaced by what it is; other signatures
    /// (ECDSA, RSA-PSS) are public by nature and shown as stored.
    static func shown(_ manifest: JSONValue) -> JSONValue {
        guard case .object(var o) = manifest, case .object(var signature)? = o["signature"],
            signature["alg"] == .string(ManifestSignature.hmac), case .string(let value)? = signature["value"]
        else { return manifest }
        let bytes = Data(base64Encoded: value)?.count
        signature["value"] = .string("<not shown: an HMAC_SHA_256 MAC\(bytes.map { " of \($0) bytes" } ?? "")>")
        o["signature"] = .object(signature)
        return .object(o)
    }
}
