import AWS
import Foundation

/// Reads an archive as a stream and proves it is the snapshot `expected`
/// describes: the archive's SHA-256, every member's SHA-256, size and record
/// count, JSON on every line, sort order, member order, and manifest.json
/// equal to the stored manifest. Nothing is extracted and nothing handed
/// to anyone: readers of the members (`VerifiedSnapshot`) come after this
/// has returned.
public enum SnapshotReader {
    public static func read(archivePath: String, expected: Manifest, source: String, limits: ArchiveLimits = .default) throws {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: archivePath, limits: limits)
        } catch let e as ArchiveError {
            throw SnapError.damaged(source: source, member: nil, reason: "\(e)")
        }
        var order = Member.allCases.makeIterator()
        var member: Member?
        do {
            while let entry = try reader.nextEntry() {
                guard let current = Member(rawValue: entry.name) else {
                    throw SnapError.damaged(source: source, member: entry.name, reason: "unexpected member \"\(entry.name)\"")
                }
                guard let next = order.next(), next == current else {
                    throw SnapError.damaged(
                        source: source, member: entry.name,
                        reason:
                            "members are not in the format's order (pool.json, groups.jsonl, users.jsonl, memberships.jsonl, manifest.json)"
                    )
                }
                member = current
                var check = MemberCheck(member: current, source: source)
                if current.isJSONLines {
                    while let chunk = try reader.read(maxBytes: 1 << 18) {
                        try check.consume(raw: chunk)
                    }
                    try check.endOfLines()
                } else {
                    var whole = Data()
                    while let chunk = try reader.read(maxBytes: 1 << 18) {
                        try check.consume(raw: chunk)
                        whole += chunk
                        if whole.count > 64 << 20 {
                            throw SnapError.damaged(source: source, member: current.rawValue, reason: "larger than 64 MiB")
                        }
                    }
                    try check.checkDocument(whole)
                    if current == .manifest { try compareManifest(whole, expected: expected, source: source) }
                }
                if let info = expected.files[current] { try check.finish(expected: info) }
                member = nil
            }
        } catch let e as ArchiveError {
            throw SnapError.damaged(source: source, member: member?.rawValue, reason: "\(e)")
        } catch let e as LineReaderError {
            throw SnapError.damaged(source: source, member: member?.rawValue, reason: "\(e)")
        }
        if let missing = order.next() {
            throw SnapError.damaged(source: source, member: missing.rawValue, reason: "the member is missing (archive truncated?)")
        }
        if let archive = expected.archive {
            if reader.compressedSHA256 != archive.sha256 || reader.compressedBytes != archive.bytes {
                throw SnapError.damaged(
                    source: source, member: nil,
                    reason:
                        "archive sha256 \(reader.compressedSHA256) (\(reader.compressedBytes) bytes), the manifest says \(archive.sha256) (\(archive.bytes) bytes)"
                )
            }
        }
    }

    private static func compareManifest(_ data: Data, expected: Manifest, source: String) throws {
        let inner = try Manifest(data: [UInt8](data), source: "\(source) manifest.json")
        var outer = expected
        outer.archive = nil
        guard inner == outer else {
            throw SnapError.damaged(source: source, member: Member.manifest.rawValue, reason: "it differs from the stored manifest")
        }
    }
}
