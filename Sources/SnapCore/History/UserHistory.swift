import AWS
import Foundation

/// `snap log USERNAME`: one user's record across every snapshot of a pool,
/// oldest first, as events: when the user appeared, each change of
/// attributes, status, enabled state, MFA options, MFA settings (`mfa`,
/// between snapshots both taken with `--with-mfa`) and groups, and when the
/// user disappeared (and came back).
///
/// Snapshots are read one at a time, each verified through `Catalog.read`
/// and streamed; only this user's record and group names are kept, so
/// memory grows neither with the history nor with the pool.
public struct UserHistory: Sendable {
    /// What one snapshot holds of the user.
    public struct State: Sendable, Equatable {
        public var record: JSONValue
        public var groups: [String]
    }

    public enum Event: Sendable {
        case appeared(State)
        case changed([DiffChange.Field])
        case disappeared(last: State)
    }

    public struct Step: Sendable {
        public var id: SnapshotID
        public var createdAt: String
        public var event: Event
    }

    public let catalog: Catalog
    public let pool: String
    public let username: String

    public init(catalog: Catalog, pool: String, username: String) {
        self.catalog = catalog
        self.pool = pool
        self.username = username
    }

    /// Emits each event as its snapshot is read; returns how many of how many
    /// snapshots hold the user. Throws when a snapshot cannot be read intact
    /// from any store: a gap in the history is never passed over silently.
    public func run(
        entries: [Catalog.Entry], workDirectory: String, log: (String) -> Void, emit: (Step) throws -> Void
    ) async throws -> (present: Int, snapshots: Int) {
        var previous: State?
        var previousWithMFA = false
        var present = 0
        for (n, entry) in entries.enumerated() {
            let folder = "\(workDirectory)/snapshot-\(n)"
            try FileSystem.makeFolder(folder)
            let state = try await read(entry, folder: folder, log: log)
            // Each snapshot's copy is scratch once read; the work folder goes at the end anyway.
            try? FileManager.default.removeItem(atPath: folder)
            let at = (entry.id, entry.manifest.createdAt)
            switch (previous, state) {
            case (nil, let now?): try emit(Step(id: at.0, createdAt: at.1, event: .appeared(now)))
            case (let was?, nil): try emit(Step(id: at.0, createdAt: at.1, event: .disappeared(last: was)))
            case (let was?, let now?):
                // `mfa` is compared only between snapshots both taken with --with-mfa (else absent means "not exported").
                let mfaComparable = previousWithMFA && entry.manifest.options.withMFA
                var fields = RecordFields.user(was.record, now.record, ignore: mfaComparable ? [] : ["mfa"])
                if was.groups != now.groups {
                    fields.append(
                        .init(field: "groups", old: .array(was.groups.map { .string($0) }), new: .array(now.groups.map { .string($0) })))
                }
                if !fields.isEmpty { try emit(Step(id: at.0, createdAt: at.1, event: .changed(fields))) }
            case (nil, nil): break
            }
            if state != nil { present += 1 }
            previous = state
            previousWithMFA = entry.manifest.options.withMFA
        }
        return (present, entries.count)
    }

    /// The user's record and groups in one snapshot; nil when absent.
    func read(_ entry: Catalog.Entry, folder: String, log: (String) -> Void) async throws -> State? {
        let snapshot = try await catalog.read(entry, pool: pool, workDirectory: folder, log: log)
        let members = try snapshot.members()
        // snap's own archives are canonical JSON, so a line holding this user
        // holds these bytes; other writers' lines are all parsed.
        let canonical = entry.manifest.tool.hasPrefix("snap ")
        let needle = Array(#""username":"#.utf8) + Array(JSONValue.string(username).canonicalData())
        var record: JSONValue?
        var groups: [String] = []
        for member in [Member.users, .memberships] {
            try members.open(member)
            var lines = LineReader { try members.read() }
            while let line = try lines.next() {
                if canonical && !Self.contains(line, needle) { continue }
                let value: JSONValue
                do {
                    value = try JSONParser.parse(line)
                } catch {
                    throw SnapError.malformedLine(
                        source: snapshot.source, member: member.rawValue, line: lines.lineNumber, reason: "\(error)")
                }
                guard value["username"]?.stringValue == username else { continue }
                if member == .users {
                    record = value
                } else if let group = value["group"]?.stringValue {
                    groups.append(group)
                }
            }
        }
        try members.finish()
        return record.map { State(record: $0, groups: groups) }
    }

    static func contains(_ line: Data, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, line.count >= needle.count else { return false }
        return line.withUnsafeBytes { raw -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            let last = bytes.count - needle.count
            while i <= last {
                if bytes[i] == first {
                    var j = 1
                    while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
                i += 1
            }
            return false
        }
    }
}
