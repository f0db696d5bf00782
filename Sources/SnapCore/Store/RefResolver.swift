import Foundation

/// Turns what a user typed (full ID, unique prefix, `latest`, `latest~N`)
/// or `--at TIME` into one snapshot ID.
public enum RefResolver {
    /// `ids` must be sorted oldest first; `place` names where they came from, for errors.
    public static func resolve(_ ref: String, in ids: [SnapshotID], place: String) throws(SnapError) -> SnapshotID {
        guard !ids.isEmpty else { throw SnapError.noSnapshots(where: place) }
        if ref == "latest" || ref.hasPrefix("latest~") {
            var back = 0
            if ref != "latest" {
                guard let n = Int(ref.dropFirst(7)), n >= 0 else {
                    throw SnapError.unknownRef(ref: ref, where: "\(place) (latest~N needs a whole number N)")
                }
                back = n
            }
            guard back < ids.count else {
                throw SnapError.unknownRef(ref: ref, where: "\(place), which holds only \(ids.count) snapshot(s)")
            }
            return ids[ids.count - 1 - back]
        }
        if let exact = ids.first(where: { $0.value == ref }) { return exact }
        let matches = ids.filter { $0.value.hasPrefix(ref) }
        guard !ref.isEmpty, !matches.isEmpty else { throw SnapError.unknownRef(ref: ref, where: place) }
        guard matches.count == 1 else { throw SnapError.ambiguousRef(ref: ref, candidates: matches.map(\.value)) }
        return matches[0]
    }

    /// The newest snapshot at or before `time` (RFC 3339, or `YYYY-MM-DD` meaning the end of that day, UTC).
    public static func resolve(at time: String, in ids: [SnapshotID], place: String) throws(SnapError) -> SnapshotID {
        guard var limit = Timestamp.parse(time) else {
            throw SnapError.configuration("--at \(time): not a time; use RFC 3339 (2026-11-27T01:23:45Z) or YYYY-MM-DD")
        }
        if time.count == 10 { limit += 86_399 }
        guard let id = ids.last(where: { $0.date <= limit }) else {
            throw SnapError.unknownRef(ref: "--at \(time)", where: "\(place) (no snapshot that old)")
        }
        return id
    }
}
