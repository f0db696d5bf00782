import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `--require-signature` (or `require_signature = true` in snap.toml) for restore, diff and cat.
struct SignaturePolicyOptions: ParsableArguments {
    @Flag(
        help:
            "Refuse a snapshot that is unsigned, or whose signature or chain fails (see verify --chain); without it (and without require_signature in snap.toml) such a snapshot is used with a warning on stderr."
    )
    var requireSignature = false

    /// Checks the snapshot read from its first store: its signature and its links to the snapshots either
    /// side of it. Under the policy a failure is an error (exit 1); else a warning. Silent for a pool where
    /// nothing is signed and nothing asks for it (no `sign`, no policy).
    func enforce(_ ctx: Context, pool: String, entry: Catalog.Entry) async throws {
        let required = try requireSignature || ctx.config().requireSignature == true
        let expectsSignature = try required || ctx.config().sign != nil
        let id = entry.manifest.id
        let url = entry.stores.first ?? "?"
        var problems: [String] = []
        do {
            guard let store = try ctx.stores().first(where: { $0.url == url }) else {
                throw SnapError.configuration("the store it was read from (\(url)) is not among the configured stores")
            }
            let listing = try await store.listing(pool: pool)
            var records: [(name: String, record: PruneRecord)] = []
            for (name, data) in try await store.records(pool: pool) {
                records.append((name, try PruneRecord(data: data, source: "\(store.url)/\(pool)/pruned/\(name)")))
            }
            guard expectsSignature || listing.manifests.contains(where: { $0.signature != nil }) else { return }
            let checker = try Signing.Checker(ctx, publicKey: nil)
            let target = entry.manifest.signedBytes
            // Only this snapshot's signature goes to KMS; the others' links are checked from their digests.
            let report = await ChainCheck.run(manifests: listing.manifests, records: records) { signature, bytes in
                guard bytes == target else { return signature == nil ? .unsigned : .valid }
                return await checker.check(signature, bytes)
            }
            let neighbours = Set(
                listing.manifests.filter { $0.previous == id }.map(\.id.value) + [entry.manifest.previous?.value].compactMap { $0 })
            problems = report.problems.filter { $0.subject == id.value || ($0.what.contains(id.value) && neighbours.contains($0.subject)) }
                .map(\.description)
            if entry.manifest.signature == nil && !problems.contains(where: { $0.hasPrefix(id.value + ": unsigned") }) {
                problems.insert("\(id.value): unsigned", at: 0)
            }
        } catch {
            problems = ["\(id.value): its signature and chain cannot be checked: \(error)"]
        }
        guard !problems.isEmpty else { return }
        let text = "snapshot \(pool)/\(id.value) in \(url): " + problems.joined(separator: "; ")
        if required {
            throw SnapError.configuration(
                text
                    + "; refused: require_signature (snap.toml) or --require-signature asks for a signed, unbroken history (snap verify --chain shows the whole chain)"
            )
        }
        ctx.output.message(
            "warning: \(text) (snap verify --chain shows the whole chain; require_signature in snap.toml refuses such a snapshot)")
    }
}
