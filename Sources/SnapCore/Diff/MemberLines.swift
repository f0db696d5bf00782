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
    /// The key of the current line, once taken.
    private var currentKey: [UInt8]?
    private var previousKey: [UInt8]?
    private let source: () throws -> Data?
    /// The chunk being split: a line inside it is used where it lies.
    private var chunk = Data()
    /// Where the unread part of `chunk` starts.
    private var position = 0
    /// The start of a line whose newline is in a later chunk (the only bytes copied).
    private var carry = Data()
    /// The copy of a line that spanned chunks, when it is the current line.
    private var spanned = Data()
    /// The current line lies in `chunk` (else in `spanned`).
    private var inChunk = true
    /// Holds the current line (a second reference, not a copy).
    private var buffer: Data { inChunk ? chunk : spanned }
    /// The current line (without its newline) in `buffer`.
    private var line = 0..<0
    private var ended = false
    private var scanner: JSONLineScanner
    /// Number of the current line (1-based).
    private(set) var lineNumber = 0

    init(name: String, member: Member, maxLineLength: Int = 1 << 20, source: @escaping () throws -> Data?) {
        self.init(name: name, member: member, maxLineLength: maxLineLength, verifying: false, records: nil, report: nil, source: source)
    }

    /// `verifying`: check every line and that there are `records` of them
    /// (nil: not counted), telling `report` of a failure.
    init(
        name: String, member: Member, maxLineLength: Int = 1 << 20, verifying: Bool, records: Int?,
        report: ((any Error) -> Void)?, source: @escaping () throws -> Data?
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
            currentKey = nil
            return try nextLine()
        }
        do {
            // No line passes unchecked, whatever the join did with it.
            if lineNumber > 0, currentKey == nil { _ = try key() }
            currentKey = nil
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

    private mutating func nextLine() throws -> Bool {
        while true {
            let end = ByteRuns.newline(in: chunk.span, from: position)
            if end < chunk.count {
                if carry.isEmpty {
                    inChunk = true
                    line = position..<end
                } else {
                    carry.append(contentsOf: chunk[position..<end])
                    spanned = carry
                    inChunk = false
                    line = 0..<carry.count
                    carry = Data()
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
            if let next = try source(), !next.isEmpty {
                chunk = next.startIndex == 0 ? next : Data(next)
            } else {
                chunk = Data()
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
        let x = a.buffer, y = b.buffer
        return ByteRuns.equal(x.span, a.line, y.span, b.line)
    }

    /// The current line's sort key (the line is checked on the way).
    mutating func key() throws -> [UInt8] {
        if let currentKey { return currentKey }
        let bytes = buffer  // a second reference, not a copy: the scanner below mutates self
        do {
            let key = try MemberCheck.sortKey(member, bytes.span.extracting(line), scanner: &scanner, source: path, line: lineNumber)
            try accept(key)
            return key
        } catch {
            if verifying { report?(error) }
            throw error
        }
    }

    /// The current line has the same bytes as a line whose key is `key`
    /// (checked there): it is that JSON, with that key.
    mutating func adopt(_ key: [UInt8]) throws {
        guard currentKey == nil else { return }  // taken already, while the lines still differed
        do { try accept(key) } catch {
            report?(error)
            throw error
        }
    }

    private mutating func accept(_ key: [UInt8]) throws {
        if verifying {
            if let previousKey, !previousKey.lexicographicallyPrecedes(key) {
                throw SnapError.unsorted(source: path, member: member.rawValue, line: lineNumber)
            }
            previousKey = key
        }
        currentKey = key
    }

    /// The current line as a tree, for comparing by value.
    func parse() throws -> JSONValue {
        do { return try JSONParser.parse(bytes: Array(buffer[line])) } catch {
            throw SnapError.malformedLine(source: path, member: member.rawValue, line: lineNumber, reason: "\(error)")
        }
    }
}
