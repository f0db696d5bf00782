import Foundation

/// One record of an external sort: a key, its line, and the order it was added in.
struct SortRecord {
    var key: [UInt8]
    var line: [UInt8]
    var seq: Int

    /// Key order (bytewise); for equal keys, the order they were added in. One memcmp per comparison:
    /// the sort and the merge compare every record many times.
    static func less(_ a: SortRecord, _ b: SortRecord) -> Bool {
        let order = a.key.withUnsafeBufferPointer { x in
            b.key.withUnsafeBufferPointer { y -> Int in
                let n = min(x.count, y.count)
                let bytes = n == 0 ? 0 : Int(memcmp(x.baseAddress!, y.baseAddress!, n))
                return bytes != 0 ? bytes : x.count - y.count
            }
        }
        return order != 0 ? order < 0 : a.seq < b.seq
    }

    /// Bytes a buffered record costs in memory: its bytes plus two array headers and allocations.
    var cost: Int { key.count + line.count + 96 }
}

/// Writes a sorted run: length-prefixed key, line and sequence frames, buffered.
struct SortRunWriter {
    let path: String
    private let handle: FileHandle
    private var out: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot create a sort run file (is the work folder full or gone?)")
        }
        self.path = path
        handle = h
        out.reserveCapacity(1 << 18)
    }

    mutating func write(_ r: SortRecord) throws {
        Self.appendFrame(r.key, to: &out)
        Self.appendFrame(r.line, to: &out)
        withUnsafeBytes(of: UInt32(8).littleEndian) { out += $0 }
        withUnsafeBytes(of: UInt64(r.seq).littleEndian) { out += $0 }
        if out.count >= 1 << 18 { try flush() }
    }

    private mutating func flush() throws {
        do { try handle.write(contentsOf: out) } catch {
            throw WriteFailure.error(error, path: path, writing: "a sort run")
        }
        out.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try? handle.close()
    }

    private static func appendFrame(_ bytes: [UInt8], to out: inout [UInt8]) {
        let n = UInt32(bytes.count).littleEndian
        withUnsafeBytes(of: n) { out += $0 }
        out += bytes
    }
}

/// Reads a run back, 256 KiB at a time; the file is closed at its end.
struct SortRunReader {
    let path: String
    private let handle: FileHandle
    private var data: [UInt8] = []
    private var pos = 0
    private var eof = false

    init(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot open a sort run file (too many open files? raise ulimit -n)")
        }
        self.path = path
        handle = h
    }

    private mutating func ensure(_ n: Int) throws -> Bool {
        while data.count - pos < n && !eof {
            let chunk = try handle.read(upToCount: 1 << 18) ?? Data()
            if chunk.isEmpty {
                eof = true
                break
            }
            data.removeFirst(pos)
            pos = 0
            data += chunk
        }
        return data.count - pos >= n
    }

    /// The next frame's bounds in `data` (valid until the next read), or nil at the end of the file.
    private mutating func frame() throws -> Range<Int>? {
        guard try ensure(4) else { return nil }
        let n = Int(UInt32(data[pos]) | UInt32(data[pos + 1]) << 8 | UInt32(data[pos + 2]) << 16 | UInt32(data[pos + 3]) << 24)
        pos += 4
        guard try ensure(n) else { throw SnapError.io(path: path, reason: "sort run file ended early") }
        defer { pos += n }
        return pos..<pos + n
    }

    mutating func next() throws -> SortRecord? {
        guard let keyFrame = try frame() else {
            // Read to its end: closing a file only read cannot lose data.
            try? handle.close()
            return nil
        }
        let key = Array(data[keyFrame])
        guard let lineFrame = try frame() else { throw SnapError.io(path: path, reason: "sort run file ended early") }
        let line = Array(data[lineFrame])
        guard let seqFrame = try frame(), seqFrame.count == 8 else {
            throw SnapError.io(path: path, reason: "sort run file ended early")
        }
        var seq: UInt64 = 0
        for (i, b) in data[seqFrame].enumerated() { seq |= UInt64(b) << (8 * UInt64(i)) }
        return SortRecord(key: key, line: line, seq: Int(seq))
    }
}

/// A binary min-heap of each open run's current record: O(log runs) per record.
struct RunMergeHeap {
    private var heap: [(record: SortRecord, run: Int)] = []

    mutating func push(_ item: (record: SortRecord, run: Int)) {
        heap.append(item)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard SortRecord.less(heap[i].record, heap[parent].record) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (record: SortRecord, run: Int)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < heap.count && SortRecord.less(heap[l].record, heap[m].record) { m = l }
            if r < heap.count && SortRecord.less(heap[r].record, heap[m].record) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }
}
