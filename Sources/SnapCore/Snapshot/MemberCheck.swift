import AWS
import Crypto
import Foundation

/// Checks one member while it streams past: its SHA-256 and size, and for
/// JSON-Lines members that every line is JSON within the limits and the
/// records are sorted. Lines are checked where they lie in each chunk
/// (`JSONLineScanner`, no tree); only a line split across two chunks is copied.
/// Each record's field types are checked (`RecordShape`), and its names are
/// handed to the archive's `ConsistencyCheck` (every membership names a user
/// and a group of the snapshot).
/// With `checksLines` false only the digest and size are checked here: the
/// reader of the lines checks each one and counts them (the diff's join,
/// `MemberLines` verifying, which checks a line once for both sides).
struct MemberCheck {
    let member: Member
    let source: String
    let maxLineLength: Int
    let checksLines: Bool
    /// Shared by the archive's members; nil when lines are not checked here.
    let consistency: ConsistencyCheck?
    private var hasher = SHA256()
    private(set) var bytes: Int64 = 0
    private(set) var records = 0
    /// Number of the last complete line checked.
    private(set) var lineNumber = 0
    /// The last line's sort key and the current one's, buffers swapped from line to line.
    private var previousKey: [UInt8] = []
    private var key: [UInt8] = []
    private var scanner: JSONLineScanner
    /// The start of a line whose newline has not arrived yet.
    private var partial: [UInt8] = []

    init(
        member: Member, source: String, maxLineLength: Int = 1 << 20, checksLines: Bool = true, consistency: ConsistencyCheck? = nil
    ) {
        self.member = member
        self.source = source
        self.maxLineLength = maxLineLength
        self.checksLines = checksLines
        self.consistency = consistency
        scanner = Self.scanner(for: member)
    }

    /// A scanner capturing the member's sort-key fields.
    static func scanner(for member: Member) -> JSONLineScanner {
        switch member {
        case .users: JSONLineScanner(first: "username")
        case .groups: JSONLineScanner(first: "name")
        case .memberships: JSONLineScanner(first: "group", second: "username")
        case .clients: JSONLineScanner(first: "ClientName", second: "ClientId")
        case .providers: JSONLineScanner(first: "ProviderName")
        case .resourceServers: JSONLineScanner(first: "Identifier")
        case .pool, .config, .secrets, .manifest: JSONLineScanner()
        }
    }

    /// Hashes and counts a chunk; for JSON-Lines members also checks every line it completes.
    mutating func consume(raw chunk: [UInt8]) throws {
        hasher.update(data: chunk)
        bytes += Int64(chunk.count)
        guard member.isJSONLines, checksLines else { return }
        let s = chunk.span
        var start = 0
        while true {
            let end = ByteRuns.newline(in: s, from: start)
            guard end < s.count else { break }
            if partial.isEmpty {
                try line(s.extracting(start..<end))
            } else {
                for k in start..<end { partial.append(s[k]) }
                let whole = partial
                try line(whole.span)
                partial.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        if start < s.count {
            for k in start..<s.count { partial.append(s[k]) }
            if partial.count > maxLineLength {
                throw LineReaderError.lineTooLong(line: lineNumber + 1, limit: maxLineLength)
            }
        }
    }

    /// After the member's last chunk: a line without its newline means the data was cut.
    func endOfLines() throws {
        if member.isJSONLines, !partial.isEmpty { throw LineReaderError.missingFinalNewline(line: lineNumber + 1) }
    }

    private mutating func line(_ text: Span<UInt8>) throws {
        lineNumber += 1
        if text.count > maxLineLength { throw LineReaderError.lineTooLong(line: lineNumber, limit: maxLineLength) }
        try Self.sortKey(member, text, scanner: &scanner, source: source, line: lineNumber, into: &key)
        if records > 0, ByteRuns.compare(previousKey.span, key.span) >= 0 {
            throw SnapError.unsorted(source: source, member: member.rawValue, line: lineNumber)
        }
        if let reason = RecordShape.problem(member, text) {
            throw SnapError.badRecord(source: source, member: member.rawValue, line: lineNumber, reason: reason)
        }
        if let consistency {
            switch member {
            case .groups: consistency.group(key)
            case .users: try consistency.user(key)
            case .memberships:
                try consistency.membership(group: scanner.firstValue, username: scanner.secondValue, line: lineNumber)
            case .pool, .clients, .providers, .resourceServers, .config, .secrets, .manifest: break
            }
        }
        swap(&previousKey, &key)
        records += 1
    }

    mutating func checkDocument(_ data: Data) throws {
        var scanner = JSONLineScanner()
        do {
            try scanner.scan(data.span)
        } catch {
            throw SnapError.malformedLine(source: source, member: member.rawValue, line: 1, reason: "\(error)")
        }
        if member == .config, data.first(where: { !Self.isSpace($0) }) != UInt8(ascii: "{") {
            // Readers take its keys ("mfa"); anything but an object is a damaged copy, never "no configuration".
            throw SnapError.damaged(source: source, member: member.rawValue, reason: "it is not a JSON object")
        }
        records = 1
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Compares what was read with what the manifest promised.
    func finish(expected: Manifest.FileInfo) throws {
        let digest = Hex.encode(hasher.finalize())
        if digest != expected.sha256 {
            throw SnapError.damaged(
                source: source, member: member.rawValue, reason: "sha256 is \(digest), the manifest says \(expected.sha256)")
        }
        if bytes != expected.bytes {
            throw SnapError.damaged(source: source, member: member.rawValue, reason: "\(bytes) bytes, the manifest says \(expected.bytes)")
        }
        if records != expected.records && (checksLines || !member.isJSONLines) {
            throw SnapError.damaged(
                source: source, member: member.rawValue, reason: "\(records) records, the manifest says \(expected.records)")
        }
    }

    /// An opaque member (secrets.enc): its digest against the manifest's `field`; its bytes are not JSON.
    func finish(sha256 expected: String, field: String) throws {
        let digest = Hex.encode(hasher.finalize())
        if digest != expected {
            throw SnapError.damaged(
                source: source, member: member.rawValue, reason: "sha256 is \(digest), the manifest's \(field) says \(expected)")
        }
    }

    /// Checks one line with `scanner` (made by `scanner(for:)`) and returns
    /// its sort key: users by username, groups by name, memberships by group
    /// then username, clients by ClientName then ClientId, providers by
    /// ProviderName, resource servers by Identifier (NUL sorts below every other byte).
    static func sortKey(_ member: Member, _ text: Span<UInt8>, scanner: inout JSONLineScanner, source: String, line: Int) throws
        -> [UInt8]
    {
        var key: [UInt8] = []
        try sortKey(member, text, scanner: &scanner, source: source, line: line, into: &key)
        return key
    }

    /// As above, the key written into `key` (its capacity reused: no allocation per line).
    static func sortKey(
        _ member: Member, _ text: Span<UInt8>, scanner: inout JSONLineScanner, source: String, line: Int, into key: inout [UInt8]
    ) throws {
        do {
            try scanner.scan(text)
        } catch {
            throw SnapError.malformedLine(source: source, member: member.rawValue, line: line, reason: "\(error)")
        }
        func missing(_ name: String) -> SnapError {
            SnapError.malformedLine(source: source, member: member.rawValue, line: line, reason: "no string \"\(name)\"")
        }
        // The key fields are the scanner's (`scanner(for:)`): one key field, or two joined by a NUL.
        switch member {
        case .users, .groups, .providers, .resourceServers:
            guard scanner.hasFirst else { throw missing(scanner.firstField) }
            scanner.takeFirst(into: &key)
        case .memberships, .clients:
            guard scanner.hasFirst else { throw missing(scanner.firstField) }
            guard scanner.hasSecond else { throw missing(scanner.secondField) }
            key.removeAll(keepingCapacity: true)
            key.append(contentsOf: scanner.firstValue)
            key.append(0)
            key.append(contentsOf: scanner.secondValue)
        case .pool, .config, .secrets, .manifest: key.removeAll(keepingCapacity: true)
        }
    }
}
