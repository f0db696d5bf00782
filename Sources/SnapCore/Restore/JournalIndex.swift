import AWS
import Foundation

/// An earlier run's journal, for `--resume`, without holding it: groups
/// (few) in memory, every per-user entry sorted by username on disk, so the
/// executor joins it to the sorted users as it streams them (`PriorCursor`).
public struct JournalIndex: @unchecked Sendable {
    public var snapshot: String?
    public var target: String?
    public var groups: Set<String> = []
    /// Import jobs by CSV file index: the job made for it, and whether it finished.
    public var jobs: [Int: (jobId: String, done: Bool)] = [:]
    public var users = 0
    public var members = 0
    /// Entries read.
    public var entries = 0
    /// The number of the journal's last line when it was cut short (a kill mid-append, a full disk) and dropped.
    public var cutLine: Int?
    /// Per-user entries, sorted by username (empty path: none).
    let sorted: String?

    /// Reads the journal at `path` into a sorted index in `directory`; nil when there is no journal.
    public static func build(path: String, directory: String) throws -> JournalIndex? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let sortDir = "\(directory)/journal-sort"
        try FileSystem.makeFolder(sortDir)
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        var index = JournalIndex(sorted: "\(directory)/journal-by-user.jsonl")
        var seq = 0
        let cut = try JournalReader.read(path: path) { entry in
            index.entries += 1
            let key: String
            switch entry {
            case .start(let s, let t, _):
                index.snapshot = s
                index.target = t
                return
            case .group(let n):
                index.groups.insert(n)
                return
            case .importJob(let i, let j):
                index.jobs[i] = (j, false)
                return
            case .importDone(let i, let j, _, _, _):
                index.jobs[i] = (j, true)
                return
            case .user(let u, _, _):
                index.users += 1
                key = u + "\u{0}u\u{0}" + String(format: "%012d", seq)
            case .password(let u): key = u + "\u{0}p"
            case .disabled(let u): key = u + "\u{0}d"
            case .mfa(let u): key = u + "\u{0}f"
            case .link(let u, let p, let i): key = u + "\u{0}l\u{0}" + p + "\u{0}" + i
            case .member(let g, let u):
                index.members += 1
                key = u + "\u{0}m\u{0}" + g
            }
            seq += 1
            try sorter.add(key: key, line: [UInt8](entry.json.canonicalData()))
        }
        index.cutLine = cut
        var out = try BufferedFile(path: index.sorted!)
        try sorter.drain { _, line in try out.write(line + [0x0A]) }
        try out.close()
        FileSystem.removeScratch(sortDir)
        return index
    }

    /// Nothing recorded, not even the start line (an empty file, or one whose only line was cut).
    public var isEmpty: Bool { entries == 0 }

    static let empty = JournalIndex(sorted: nil)
}

/// What the journal says is done for one user.
struct PriorUser: Sendable {
    var created: JournalState.Created?
    var members: Set<String> = []
    /// Its MFA preferences were set.
    var mfa = false
    /// Links made (`LinkedIdentity.key`): claims the executor checks against the user's identities.
    var links: Set<String> = []
}

/// Walks the sorted journal index alongside the sorted users.
struct PriorCursor {
    private var lines: SortedLines?
    private var head: (username: String, entry: JournalEntry)?
    private var loaded = false

    init(_ index: JournalIndex) throws {
        lines = try index.sorted.map { try SortedLines(path: $0) }
    }

    private mutating func peek() throws -> (username: String, entry: JournalEntry)? {
        if loaded { return head }
        loaded = true
        head = nil
        while let text = try lines?.peek() {
            try lines?.advance()
            // Written by `build` from entries it parsed: an unreadable line here is damage, not a torn write.
            guard let json = try? JSONParser.parse(Data(text.utf8)), let e = JournalEntry(json: json) else {  // thrown below
                throw SnapError.io(
                    path: "the restore journal index", reason: "a line of the journal index cannot be read: \(text.prefix(80))")
            }
            switch e {
            case .user(let u, _, _), .password(let u), .disabled(let u), .member(_, let u), .mfa(let u), .link(let u, _, _):
                head = (u, e)
                return head
            default: continue
            }
        }
        return nil
    }

    /// Entries for `username`, skipping those of earlier usernames. Call with ascending usernames.
    mutating func prior(of username: String) throws -> PriorUser {
        var out = PriorUser()
        while let h = try peek(), h.username == username || JSONValue.utf8Less(h.username, username) {
            loaded = false
            guard h.username == username else { continue }
            switch h.entry {
            case .user(_, let t, let s): out.created = JournalState.Created(targetUsername: t, newSub: s)
            case .member(let g, _): out.members.insert(g)
            case .mfa: out.mfa = true
            case .link(_, let p, let i): out.links.insert(LinkedIdentity(providerName: p, userId: i).key)
            default: break
            }
        }
        return out
    }
}
