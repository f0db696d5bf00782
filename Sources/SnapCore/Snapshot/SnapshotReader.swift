import AWS
import Foundation

/// Reads an archive as a stream and proves it is the snapshot `expected`
/// describes: the archive's SHA-256, every member's SHA-256, size and record
/// count, JSON on every line, each record's field types, sort order, member
/// order, manifest.json equal to the stored manifest, its counts equal to
/// the members' records, and that every membership names a user and a group
/// of the snapshot (`ConsistencyCheck`, sorted names in `scratch`). Nothing is extracted and nothing handed
/// to anyone: readers of the members (`VerifiedSnapshot`) come after this
/// has returned. `SnapshotStream` is the same pass for a reader that
/// computes while it verifies (the diff's join).
public enum SnapshotReader {
    public static func read(
        archivePath: String, expected: Manifest, source: String, limits: ArchiveLimits = .default, scratch: String? = nil
    ) throws {
        try read(.path(archivePath), expected: expected, source: source, limits: limits, scratch: scratch)
    }

    /// As `read(archivePath:)`, from a file or a descriptor it then owns (`SnapshotStream.Input`).
    static func read(
        _ input: SnapshotStream.Input, expected: Manifest, source: String, limits: ArchiveLimits = .default, scratch: String? = nil
    ) throws {
        let stream = try SnapshotStream(input: input, expected: expected, source: source, limits: limits, scratch: scratch)
        while try stream.nextMember() != nil {
            while try stream.read() != nil {}
        }
    }
}
