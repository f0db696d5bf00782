import AWS
import Foundation

/// The snapshot to restore, verified whole (Catalog.read: every checksum,
/// count and order check) before a line is parsed here, and then only
/// streamed: the users are read once for the checks (twice when a value may
/// be shared), once more by the executor, and never held. What must be
/// joined to them is sorted on disk by username: the memberships of the
/// users restored (`membershipsByUser`) and, on `--resume`, the journal.
public final class RestoreSource: @unchecked Sendable {
    public let snapshot: VerifiedSnapshot
    public let pool: JSONValue
    public let groups: [GroupRecord]
    let work: WorkDirectory
    /// Memberships of the users restored, a line `username NUL group` each, sorted (written by `plan`).
    var membershipsByUser: String { "\(work.path)/memberships-by-user.jsonl" }
    public var store: String { snapshot.store }

    public static func open(
        catalog: Catalog, entry: Catalog.Entry, pool: String, log: (String) -> Void
    ) async throws -> RestoreSource {
        let work = try WorkDirectory()
        do {
            let snapshot = try await catalog.read(entry, pool: pool, workDirectory: work.path, log: log)
            let members = try snapshot.members()
            try members.open(.pool)
            var poolData = Data()
            while let chunk = try members.read() { poolData += chunk }
            let poolJSON: JSONValue
            do {
                poolJSON = try JSONParser.parse(poolData)
            } catch {
                throw SnapError.damaged(source: snapshot.source, member: Member.pool.rawValue, reason: "\(error)")
            }
            var groups: [GroupRecord] = []
            var lines = try RecordLines(snapshot, .groups, members: members)
            while let g = try lines.next(GroupRecord.init(json:)) { groups.append(g) }
            return RestoreSource(snapshot: snapshot, pool: poolJSON, groups: groups, work: work)
        } catch {
            work.remove()
            throw error
        }
    }

    init(snapshot: VerifiedSnapshot, pool: JSONValue, groups: [GroupRecord], work: WorkDirectory) {
        self.snapshot = snapshot
        self.pool = pool
        self.groups = groups
        self.work = work
    }

    public func remove() { work.remove() }

    /// config.json (format 2: `{"mfa": GetUserPoolMfaConfig}`), read from the verified copy; nil in a
    /// format-1 snapshot, which has none. Read on demand (`restore --create-pool`): it lies after users.jsonl.
    public func configuration() throws -> JSONValue? {
        guard snapshot.manifest.format >= 2 else { return nil }
        let members = try snapshot.members()
        try members.open(.config)
        var data = Data()
        while let chunk = try members.read() { data += chunk }
        try members.finish()
        do {
            let value = try JSONParser.parse(data)
            guard value.objectValue != nil else {
                throw SnapError.damaged(source: snapshot.source, member: Member.config.rawValue, reason: "it is not a JSON object")
            }
            return value
        } catch let e as SnapError {
            throw e
        } catch {
            throw SnapError.damaged(source: snapshot.source, member: Member.config.rawValue, reason: "\(error)")
        }
    }

    /// The pre-checks and counts, streamed; also sorts the restored users' memberships by user for the executor.
    public func plan(
        target: PoolConfiguration, targetUsers: [String], targetGroups: [String], resume: Bool, options: RestoreOptions = RestoreOptions()
    ) throws -> RestorePlan {
        var checks = RestoreChecks(source: PoolConfiguration(pool: pool), target: target, options: options)
        let skippedPath = "\(work.path)/skipped-users.txt"
        var skippedOut = try BufferedFile(path: skippedPath)
        let sortDir = try work.folder("membership-sort")
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        do {
            let members = try snapshot.members()
            var users = try RecordLines(snapshot, .users, members: members)
            while let u = try users.next(UserRecord.init(json:)) {
                checks.add(u)
                if RestorePlan.isSkipped(u) { try skippedOut.write(Array(u.username.utf8) + [0x0A]) }
            }
            var memberships = try RecordLines(snapshot, .memberships, members: members)
            while let m = try memberships.next(MembershipRecord.init(json:)) {
                try sorter.add(key: m.username + "\u{0}" + m.group, line: [])
            }
            try members.finish()
        }
        try skippedOut.close()
        if checks.needsSecondPass {
            let members = try snapshot.members()
            var users = try RecordLines(snapshot, .users, members: members)
            while let u = try users.next(UserRecord.init(json:)) { checks.confirm(u) }
        }
        var plan = RestorePlan(targetPoolId: target.id, target: target, groups: groups)
        checks.finish(into: &plan, targetUsers: targetUsers, targetGroups: targetGroups, resume: resume)

        // Memberships by user; those of skipped users (a sorted file too) are counted and left out.
        var out = try BufferedFile(path: membershipsByUser)
        var skipped = try SortedLines(path: skippedPath)
        var restored = 0, dropped = 0
        try sorter.drain { key, _ in
            let username = String(decoding: key.prefix { $0 != 0 }, as: UTF8.self)
            while let s = try skipped.peek(), JSONValue.utf8Less(s, username) { try skipped.advance() }
            if try skipped.peek() == username {
                dropped += 1
            } else {
                restored += 1
                try out.write(key + [0x0A])
            }
        }
        try out.close()
        FileSystem.removeScratch(sortDir)
        plan.membershipCount = restored
        plan.skippedMemberships = dropped
        return plan
    }

    /// `--only-missing`: a sorted file of the usernames to restore; the others are passed over. nil: every user.
    var onlyUsers: String?

    /// The users, streamed in archive (username) order (those in `onlyUsers`, when set). Single owner.
    func users() throws -> UserStream { try UserStream(self) }

    final class UserStream {
        private let members: VerifiedMembers
        private var lines: RecordLines
        private var only: SortedNames?

        init(_ source: RestoreSource) throws {
            members = try source.snapshot.members()
            lines = try RecordLines(source.snapshot, .users, members: members)
            only = try source.onlyUsers.map { try SortedNames(path: $0) }
        }

        func next() throws -> UserRecord? {
            while let u = try lines.next(UserRecord.init(json:)) {
                if try only?.contains(u.username) ?? true { return u }
            }
            return nil
        }
    }
}

/// One member's records, parsed line by line.
struct RecordLines {
    private let members: VerifiedMembers
    private var reader: LineReader
    private let member: Member
    private let source: String

    init(_ snapshot: VerifiedSnapshot, _ member: Member, members: VerifiedMembers) throws {
        try members.open(member)
        self.members = members
        self.member = member
        source = snapshot.source
        reader = LineReader(source: members.read)
    }

    mutating func next<T>(_ make: (JSONValue) throws(ModelError) -> T) throws -> T? {
        guard let line = try reader.next() else { return nil }
        do {
            return try make(try JSONParser.parse(line))
        } catch {
            throw SnapError.malformedLine(source: source, member: member.rawValue, line: reader.lineNumber, reason: "\(error)")
        }
    }
}

/// Appends lines to a new file through a 1 MiB buffer.
struct BufferedFile {
    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let h = FileHandle(forWritingAtPath: path)
        else { throw SnapError.io(path: path, reason: "cannot create the file") }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { throw WriteFailure.error(error, path: path, writing: "a restore work file") }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try handle.close()
    }
}

/// A file of lines read one at a time, with one line of lookahead.
struct SortedLines {
    private var reader: LineReader
    private var head: String?
    private var loaded = false

    init(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open the file") }
        reader = LineReader(maxLineLength: 1 << 22) { try h.read(upToCount: 1 << 18).flatMap { $0.isEmpty ? nil : $0 } }
    }

    mutating func peek() throws -> String? {
        if !loaded {
            head = try reader.next().map { String(decoding: $0, as: UTF8.self) }
            loaded = true
        }
        return head
    }

    mutating func advance() throws {
        _ = try peek()
        loaded = false
    }
}

extension RestoreSource {
    /// An earlier run's journal, indexed in this restore's work folder; nil when there is none.
    public func journal(at path: String) throws -> JournalIndex? {
        try JournalIndex.build(path: path, directory: work.path)
    }
}
