import AWS
import Foundation

/// The lines of one sorted member for the diff's merge-join, taken from
/// large chunks. The current line is a range of the buffer, not a copy, so
/// comparing two equal lines costs a memory compare and nothing else.
struct MemberLines {
    /// The file or `source member`, for messages.
    let path: String
    let member: Member
    let maxLineLength: Int
    private let source: () throws -> Data?
    private var buffer: [UInt8] = []
    /// The current line (without its newline) in `buffer`.
    private var line = 0..<0
    private var nextStart = 0
    /// Bytes in `nextStart..<scanned` hold no newline.
    private var scanned = 0
    private var ended = false
    private var scanner: JSONLineScanner
    /// Number of the current line (1-based).
    private(set) var lineNumber = 0

    init(name: String, member: Member, maxLineLength: Int = 1 << 20, source: @escaping () throws -> Data?) {
        self.source = source
        self.path = name
        self.member = member
        self.maxLineLength = maxLineLength
        scanner = MemberCheck.scanner(for: member)
    }

    /// Moves to the next line; false at the end of the file.
    mutating func advance() throws -> Bool {
        while true {
            let end = ByteRuns.newline(in: buffer.span, from: scanned)
            if end < buffer.count {
                line = nextStart..<end
                nextStart = end + 1
                scanned = nextStart
                lineNumber += 1
                if line.count > maxLineLength { throw damaged(LineReaderError.lineTooLong(line: lineNumber, limit: maxLineLength)) }
                return true
            }
            scanned = buffer.count
            if buffer.count - nextStart > maxLineLength {
                throw damaged(LineReaderError.lineTooLong(line: lineNumber + 1, limit: maxLineLength))
            }
            if ended {
                if nextStart < buffer.count { throw damaged(LineReaderError.missingFinalNewline(line: lineNumber + 1)) }
                return false
            }
            buffer.removeSubrange(0..<nextStart)
            scanned -= nextStart
            nextStart = 0
            if let chunk = try source(), !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { ended = true }
        }
    }

    private func damaged(_ e: LineReaderError) -> SnapError {
        SnapError.damaged(source: path, member: member.rawValue, reason: "\(e)")
    }

    /// Whether the current lines of `a` and `b` hold the same bytes.
    static func sameLine(_ a: MemberLines, _ b: MemberLines) -> Bool {
        ByteRuns.equal(a.buffer.span, a.line, b.buffer.span, b.line)
    }

    /// The current line's sort key (the line is checked on the way).
    mutating func key() throws -> [UInt8] {
        let bytes = buffer  // a second reference, not a copy: the scanner below mutates self
        return try MemberCheck.sortKey(member, bytes.span.extracting(line), scanner: &scanner, source: path, line: lineNumber)
    }

    /// The current line as a tree, for comparing by value.
    func parse() throws -> JSONValue {
        do { return try JSONParser.parse(bytes: Array(buffer[line])) } catch {
            throw SnapError.malformedLine(source: path, member: member.rawValue, line: lineNumber, reason: "\(error)")
        }
    }
}
