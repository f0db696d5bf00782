import Foundation

/// One store's copy of a snapshot, verified whole (`SnapshotReader`) in a
/// private work folder before anyone reads a byte of it. Its members are
/// read again from that copy as streams (`members()`), so nothing
/// decompressed ever lands on disk.
public struct VerifiedSnapshot: Sendable {
    /// The store whose copy this is.
    public var store: String
    /// `store/pool/id`, for messages.
    public var source: String
    /// The verified archive, in a folder only this process can write.
    public var archive: String
    public var manifest: Manifest

    /// A reader over the members, in archive order.
    public func members() throws -> VerifiedMembers {
        try VerifiedMembers(self)
    }
}

/// Streams members of a verified archive a second time. The archive sits in
/// a private folder, so it is the file that was verified; `finish()` still
/// proves it by the archive digest, read to the end.
///
/// Single owner, members in archive order (pool.json, groups.jsonl,
/// users.jsonl, memberships.jsonl); not Sendable.
public final class VerifiedMembers {
    private let snapshot: VerifiedSnapshot
    private let reader: ArchiveReader
    private var current: Member?

    init(_ snapshot: VerifiedSnapshot) throws {
        self.snapshot = snapshot
        do { reader = try ArchiveReader(path: snapshot.archive) } catch {
            throw SnapError.damaged(source: snapshot.source, member: nil, reason: "cannot read the verified copy again: \(error)")
        }
    }

    /// Moves to `member` (later in the archive than the current one).
    public func open(_ member: Member) throws {
        do {
            while let entry = try reader.nextEntry() {
                if entry.name == member.rawValue {
                    current = member
                    return
                }
            }
        } catch {
            throw changed("\(error)")
        }
        throw changed("member \(member.rawValue) is not where it was (members are read in archive order)")
    }

    /// The open member's next chunk; nil at its end.
    public func read() throws -> Data? {
        guard current != nil else { return nil }
        do { return try reader.read(maxBytes: 1 << 18) } catch { throw changed("\(error)") }
    }

    /// Reads to the end and checks the archive digest against the manifest.
    public func finish() throws {
        do {
            while try reader.nextEntry() != nil {}
        } catch {
            throw changed("\(error)")
        }
        if let archive = snapshot.manifest.archive, reader.compressedSHA256 != archive.sha256 {
            throw changed("its sha256 is now \(reader.compressedSHA256)")
        }
    }

    private func changed(_ reason: String) -> SnapError {
        SnapError.io(
            path: snapshot.archive,
            reason:
                "the verified copy of \(snapshot.source) changed while being read: \(reason); is something else writing to the work folder?"
        )
    }
}
