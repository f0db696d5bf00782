import AWS
import Foundation

/// The sub map earlier `--only-missing` runs of this snapshot into this pool
/// left: the users they re-created, with the new subs the pool gave them. A
/// user whose `sub` differs from the snapshot's is one of those (and not a
/// username taken by someone else) exactly when the pool's sub is the one
/// this map gave it. It is sorted by username on disk for the planner's join,
/// and its entries still true are carried into the new sub map, so the map
/// always lists every user the undo re-created.
enum OnlyMissingSubMap {
    /// The map at `path` sorted by username into `directory`; nil when there is none.
    static func sorted(path: String, directory: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot read the sub map of an earlier run; move it away to start afresh")
        }
        // A read-only handle: closing it cannot lose anything.
        defer { try? handle.close() }
        var reader = LineReader(maxLineLength: 1 << 20) { try handle.read(upToCount: 1 << 18).flatMap { $0.isEmpty ? nil : $0 } }
        let sortDir = "\(directory)/submap-sort"
        try FileSystem.makeFolder(sortDir)
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        while let line = try reader.next() {
            guard !line.isEmpty else { continue }
            // Not a sub map line: refused below, naming the file and line.
            guard let json = try? JSONParser.parse(line), let e = SubMapEntry(json: json) else {
                throw SnapError.malformedLine(
                    source: path, member: "sub map", line: reader.lineNumber,
                    reason: "not a sub map line {\"username\",\"oldSub\",\"newSub\"}; fix it or move the file away")
            }
            try sorter.add(key: e.username, line: [UInt8](e.json.canonicalData()))
        }
        let out = "\(directory)/submap-by-user.jsonl"
        var file = try BufferedFile(path: out)
        try sorter.drain { _, line in try file.write(line + [0x0A]) }
        try file.close()
        FileSystem.removeScratch(sortDir)
        return out
    }
}

extension SubMapEntry {
    init?(json: JSONValue) {
        guard let username = json["username"]?.stringValue, let newSub = json["newSub"]?.stringValue else { return nil }
        self.init(
            username: username, targetUsername: json["targetUsername"]?.stringValue ?? username, oldSub: json["oldSub"]?.stringValue,
            newSub: newSub, mustEnrolTotp: json["mustEnrolTotp"]?.boolValue ?? false)
    }
}

/// A sorted sub map asked about in ascending username order.
struct SubMapCursor {
    private var lines: SortedLines?
    private let path: String

    init(path: String?) throws {
        self.path = path ?? ""
        lines = try path.map { try SortedLines(path: $0) }
    }

    mutating func entry(for username: String) throws -> SubMapEntry? {
        while let head = try lines?.peek() {
            // Written by `OnlyMissingSubMap.sorted` from lines it parsed: one that does not parse is damage.
            guard let json = try? JSONParser.parse(Data(head.utf8)), let e = SubMapEntry(json: json) else {
                throw SnapError.io(path: path, reason: "a line of the sorted sub map cannot be read: \(head.prefix(80))")
            }
            if JSONValue.utf8Less(e.username, username) {
                try lines?.advance()
                continue
            }
            return e.username == username ? e : nil
        }
        return nil
    }
}
