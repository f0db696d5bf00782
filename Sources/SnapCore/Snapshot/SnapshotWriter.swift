import AWS
import Foundation

/// Packs an export's member files and its manifest into `<ID>.tar.zst`:
/// pool.json, groups.jsonl, users.jsonl, memberships.jsonl, then (format 2) clients.jsonl, providers.jsonl,
/// resource-servers.jsonl and config.json, then secrets.enc when the snapshot was taken `--with-secrets`
/// (`secrets`: its sealed bytes; the manifest's `secrets` field describes them), manifest.json last.
public enum SnapshotWriter {
    public static func write(
        export: ExportResult, manifest: Manifest, secrets: Data? = nil, to path: String, level: Int32 = 3
    ) throws -> Manifest.ArchiveInfo {
        guard (secrets == nil) == (manifest.secrets == nil) else {
            throw SnapError.io(path: path, reason: "secrets.enc and the manifest's secrets field must come together")
        }
        var inner = manifest
        inner.archive = nil
        let writer = try ArchiveWriter(path: path, level: level, modificationTime: manifest.id.date)
        for member in Member.data(format: manifest.format) {
            guard let file = export.paths[member] else {
                throw SnapError.io(path: path, reason: "the export produced no \(member.rawValue)")
            }
            try writer.addFile(name: member.rawValue, from: file)
        }
        if let secrets { try writer.addData(name: Member.secrets.rawValue, secrets) }
        try writer.addData(name: Member.manifest.rawValue, inner.json.canonicalData())
        let digest = try writer.finish()
        return Manifest.ArchiveInfo(sha256: digest.sha256, bytes: digest.bytes)
    }
}
