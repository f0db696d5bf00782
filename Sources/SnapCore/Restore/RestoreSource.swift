import AWS
import Foundation

/// Reads the snapshot to restore. Catalog.read hands over member files only
/// once every checksum, count and order check has passed on one store's
/// copy, so nothing unverified is ever acted on, and a copy that failed
/// halfway leaves nothing behind for the next store's to mix with.
public enum RestoreSource {
    public static func load(
        catalog: Catalog, entry: Catalog.Entry, pool: String, log: (String) -> Void
    ) async throws -> (contents: SnapshotContents, store: String) {
        let work = try WorkDirectory()
        defer { work.remove() }
        let snapshot = try await catalog.read(entry, pool: pool, workDirectory: work.path, want: Set(Member.data), log: log)
        let store = snapshot.store
        let source = snapshot.source
        func verifiedPath(_ m: Member) throws -> String {
            guard let p = snapshot.files[m] else {
                throw SnapError.io(path: work.path, reason: "the verified \(m.rawValue) is missing from the work folder")
            }
            return p
        }

        func lines(_ m: Member) throws -> [JSONValue] {
            let path = try verifiedPath(m)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SnapError.io(path: path, reason: "cannot read a work file")
            }
            var out: [JSONValue] = []
            var number = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
                number += 1
                do {
                    out.append(try JSONParser.parse(Data(line)))
                } catch {
                    throw SnapError.malformedLine(source: source, member: m.rawValue, line: number, reason: "\(error)")
                }
            }
            return out
        }
        func records<T>(_ m: Member, _ make: (JSONValue) throws(ModelError) -> T) throws -> [T] {
            try lines(m).enumerated().map { i, json in
                do { return try make(json) } catch {
                    throw SnapError.malformedLine(source: source, member: m.rawValue, line: i + 1, reason: "\(error)")
                }
            }
        }
        let poolPath = try verifiedPath(.pool)
        let poolJSON: JSONValue
        do {
            poolJSON = try JSONParser.parse(FileManager.default.contents(atPath: poolPath) ?? Data())
        } catch {
            throw SnapError.damaged(source: source, member: Member.pool.rawValue, reason: "\(error)")
        }
        let contents = SnapshotContents(
            pool: poolJSON, groups: try records(.groups, GroupRecord.init(json:)), users: try records(.users, UserRecord.init(json:)),
            memberships: try records(.memberships, MembershipRecord.init(json:)))
        return (contents, store)
    }
}
