import AWS
import Foundation

/// What a restore has done so far, one JSON line per finished write,
/// appended and fsynced before the next step depends on it, so a restore
/// killed at any moment knows on `--resume` everything it did (except, at
/// most, the writes in flight, which it then finds in the pool).
public enum JournalEntry: Sendable, Equatable {
    case start(snapshot: String, target: String, source: String)
    case group(name: String)
    case user(username: String, targetUsername: String, newSub: String)
    case password(username: String)
    case disabled(username: String)
    case member(group: String, username: String)
    /// The user's SMS / email MFA preferences were set (AdminSetUserMFAPreference).
    case mfa(username: String)
    /// A linked identity was linked again (AdminLinkProviderForUser); `--resume` checks it in the user's identities.
    case link(username: String, provider: String, userId: String)
    /// An import job made for CSV file `index` (`--method import-job`).
    case importJob(index: Int, jobId: String)
    /// That job finished: `--resume` never imports its file again.
    case importDone(index: Int, jobId: String, status: String, imported: Int, failed: Int)

    public var json: JSONValue {
        switch self {
        case .start(let s, let t, let src):
            ["op": "start", "snapshot": .string(s), "target": .string(t), "source": .string(src), "format": 1]
        case .group(let n): ["op": "group", "name": .string(n)]
        case .user(let u, let t, let s): ["op": "user", "username": .string(u), "targetUsername": .string(t), "newSub": .string(s)]
        case .password(let u): ["op": "password", "username": .string(u)]
        case .disabled(let u): ["op": "disabled", "username": .string(u)]
        case .member(let g, let u): ["op": "member", "group": .string(g), "username": .string(u)]
        case .mfa(let u): ["op": "mfa", "username": .string(u)]
        case .link(let u, let p, let i): ["op": "link", "username": .string(u), "provider": .string(p), "userId": .string(i)]
        case .importJob(let i, let j): ["op": "importJob", "index": .int(i), "jobId": .string(j)]
        case .importDone(let i, let j, let st, let im, let f):
            [
                "op": "importDone", "index": .int(i), "jobId": .string(j), "status": .string(st), "imported": .int(im),
                "failed": .int(f),
            ]
        }
    }

    public init?(json: JSONValue) {
        let s = { (k: String) in json[k]?.stringValue }
        switch s("op") {
        case "start":
            guard let a = s("snapshot"), let b = s("target"), let c = s("source") else { return nil }
            self = .start(snapshot: a, target: b, source: c)
        case "group":
            guard let n = s("name") else { return nil }
            self = .group(name: n)
        case "user":
            guard let u = s("username"), let t = s("targetUsername"), let n = s("newSub") else { return nil }
            self = .user(username: u, targetUsername: t, newSub: n)
        case "password":
            guard let u = s("username") else { return nil }
            self = .password(username: u)
        case "disabled":
            guard let u = s("username") else { return nil }
            self = .disabled(username: u)
        case "member":
            guard let g = s("group"), let u = s("username") else { return nil }
            self = .member(group: g, username: u)
        case "mfa":
            guard let u = s("username") else { return nil }
            self = .mfa(username: u)
        case "link":
            guard let u = s("username"), let p = s("provider"), let i = s("userId") else { return nil }
            self = .link(username: u, provider: p, userId: i)
        case "importJob":
            guard let i = json["index"]?.intValue, let j = s("jobId") else { return nil }
            self = .importJob(index: i, jobId: j)
        case "importDone":
            guard let i = json["index"]?.intValue, let j = s("jobId"), let st = s("status") else { return nil }
            self = .importDone(
                index: i, jobId: j, status: st, imported: json["imported"]?.intValue ?? 0, failed: json["failed"]?.intValue ?? 0)
        default: return nil
        }
    }
}

/// The journal's contents folded into what is done.
public struct JournalState: Sendable, Equatable {
    public struct Created: Sendable, Equatable {
        public var targetUsername: String
        public var newSub: String
    }

    public var snapshot: String?
    public var target: String?
    public var groups: Set<String> = []
    public var users: [String: Created] = [:]
    public var passwords: Set<String> = []
    public var disabled: Set<String> = []
    public var members: Set<MembershipRecord> = []
    public var mfa: Set<String> = []
    /// Links done, as "username NUL provider NUL userId".
    public var links: Set<String> = []

    public init() {}

    public mutating func apply(_ e: JournalEntry) {
        switch e {
        case .start(let s, let t, _):
            snapshot = s
            target = t
        case .group(let n): groups.insert(n)
        case .user(let u, let t, let s): users[u] = Created(targetUsername: t, newSub: s)
        case .password(let u): passwords.insert(u)
        case .disabled(let u): disabled.insert(u)
        case .member(let g, let u): members.insert(MembershipRecord(group: g, username: u))
        case .mfa(let u): mfa.insert(u)
        case .link(let u, let p, let i): links.insert(u + "\u{0}" + p + "\u{0}" + i)
        case .importJob, .importDone: break
        }
    }
}

/// The journal file. Appends are serialized by the actor; each is one write(2)
/// of a whole line followed by fdatasync, so a crash leaves at most a cut last
/// line, which reading drops (`JournalReader`) and `init` cuts off before appending.
public actor RestoreJournal {
    public let path: String
    private let fd: Int32

    /// Reads an existing journal: its state, and the number of its last line when that was cut short
    /// and dropped (`JournalReader`: a damaged line elsewhere is an error naming it).
    public static func load(path: String) throws -> (state: JournalState, cutLine: Int?)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var state = JournalState()
        let cut = try JournalReader.read(path: path) { state.apply($0) }
        return (state, cut)
    }

    /// Opens for appending; `truncate` starts a new journal. A cut last line (never acknowledged) is removed first.
    public init(path: String, truncate: Bool) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o600)
        guard fd >= 0 else {
            throw SnapError.io(path: path, reason: "cannot open the restore journal: \(String(cString: strerror(errno)))")
        }
        if !truncate, let data = FileManager.default.contents(atPath: path), let last = data.last, last != 0x0A {
            let keep = data.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            guard ftruncate(fd, off_t(keep)) == 0 else {
                let err = String(cString: strerror(errno))
                close(fd)
                throw SnapError.io(path: path, reason: "cannot remove the journal's cut last line: \(err)")
            }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    public func append(_ entry: JournalEntry) throws {
        let bytes = [UInt8](entry.json.canonicalData()) + [0x0A]
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        guard written == bytes.count else {
            throw SnapError.io(
                path: path,
                reason: "cannot append to the restore journal: \(written < 0 ? String(cString: strerror(errno)) : "short write")")
        }
        guard fdatasync(fd) == 0 else {
            throw SnapError.io(path: path, reason: "cannot sync the restore journal: \(String(cString: strerror(errno)))")
        }
    }
}
