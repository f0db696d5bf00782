import AWS
import Foundation

/// The lines of one sorted member for the diff's merge-join, taken from
/// large chunks. The current line is a range of its chunk, not a copy, so
/// comparing two equal lines costs a memory compare and nothing else.
///
/// A side being verified while it is joined (`verifying`) has its lines
/// checked here rather than by its reading thread: every line gets a sort
/// key (`JSONLineScanner`: the line is JSON within the limits), keys must
/// strictly increase, and the count must be the manifest's. A line with the
/// same bytes as the other side's current line takes that line's key
/// (`adopt`): the same bytes are the same JSON with the same key, so one
/// scan serves both sides. Errors are also handed to `report`, so the diff
/// knows which side failed.
struct MemberLines {
    /// The file or `source member`, for messages.
    let path: String
    let member: Member
    let maxLineLength: Int
    let verifying: Bool
    private let expectedRecords: Int?
    private let report: ((any Error) -> Void)?
    /// The current line's key (valid once taken: `hasKey`) and the last
    /// line's (a verifying side's order check): buffers swapped from line to
    /// line, so taking a key allocates nothing.
    private var keyBytes: [UInt8] = []
    private(set) var hasKey = false
    private var previousKey: [UInt8] = []
    private var hasPreviousKey = false
    private let source: () throws -> [UInt8]?
    /// The chunk being split: a line inside it is used where it lies.
    private var chunk: [UInt8] = []
    /// Where the unread part of `chunk` starts.
    private var position = 0
    /// The start of a line whose newline is in a later chunk (the only bytes copied).
    private var carry: [UInt8] = []
    /// The buffer holding the current line: `chunk` (a second reference, not
    /// a copy) or the copy of a line that spanned chunks. Assigned when the
    /// line moves to another buffer, not per line.
    private var current: [UInt8] = []
    /// `current` is not `chunk`: set when either changes.
    private var currentIsStale = true
    /// The current line (without its newline) in `current`.
    private var line = 0..<0
    private var ended = false
    private var scanner: JSONLineScanner
    /// Number of the current line (1-based).
    private(set) var lineNumber = 0

    init(name: String, member: Member, maxLineLength: Int = 1 << 20, source: @escaping () throws -> [UInt8]?) {
        self.init(name: name, member: member, maxLineLength: maxLineLength, verifying: false, records: nil, report: nil, source: source)
    }

    /// `verifying`: check every line and that there are `records` of them
    /// (nil: not counted), telling `report` of a failure.
    init(
        name: String, member: Member, maxLineLength: Int = 1 << 20, verifying: Bool, records: Int?,
        report: ((any Error) -> Void)?, source: @escaping () throws -> [UInt8]?
    ) {
        self.source = source
        self.path = name
        self.member = member
        self.maxLineLength = maxLineLength
        self.verifying = verifying
        self.expectedRecords = records
        self.report = report
        scanner = MemberCheck.scanner(for: member)
    }

    /// Moves to the next line; false at the end of the file.
    mutating func advance() throws -> Bool {
        guard verifying else {
            dropKey()
            return try nextLine()
        }
        do {
            // No line passes unchecked, whatever the join did with it.
            if lineNumber > 0, !hasKey { try takeKey() }
            dropKey()
            let more = try nextLine()
            if !more, let expectedRecords, lineNumber != expectedRecords {
                throw SnapError.damaged(
                    source: path, member: member.rawValue, reason: "\(lineNumber) records, the manifest says \(expectedRecords)")
            }
            return more
        } catch {
            report?(error)
            throw error
        }
    }

    /// The current key becomes the previous one (a swap of buffers, no copy).
    private mutating func dropKey() {
        guard hasKey else { return }
        swap(&keyBytes, &previousKey)
        hasPreviousKey = true
        hasKey = false
    }

    private mutating func nextLine() throws -> Bool {
        while true {
            let end = ByteRuns.newline(in: chunk.span, from: position)
            if end < chunk.count {
                if carry.isEmpty {
                    if currentIsStale {
                        current = chunk
                        currentIsStale = false
                    }
                    line = position..<end
                } else {
                    carry.append(contentsOf: chunk[position..<end])
                    current = carry
                    currentIsStale = true
                    line = 0..<carry.count
                    carry = []
                }
                position = end + 1
                lineNumber += 1
                if line.count > maxLineLength { throw damaged(LineReaderError.lineTooLong(line: lineNumber, limit: maxLineLength)) }
                return true
            }
            if position < chunk.count {
                carry.append(contentsOf: chunk[position...])
                position = chunk.count
            }
            if carry.count > maxLineLength {
                throw damaged(LineReaderError.lineTooLong(line: lineNumber + 1, limit: maxLineLength))
            }
            if ended {
                if !carry.isEmpty { throw damaged(LineReaderError.missingFinalNewline(line: lineNumber + 1)) }
                return false
            }
            position = 0
            currentIsStale = true
            if let next = try source(), !next.isEmpty {
                chunk = next
            } else {
                chunk = []
                ended = true
            }
        }
    }

    private func damaged(_ e: LineReaderError) -> SnapError {
        SnapError.damaged(source: path, member: member.rawValue, reason: "\(e)")
    }

    /// Whether the current lines of `a` and `b` hold the same bytes.
    static func sameLine(_ a: MemberLines, _ b: MemberLines) -> Bool {
        guard a.line.count == b.line.count else { return false }
        return ByteRuns.equal(a.current.span, a.line, b.current.span, b.line)
    }

    /// How the current keys of `a` and `b` (both taken) are ordered: negative, zero or positive.
    static func compareKeys(_ a: MemberLines, _ b: MemberLines) -> Int {
        ByteRuns.compare(a.keyBytes.span, b.keyBytes.span)
    }

    /// Takes the current line's sort key, checking the line on the way.
    mutating func takeKey() throws {
        if hasKey { return }
        let bytes = current  // a second reference, not a copy: the scanner and key below are parts of self too
        do {
            try MemberCheck.sortKey(
                member, bytes.span.extracting(line), scanner: &scanner, source: path, line: lineNumber, into: &keyBytes)
            try accept()
        } catch {
            if verifying { report?(error) }
            throw error
        }
    }

    /// The current line's sort key (the line is checked on the way).
    mutating func key() throws -> [UInt8] {
        try takeKey()
        return keyBytes
    }

    /// The current line has the same bytes as `other`'s current line, whose
    /// key was taken (checked there): it is that JSON, with that key.
    mutating func adopt(keyOf other: MemberLines) throws {
        guard !hasKey else { return }  // taken already, while the lines still differed
        keyBytes.removeAll(keepingCapacity: true)
        keyBytes.append(contentsOf: other.keyBytes)
        do { try accept() } catch {
            report?(error)
            throw error
        }
    }

    /// `keyBytes` holds the current line's key: a verifying side checks it follows the last one.
    private mutating func accept() throws {
        if verifying, hasPreviousKey, ByteRuns.compare(previousKey.span, keyBytes.span) >= 0 {
            throw SnapError.unsorted(source: path, member: member.rawValue, line: lineNumber)
        }
        hasKey = true
    }

    /// The current line as a tree, for comparing by value.
    func parse() throws -> JSONValue {
        do { return try JSONParser.parse(bytes: Array(current[line])) } catch {
            throw SnapError.malformedLine(source: path, member: member.rawValue, line: lineNumber, reason: "\(error)")
        }
    }
}
