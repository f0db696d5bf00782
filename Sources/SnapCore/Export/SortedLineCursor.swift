import Foundation

/// Walks a sorted JSON-Lines file forward, for merge-joins against another
/// sorted stream.
struct SortedLineCursor {
    private let handle: FileHandle
    private var lines: LineReader
    private let key: ([UInt8]) throws -> [UInt8]
    private var current: (key: [UInt8], line: [UInt8])?
    private var started = false

    init(path: String, key: @escaping ([UInt8]) throws -> [UInt8]) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open") }
        handle = h
        lines = LineReader { try h.read(upToCount: 1 << 16) }
        self.key = key
    }

    /// The next line, with its key.
    mutating func next() throws -> (key: [UInt8], line: [UInt8])? {
        guard let line = try lines.nextBytes() else { return nil }
        return (try key(line), line)
    }

    /// Advances to the first line whose key is >= `target`; true when it equals it.
    mutating func seek(to target: [UInt8]) throws -> Bool {
        if !started {
            current = try next()
            started = true
        }
        while let c = current, c.key.lexicographicallyPrecedes(target) { current = try next() }
        return current?.key == target
    }
}
