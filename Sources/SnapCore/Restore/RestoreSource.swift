import AWS
import Foundation

/// Reads the snapshot to restore. Catalog.read hands over lines while it is
/// still verifying, so they go to work files first and are parsed only once
/// every checksum, count and order check has passed: nothing unverified is
/// ever acted on.
public enum RestoreSource {
    public static func load(
        catalog: Catalog, entry: Catalog.Entry, pool: String, log: (String) -> Void
    ) async throws -> (contents: SnapshotContents, store: String) {
        let work = try WorkDirectory()
        defer { work.remove() }
        let dir = try work.folder("members")
        var files: [Member: MemberFile] = [:]
        for m in Member.data { files[m] = try MemberFile(member: m, directory: dir) }
        let store = try await catalog.read(entry, pool: pool, workDirectory: work.path, want: Set(Member.data), log: log) { member, data in
            if member.isJSONLines {
                try files[member]?.writeLine([UInt8](data))
            } else {
                try files[member]?.writeDocument([UInt8](data))
            }
        }
        for f in files.values { _ = try f.finish() }
        let source = "\(store)/\(pool)/\(entry.id.value)"

        func lines(_ m: Member) throws -> [JSONValue] {
            let path = files[m]!.path
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
        let poolPath = files[.pool]!.path
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
