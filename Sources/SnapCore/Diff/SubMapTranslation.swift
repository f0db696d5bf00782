import AWS
import Foundation

/// `snap diff SNAP pool:NEW --map SUBMAP`: the restored pool's users seen
/// under their snapshot names. A pool that signs in by email or phone makes
/// up a username of its own for every restored user, and every user gets a
/// new `sub`; the sub map a restore writes says which is which. The live
/// side's users and memberships are renamed back (`targetUsername` to
/// `username`) and their `sub` set back to `oldSub` where it is the `newSub`
/// the restore recorded, then sorted again, so a faithful restore diffs empty
/// (issue 19, item 18). A user the map does not name keeps its name, and shows.
///
/// Memory: the map is held whole (about 200 bytes a user, 200 MB for a
/// million); the member files stream through the external sorter.
public enum SubMapTranslation {
    public struct Entry: Sendable {
        public var username: String
        public var oldSub: String?
        public var newSub: String
    }

    /// The map at `path`, keyed by the username in the restored pool.
    public static func load(_ path: String) throws -> [String: Entry] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot read the sub map given to --map; name the .submap.jsonl file a restore wrote")
        }
        // A read-only handle: closing it cannot lose anything.
        defer { try? handle.close() }
        var reader = LineReader(maxLineLength: 1 << 20) { try handle.read(upToCount: 1 << 18).flatMap { $0.isEmpty ? nil : $0 } }
        var map: [String: Entry] = [:]
        while let line = try reader.next() {
            guard !line.isEmpty else { continue }
            guard let json = try? JSONParser.parse(line), let username = json["username"]?.stringValue,
                let newSub = json["newSub"]?.stringValue
            else {
                throw SnapError.malformedLine(
                    source: path, member: "sub map", line: reader.lineNumber,
                    reason:
                        "not a sub map line {\"username\",\"oldSub\",\"newSub\"[,\"targetUsername\"]}; give --map the file a restore wrote")
            }
            let target = json["targetUsername"]?.stringValue ?? username
            if let earlier = map[target], earlier.username != username {
                throw SnapError.malformedLine(
                    source: path, member: "sub map", line: reader.lineNumber,
                    reason: "\(target) in the pool is named for both \(earlier.username) and \(username); the map is not one restore's")
            }
            map[target] = Entry(username: username, oldSub: json["oldSub"]?.stringValue, newSub: newSub)
        }
        return map
    }

    /// Rewritten users and memberships files in `directory`; the other members as they were.
    public static func apply(_ map: [String: Entry], to paths: [Member: String], directory: String) throws -> [Member: String] {
        var out = paths
        if let users = paths[.users] {
            out[.users] = try rewrite(users, into: "\(directory)/users.jsonl", sortDirectory: "\(directory)/users-sort") { record in
                guard var o = record.objectValue, let name = o["username"]?.stringValue, let e = map[name] else { return record }
                o["username"] = .string(e.username)
                if var attributes = o["attributes"]?.objectValue, attributes["sub"]?.stringValue == e.newSub, let old = e.oldSub {
                    attributes["sub"] = .string(old)
                    o["attributes"] = .object(attributes)
                }
                return .object(o)
            } key: {
                $0["username"]?.stringValue ?? ""
            }
        }
        if let memberships = paths[.memberships] {
            out[.memberships] = try rewrite(
                memberships, into: "\(directory)/memberships.jsonl", sortDirectory: "\(directory)/memberships-sort"
            ) { record in
                guard var o = record.objectValue, let name = o["username"]?.stringValue, let e = map[name] else { return record }
                o["username"] = .string(e.username)
                return .object(o)
            } key: {
                ($0["group"]?.stringValue ?? "") + "\u{0}" + ($0["username"]?.stringValue ?? "")
            }
        }
        return out
    }

    private static func rewrite(
        _ path: String, into target: String, sortDirectory: String, _ change: (JSONValue) -> JSONValue, key: (JSONValue) -> String
    ) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot read the live pool's export")
        }
        // A read-only handle: closing it cannot lose anything.
        defer { try? handle.close() }
        try FileSystem.makeFolder(sortDirectory)
        let sorter = ExternalSorter(directory: sortDirectory, runBytes: 16 << 20)
        var reader = LineReader(maxLineLength: 1 << 24) { try handle.read(upToCount: 1 << 18).flatMap { $0.isEmpty ? nil : $0 } }
        while let line = try reader.next() {
            guard !line.isEmpty else { continue }
            guard let record = try? JSONParser.parse(line) else {
                throw SnapError.malformedLine(source: path, member: "live export", line: reader.lineNumber, reason: "not a JSON record")
            }
            let renamed = change(record)
            try sorter.add(key: key(renamed), line: [UInt8](renamed.canonicalData()))
        }
        var file = try BufferedFile(path: target)
        try sorter.drain { _, line in try file.write(line + [0x0A]) }
        try file.close()
        FileSystem.removeScratch(sortDirectory)
        return target
    }
}
