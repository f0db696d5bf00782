import AWS
import Foundation

/// Reads an archive as a stream and proves it is the snapshot `expected`
/// describes: the archive's SHA-256, every member's SHA-256, size and record
/// count, JSON on every line, sort order, member order, and manifest.json
/// equal to the stored manifest. Nothing is extracted to disk.
public enum SnapshotReader {
    /// `deliver` gets each line (JSON-Lines members) or the whole document
    /// (pool.json, manifest.json) of the members in `want`, as they are read.
    /// A caller that must not act on unverified data buffers until this returns.
    public static func read(
        archivePath: String, expected: Manifest, source: String, want: Set<Member> = [],
        limits: ArchiveLimits = .default, deliver: (Member, Data) throws -> Void = { _, _ in }
    ) throws {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: archivePath, limits: limits)
        } catch let e as ArchiveError {
            throw SnapError.damaged(source: source, member: nil, reason: "\(e)")
        }
        var order = Member.allCases.makeIterator()
        do {
            while let entry = try reader.nextEntry() {
                guard let member = Member(rawValue: entry.name) else {
                    throw SnapError.damaged(source: source, member: entry.name, reason: "unexpected member \"\(entry.name)\"")
                }
                guard let next = order.next(), next == member else {
                    throw SnapError.damaged(
                        source: source, member: entry.name,
                        reason:
                            "members are not in the format's order (pool.json, groups.jsonl, users.jsonl, memberships.jsonl, manifest.json)"
                    )
                }
                var check = MemberCheck(member: member, source: source)
                if member.isJSONLines {
                    var lines = LineReader {
                        let chunk = try reader.read()
                        if let chunk { check.consume(raw: chunk) }
                        return chunk
                    }
                    while let line = try lines.next() {
                        _ = try check.check(line: line, number: lines.lineNumber)
                        if want.contains(member) { try deliver(member, line) }
                    }
                } else {
                    var whole = Data()
                    while let chunk = try reader.read() {
                        check.consume(raw: chunk)
                        whole += chunk
                        if whole.count > 64 << 20 {
                            throw SnapError.damaged(source: source, member: member.rawValue, reason: "larger than 64 MiB")
                        }
                    }
                    try check.checkDocument(whole)
                    if member == .manifest {
                        try compareManifest(whole, expected: expected, source: source)
                    } else if want.contains(member) {
                        try deliver(member, whole)
                    }
                    if member == .manifest, want.contains(member) { try deliver(member, whole) }
                }
                if let info = expected.files[member] { try check.finish(expected: info) }
            }
        } catch let e as ArchiveError {
            throw SnapError.damaged(source: source, member: nil, reason: "\(e)")
        } catch let e as LineReaderError {
            throw SnapError.damaged(source: source, member: nil, reason: "\(e)")
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
