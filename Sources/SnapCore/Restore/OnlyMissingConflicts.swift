import AWS
import Foundation

/// Users `--only-missing` would re-create whose sign-in value a user of the
/// pool already holds, in a pool that signs in by email or phone: the pool
/// refuses AdminCreateUser for them, and the run takes the holder only when it
/// carries every attribute the snapshot gives the user (`RestoreExecutor.adopt`).
/// Any other holder fails the user in the run; found here, before any write,
/// they are listed, and `--dry-run` fails as the run will. (A username held by
/// another user is the diff's `taken`; this is the same conflict under a name
/// of the pool's making.)
///
/// Streaming: one external sort keyed by `value NUL side NUL username` puts each
/// value's holders (`h`) just before the users that want it (`w`).
struct OnlyMissingConflicts {
    let directory: String
    let target: PoolConfiguration

    /// `users` calls its argument with each user to re-create (`RestorePlan.user(for:)`); `live` is the pool's users.jsonl.
    func find(users: ((RestorePlan.User) throws -> Void) throws -> Void, live: String) throws
        -> OnlyMissingPlan.Tally<
            OnlyMissingPlan.Conflict
        >
    {
        var out = OnlyMissingPlan.Tally<OnlyMissingPlan.Conflict>()
        guard !target.usernameAttributes.isEmpty else { return out }
        let sortDir = "\(directory)/conflict-sort"
        try FileSystem.makeFolder(sortDir)
        defer { FileSystem.removeScratch(sortDir) }
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        var wanted = 0
        try users { u in
            guard RestorePlan.signInUsername(u.record, target: target) != nil else { return }
            var attributes: [String: JSONValue] = [:]
            for a in u.attributes { attributes[a.name] = .string(a.value) }
            let line: JSONValue = ["username": .string(u.record.username), "attributes": .object(attributes)]
            try sorter.add(key: Self.key(u.createUsername) + "\u{0}w\u{0}" + u.record.username, line: [UInt8](line.canonicalData()))
            wanted += 1
        }
        guard wanted > 0 else {
            try sorter.drain { _, _ in }
            return out
        }
        var pool = try SortedLines(path: live)
        while let text = try pool.peek() {
            try pool.advance()
            // The export is snap's own, written from parsed records: a line that does not parse is damage.
            guard let json = try? JSONParser.parse(Data(text.utf8)), let record = try? UserRecord(json: json) else {
                throw SnapError.io(path: live, reason: "a line of the live pool's export cannot be read: \(text.prefix(80))")
            }
            var attributes: [String: JSONValue] = [:]
            for (k, v) in record.attributes { attributes[k] = .string(v) }
            let line: JSONValue = ["username": .string(record.username), "attributes": .object(attributes)]
            for a in target.usernameAttributes {
                guard let v = record.attributes[a], !v.isEmpty else { continue }
                try sorter.add(key: Self.key(v) + "\u{0}h\u{0}" + record.username, line: [UInt8](line.canonicalData()))
            }
        }
        var value: [UInt8] = []
        var holder: JSONValue?
        try sorter.drain { key, line in
            let parts = key.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return }
            if Array(parts[0]) != value {
                value = Array(parts[0])
                holder = nil
            }
            // Both written above from parsed records.
            guard let json = try? JSONParser.parse(Data(line)) else {
                throw SnapError.io(path: sortDir, reason: "a line of the sign-in value sort cannot be read (a bug in snap)")
            }
            if parts[1].first == UInt8(ascii: "h") {
                if holder == nil { holder = json }
                return
            }
            guard let holder, let held = holder["attributes"]?.objectValue, let want = json["attributes"]?.objectValue else { return }
            let differing = want.keys.filter { held[$0] != want[$0] }.sorted(by: JSONValue.utf8Less)
            guard !differing.isEmpty else { return }  // the run takes it: it is the snapshot's user as the pool holds it
            out.add(
                OnlyMissingPlan.Conflict(
                    username: json["username"]?.stringValue ?? "", value: String(decoding: value, as: UTF8.self),
                    holder: holder["username"]?.stringValue ?? "", differing: differing))
        }
        return out
    }

    /// Cognito compares emails case-insensitively; phone numbers are compared as written.
    static func key(_ value: String) -> String { value.contains("@") ? value.lowercased() : value }
}
