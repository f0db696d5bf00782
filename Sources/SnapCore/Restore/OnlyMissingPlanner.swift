import AWS
import Foundation

/// Sorts the changes of `snap diff SNAPSHOT pool:LIVE` (the same `DiffEngine`
/// join over the same sorted files) into what `--only-missing` re-creates and
/// what it lists:
/// - a group or user removed (in the snapshot, not in the pool): re-created;
/// - a membership removed: added, to a user re-created with it or to a user the
///   pool holds, unless the pool's user of that name is someone else;
/// - a user on both sides whose `sub` differs (both have one): re-created by an
///   earlier undo when its sub map gave the pool's user that sub (carried into the
///   new sub map, then treated as any user the pool holds); else taken by a
///   different user, listed with its memberships, never written to;
/// - any other user or group change: listed, never written to;
/// - anything the pool has and the snapshot lacks: not looked at.
///
/// Streaming: the join emits in the records' sort order, so missing, taken and
/// federated users are written to sorted files as they come; memberships
/// (sorted by group) are re-sorted by user on disk and joined to those files.
/// Memory: the snapshot's groups (already held by `RestoreSource`) and the capped lists.
struct OnlyMissingPlanner {
    let scope: OnlyMissingScope
    /// A scratch folder of its own.
    let directory: String
    /// Usernames an earlier run set out to re-create (sorted; `--resume`), nil for none.
    let planned: String?
    /// The sub map of earlier undos, sorted by username (`OnlyMissingSubMap.sorted`), nil for none.
    var earlier: String? = nil
    /// The live pool's users.jsonl (sorted), to find users an earlier undo re-created under a name of the
    /// pool's making (sign-in by email or phone); nil: none are looked for.
    var liveUsers: String? = nil

    func plan(old snapshot: DiffInput, new live: DiffInput) throws -> OnlyMissingPlan {
        var out = OnlyMissingPlan()
        let missingPath = "\(directory)/missing-users.txt", takenPath = "\(directory)/taken-users.txt"
        let federatedPath = "\(directory)/federated-users.txt"
        var missing = try BufferedFile(path: missingPath)
        var taken = try BufferedFile(path: takenPath)
        var federated = try BufferedFile(path: federatedPath)
        var plannedCursor = try SortedNames(path: planned)
        var earlierCursor = try SubMapCursor(path: earlier)
        out.carriedFile = "\(directory)/carried-submap.jsonl"
        var carried = try BufferedFile(path: out.carriedFile)
        let sortDir = "\(directory)/membership-sort"
        try FileSystem.makeFolder(sortDir)
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        var missingGroups: [GroupRecord] = []
        var absentUsers = 0
        // Snapshot users an earlier undo re-created under another username, by that username.
        let renamedDir = "\(directory)/renamed-sort"
        try FileSystem.makeFolder(renamedDir)
        let renamed = ExternalSorter(directory: renamedDir, runBytes: 16 << 20)
        var renamedCount = 0

        try DiffEngine().diff(old: snapshot, new: live) { change in
            switch change {
            case .groupRemoved(let r):
                missingGroups.append(try GroupRecord(json: r))
            case .groupChanged:
                if scope.includes(.groups) { out.differences.add(change) }
            case .userRemoved(let r):
                let username = r["username"]?.stringValue ?? ""
                if liveUsers != nil, let e = try earlierCursor.entry(for: username), e.targetUsername != username {
                    // Whatever this run's scope: an earlier undo's user is carried into the sub map when it is there.
                    try renamed.add(key: e.targetUsername, line: [UInt8](JSONValue.object(["entry": e.json, "record": r]).canonicalData()))
                    renamedCount += 1
                    return
                }
                guard scope.covers(username) else { return }
                if r["status"]?.stringValue == "EXTERNAL_PROVIDER" {
                    out.federated.add(username)
                    try federated.write(Array(username.utf8) + [0x0A])
                } else {
                    absentUsers += 1
                    try missing.write(Array(username.utf8) + [0x0A])
                }
            case .userChanged(let username, let fields):
                // Ours from an earlier run (new sub, maybe not finished): the executor checks and finishes it.
                if try plannedCursor.contains(username) { return }
                var rest = fields
                if let sub = fields.first(where: { $0.field == "attributes.sub" }), let was = sub.old.stringValue,
                    let now = sub.new.stringValue
                {
                    if let e = try earlierCursor.entry(for: username), e.newSub == now {
                        // Re-created by an earlier undo (whatever this run's scope): its new sub is no difference.
                        out.carried += 1
                        try carried.write([UInt8](e.json.canonicalData()) + [0x0A])
                        rest.removeAll { $0.field == "attributes.sub" }
                    } else {
                        guard scope.covers(username) else { return }
                        out.taken.add(OnlyMissingPlan.Taken(username: username, snapshotSub: was, poolSub: now))
                        try taken.write(Array(username.utf8) + [0x0A])
                        return
                    }
                }
                if scope.includes(.users) && scope.covers(username) && !rest.isEmpty {
                    out.differences.add(.userChanged(username: username, rest))
                }
            case .membershipRemoved(let group, let username):
                if scope.covers(username) { try sorter.add(key: username + "\u{0}" + group, line: []) }
            case .groupAdded, .userAdded, .membershipAdded, .configuration:
                break
            }
        }
        try missing.close()
        try taken.close()
        try federated.close()

        // Those re-created under another name: found in the pool (with the sub the map gave them) they are
        // users it holds; not found, they are missing like any other.
        var missingFile = missingPath
        let renamedPath = "\(directory)/renamed-users.txt"
        if renamedCount > 0, let liveUsers {
            let stillMissing = "\(directory)/missing-renamed.txt"
            let absent = try resolveRenamed(
                renamed, live: liveUsers, renamedOut: renamedPath, missingOut: stillMissing, carried: &carried, out: &out)
            absentUsers += absent
            missingFile = "\(directory)/missing-all.txt"
            _ = try Self.merge(missingPath, stillMissing, into: missingFile)
        } else {
            try renamed.drain { _, _ in }
            _ = FileManager.default.createFile(atPath: renamedPath, contents: nil)
        }
        FileSystem.removeScratch(renamedDir)
        try carried.close()

        // The users to re-create: those the pool lacks (when users are in scope) and those an earlier run began.
        out.usersFile = "\(directory)/restore-users.txt"
        out.users = try Self.merge(scope.includes(.users) ? missingFile : nil, planned, into: out.usersFile)
        if !scope.includes(.users) && absentUsers > 0 {
            out.leftOut.add("\(absentUsers) user(s) the pool lacks (--only does not name users)")
        }

        let missingGroupNames = Set(missingGroups.map(\.name))
        var needed: Set<String> = []
        out.restoredMembersFile = "\(directory)/restored-members.txt"
        out.existingMembersFile = "\(directory)/existing-members.txt"
        var restoredOut = try BufferedFile(path: out.restoredMembersFile)
        var existingOut = try BufferedFile(path: out.existingMembersFile)
        out.renamedMembersFile = "\(directory)/renamed-members.txt"
        var renamedOut = try BufferedFile(path: out.renamedMembersFile)
        var restoring = try SortedNames(path: out.usersFile), absent = try SortedNames(path: missingFile)
        var renamedNames = try RenamedCursor(path: renamedPath)
        var takenNames = try SortedNames(path: takenPath), federatedNames = try SortedNames(path: federatedPath)
        try sorter.drain { key, _ in
            let cut = key.firstIndex(of: 0) ?? key.endIndex
            let username = String(decoding: key[..<cut], as: UTF8.self)
            let group = cut < key.endIndex ? String(decoding: key[(cut + 1)...], as: UTF8.self) : ""
            if try federatedNames.contains(username) {
                out.federatedMemberships += 1
            } else if try takenNames.contains(username) {
                out.takenMemberships.add(MembershipRecord(group: group, username: username))
            } else if !scope.includes(.memberships) {
                out.leftOut.add("membership of \(username) in \(group) (--only does not name memberships)")
            } else if missingGroupNames.contains(group) && !scope.includes(.groups) {
                out.leftOut.add("membership of \(username) in \(group): the pool lacks the group (--only does not name groups)")
            } else if try restoring.contains(username) {
                if missingGroupNames.contains(group) { needed.insert(group) }
                out.restoredMemberships += 1
                try restoredOut.write(Array(key) + [0x0A])
            } else if let target = try renamedNames.target(of: username) {
                if missingGroupNames.contains(group) { needed.insert(group) }
                out.existingMemberships += 1
                out.renamedMemberships += 1
                try existingOut.write(Array(target.utf8) + [0] + Array(group.utf8) + [0x0A])
                try renamedOut.write(Array(target.utf8) + [0] + Array(group.utf8) + [0x0A])
            } else if try absent.contains(username) {
                out.leftOut.add("membership of \(username) in \(group): the pool lacks the user (--only does not name users)")
            } else {
                if missingGroupNames.contains(group) { needed.insert(group) }
                out.existingMemberships += 1
                try existingOut.write(Array(key) + [0x0A])
            }
        }
        try restoredOut.close()
        try existingOut.close()
        try renamedOut.close()
        FileSystem.removeScratch(sortDir)

        if scope.includes(.groups) {
            // Named users bring just the groups their memberships need.
            out.groups = scope.users == nil ? missingGroups : missingGroups.filter { needed.contains($0.name) }
        } else if !missingGroups.isEmpty {
            out.leftOut.add("\(missingGroups.count) group(s) the pool lacks (--only does not name groups)")
        }
        return out
    }

    /// Joins the renamed candidates (sorted by the pool's username) with the live users: a candidate
    /// the pool holds with the sub the earlier map gave it is carried into the sub map, its differences
    /// (sub aside) listed, and written to `renamedOut` (`username NUL poolUsername`, sorted by the
    /// snapshot's username); the rest go to `missingOut` (sorted). Returns how many are missing.
    private func resolveRenamed(
        _ renamed: ExternalSorter, live: String, renamedOut: String, missingOut: String, carried: inout BufferedFile,
        out: inout OnlyMissingPlan
    ) throws -> Int {
        var users = try SortedLines(path: live)
        let foundDir = "\(directory)/renamed-found-sort", lostDir = "\(directory)/renamed-lost-sort"
        try FileSystem.makeFolder(foundDir)
        try FileSystem.makeFolder(lostDir)
        defer {
            FileSystem.removeScratch(foundDir)
            FileSystem.removeScratch(lostDir)
        }
        let found = ExternalSorter(directory: foundDir, runBytes: 16 << 20)
        let lost = ExternalSorter(directory: lostDir, runBytes: 16 << 20)
        var lostCount = 0
        try renamed.drain { key, line in
            let target = String(decoding: key, as: UTF8.self)
            // Not swallowed: both written by snap from parsed records; a line that does not parse is damage,
            // thrown below.
            guard let candidate = try? JSONParser.parse(Data(line)), let e = candidate["entry"].flatMap(SubMapEntry.init(json:)),
                let record = candidate["record"]
            else { throw SnapError.io(path: directory, reason: "a line of the renamed-users sort cannot be read (a bug in snap)") }
            var pool: JSONValue?
            while let text = try users.peek() {
                // Not swallowed: the live export is snap's own; a line that does not parse is damage, thrown below
                // naming the file.
                guard let json = try? JSONParser.parse(Data(text.utf8)), let name = json["username"]?.stringValue else {
                    throw SnapError.io(path: live, reason: "a line of the live pool's export cannot be read: \(text.prefix(80))")
                }
                if JSONValue.utf8Less(name, target) {
                    try users.advance()
                    continue
                }
                if name == target { pool = json }
                break
            }
            if let pool, pool["attributes"]?["sub"]?.stringValue == e.newSub {
                out.carried += 1
                try carried.write([UInt8](e.json.canonicalData()) + [0x0A])
                let fields = RecordFields.user(record, pool, ignore: ["attributes.sub"])
                if scope.includes(.users) && scope.covers(e.username) && !fields.isEmpty {
                    out.differences.add(.userChanged(username: e.username, fields))
                }
                try found.add(key: e.username + "\u{0}" + target, line: [])
            } else if scope.covers(e.username) {
                lostCount += 1
                try lost.add(key: e.username, line: [])
            }
        }
        var foundFile = try BufferedFile(path: renamedOut)
        try found.drain { key, _ in try foundFile.write(key + [0x0A]) }
        try foundFile.close()
        var lostFile = try BufferedFile(path: missingOut)
        try lost.drain { key, _ in try lostFile.write(key + [0x0A]) }
        try lostFile.close()
        return lostCount
    }

    /// Writes the sorted union of two sorted name files (either may be absent); returns its line count.
    static func merge(_ a: String?, _ b: String?, into path: String) throws -> Int {
        var out = try BufferedFile(path: path)
        var left = try a.map { try SortedLines(path: $0) }
        var right = try b.map { try SortedLines(path: $0) }
        var count = 0
        while true {
            let x = try left?.peek(), y = try right?.peek()
            let next: String
            switch (x, y) {
            case (nil, nil):
                try out.close()
                return count
            case (let x?, nil):
                next = x
                try left?.advance()
            case (nil, let y?):
                next = y
                try right?.advance()
            case (let x?, let y?):
                if x == y {
                    next = x
                    try left?.advance()
                    try right?.advance()
                } else if JSONValue.utf8Less(x, y) {
                    next = x
                    try left?.advance()
                } else {
                    next = y
                    try right?.advance()
                }
            }
            guard !next.isEmpty else { continue }
            try out.write(Array(next.utf8) + [0x0A])
            count += 1
        }
    }
}

/// A sorted file of names asked about in ascending order: one line of lookahead.
struct SortedNames {
    private var lines: SortedLines?

    init(path: String?) throws { lines = try path.map { try SortedLines(path: $0) } }

    /// Whether `name` is in the file. Call with ascending names.
    mutating func contains(_ name: String) throws -> Bool {
        while let head = try lines?.peek(), JSONValue.utf8Less(head, name) { try lines?.advance() }
        return try lines?.peek() == name
    }
}

/// The renamed users' file (`username NUL poolUsername`, sorted) asked about in ascending username order.
struct RenamedCursor {
    private var lines: SortedLines

    init(path: String) throws { lines = try SortedLines(path: path) }

    /// The pool's username of `username`, when an earlier undo re-created it under another name.
    mutating func target(of username: String) throws -> String? {
        while let head = try lines.peek() {
            let cut = head.utf8.firstIndex(of: 0) ?? head.utf8.endIndex
            let name = String(head[..<cut])
            if JSONValue.utf8Less(name, username) {
                try lines.advance()
                continue
            }
            guard name == username, cut < head.utf8.endIndex else { return nil }
            return String(head[head.utf8.index(after: cut)...])
        }
        return nil
    }
}
