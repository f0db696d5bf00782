import AWS
import Foundation

/// Reads the snapshot to restore. Catalog.read verifies one store's copy
/// whole (every checksum, count and order check) before a line is parsed
/// here, so nothing unverified is ever acted on, and a copy that failed
/// halfway leaves nothing behind for the next store's to mix with.
public enum RestoreSource {
    public static func load(
        catalog: Catalog, entry: Catalog.Entry, pool: String, log: (String) -> Void
    ) async throws -> (contents: SnapshotContents, store: String) {
        let work = try WorkDirectory()
        defer { work.remove() }
        let snapshot = try await catalog.read(entry, pool: pool, workDirectory: work.path, log: log)
        let source = snapshot.source
        let members = try snapshot.members()

        try members.open(.pool)
        var poolData = Data()
        while let chunk = try members.read() { poolData += chunk }
        let poolJSON: JSONValue
        do {
            poolJSON = try JSONParser.parse(poolData)
        } catch {
            throw SnapError.damaged(source: source, member: Member.pool.rawValue, reason: "\(error)")
        }
        func lines(_ m: Member) throws -> [JSONValue] {
            try members.open(m)
            var reader = LineReader(source: members.read)
            var out: [JSONValue] = []
            while let line = try reader.next() {
                do {
                    out.append(try JSONParser.parse(line))
                } catch {
                    throw SnapError.malformedLine(source: source, member: m.rawValue, line: reader.lineNumber, reason: "\(error)")
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
        // Archive order: groups, users, memberships.
        let groups = try records(.groups, GroupRecord.init(json:))
        let users = try records(.users, UserRecord.init(json:))
        let memberships = try records(.memberships, MembershipRecord.init(json:))
        try members.finish()
        return (SnapshotContents(pool: poolJSON, groups: groups, users: users, memberships: memberships), snapshot.store)
    }
}
