import Foundation

public enum LineReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    case lineTooLong(line: Int, limit: Int)
    case missingFinalNewline(line: Int)

    public var description: String {
        switch self {
        case .lineTooLong(let line, let limit):
            return "line \(line) is longer than \(limit) bytes: the file is damaged or not in snap's "
                + "line format; use another copy"
        case .missingFinalNewline(let line):
            return "line \(line) does not end with a newline: the file was cut short; use another copy"
        }
    }
}

/// Splits a stream of chunks into "\n"-terminated lines (returned without the
/// "\n"). Every line must end in "\n": a last line without one means the data
/// was cut, so it is an error rather than a line.
///
/// Bytes are only scanned once, and the buffer is compacted only when a new
/// chunk is appended, so lines spanning many small chunks stay linear.
public struct LineReader {
    public let maxLineLength: Int
    /// Number of the line most recently returned (1-based; 0 before the first).
    public private(set) var lineNumber = 0
    private let source: () throws -> Data?
    private var buffer: [UInt8] = []
    private var head = 0
    /// Bytes in `head..<scanned` are known to contain no newline.
    private var scanned = 0
    private var sourceEnded = false

    public init(maxLineLength: Int = 1 << 20, source: @escaping () throws -> Data?) {
        self.maxLineLength = maxLineLength
        self.source = source
    }

    public mutating func next() throws -> Data? {
        try nextLine().map { Data(buffer[$0]) }
    }

    /// The next line as bytes, without a `Data` in between (the export's join reads every user this way).
    public mutating func nextBytes() throws -> [UInt8]? {
        try nextLine().map { Array(buffer[$0]) }
    }

    /// Where the next line is in `buffer`, valid until the next call.
    private mutating func nextLine() throws -> Range<Int>? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - head
                if length > maxLineLength {
                    throw LineReaderError.lineTooLong(line: lineNumber + 1, limit: maxLineLength)
                }
                let line = head..<newline
                head = newline + 1
                scanned = head
                lineNumber += 1
                return line
            }
            scanned = buffer.count
            if buffer.count - head > maxLineLength {
                throw LineReaderError.lineTooLong(line: lineNumber + 1, limit: maxLineLength)
            }
            if sourceEnded {
                if head < buffer.count {
                    throw LineReaderError.missingFinalNewline(line: lineNumber + 1)
                }
                return nil
            }
            guard let chunk = try source() else {
                sourceEnded = true
                continue
            }
            if head > 0 {
                buffer.removeSubrange(0..<head)
                scanned -= head
                head = 0
            }
            buffer.append(contentsOf: chunk)
        }
    }
}
