import Foundation

/// The SPEC's consistency rule, proven while the members stream past: every
/// membership names a group of groups.jsonl and a user of users.jsonl.
///
/// Memory stays bounded at any pool size. Group names (at most 10,000 a
/// pool) are kept in a set, so a membership's group is checked on its own
/// line. User names are not kept: users.jsonl is sorted, so its names go
/// to a run file as they pass; the memberships' usernames (sorted by group
/// first) go through an `ExternalSorter`; at the end the two sorted streams
/// are merged once, and the first username the users lack is named with
/// its line. Scratch lives in a private folder made on first use (under
/// `scratch`, else TMPDIR) and removed by `finish` or `discard`; a snapshot
/// without memberships writes nothing.
///
/// One per archive read; single owner (the members come in archive order).
final class ConsistencyCheck {
    let source: String
    private let scratch: String?
    private let expectsMemberships: Bool
    private var work: WorkDirectory?
    private var groups = Set<[UInt8]>()
    private var users: SortRunWriter?
    private var usersPath = ""
    private var sorter: ExternalSorter?

    /// `expectsMemberships` (the manifest's memberships.jsonl has records)
    /// false: users are not written aside, since no membership can name one.
    init(source: String, scratch: String?, expectsMemberships: Bool) {
        self.source = source
        self.scratch = scratch
        self.expectsMemberships = expectsMemberships
    }

    deinit { work?.remove() }

    /// A group's name, from groups.jsonl.
    func group(_ name: [UInt8]) {
        groups.insert(name)
    }

    /// A user's name, from users.jsonl (in increasing order: `MemberCheck` proved it).
    func user(_ name: [UInt8]) throws {
        guard expectsMemberships else { return }
        if users == nil {
            usersPath = try folder() + "/users.run"
            users = try SortRunWriter(path: usersPath)
        }
        try users!.write(SortRecord(key: name, line: [], seq: 0))
    }

    /// A membership at `line` of memberships.jsonl: its group is checked now,
    /// its user at `finish`.
    func membership(group: [UInt8], username: [UInt8], line: Int) throws {
        guard groups.contains(group) else {
            throw SnapError.inconsistent(
                source: source, line: line,
                reason:
                    "the membership of user \"\(Self.text(username))\" names group \"\(Self.text(group))\", which groups.jsonl does not hold"
            )
        }
        if sorter == nil { sorter = ExternalSorter(directory: try folder(), runBytes: 16 << 20) }
        try sorter!.add(key: Self.text(username), line: Array("\(line)\t".utf8) + group)
    }

    /// Merges the memberships' usernames with the users' names; throws
    /// naming the first membership whose user is absent. Removes the scratch.
    func finish() throws {
        defer { discard() }
        guard let sorter else { return }
        var reader: SortRunReader?
        if var writer = users {
            try writer.close()
            users = nil
            reader = try SortRunReader(path: usersPath)
        }
        var current = try reader?.next()?.key
        var missing: (username: [UInt8], line: [UInt8])?
        try sorter.drain { username, line in
            guard missing == nil else { return }
            while let u = current, u.lexicographicallyPrecedes(username) { current = try reader?.next()?.key }
            if current != username { missing = (username, line) }
        }
        guard let missing else { return }
        let tab = missing.line.firstIndex(of: UInt8(ascii: "\t")) ?? missing.line.endIndex
        let number = Int(Self.text(Array(missing.line[..<tab]))) ?? 0
        let group = tab < missing.line.endIndex ? Array(missing.line[(tab + 1)...]) : []
        throw SnapError.inconsistent(
            source: source, line: number,
            reason:
                "the membership of group \"\(Self.text(group))\" names user \"\(Self.text(missing.username))\", which users.jsonl does not hold"
        )
    }

    /// Removes the scratch (the read failed, or is done).
    func discard() {
        work?.remove()
        work = nil
    }

    private func folder() throws -> String {
        if let work { return work.path }
        let made = try WorkDirectory(base: scratch)
        work = made
        return made.path
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
