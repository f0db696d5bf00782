import Foundation

/// Sorts (key, line) records bytewise by key without holding them all in
/// memory: runs of `runLimit` records are sorted and spilled to files in
/// `directory`, then merged. A pool of 40 million users sorts in bounded memory.
/// For equal keys the record added last wins (a later read of the same
/// user is the fresher one). Safe to feed from concurrent tasks: a lock
/// guards every method.
public final class ExternalSorter: @unchecked Sendable {
    private let lock = NSLock()
    private struct Record {
        var key: [UInt8]
        var line: [UInt8]
        var seq: Int
    }

    private let directory: String
    private let runLimit: Int
    private var buffer: [Record] = []
    private var runs: [String] = []
    private var seq = 0

    public init(directory: String, runLimit: Int = 200_000) {
        self.directory = directory
        self.runLimit = max(1, runLimit)
    }

    public func add(key: String, line: [UInt8]) throws {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(Record(key: Array(key.utf8), line: line, seq: seq))
        seq += 1
        if buffer.count >= runLimit { try spill() }
    }

    private static func less(_ a: Record, _ b: Record) -> Bool {
        a.key == b.key ? a.seq < b.seq : a.key.lexicographicallyPrecedes(b.key)
    }

    private func spill() throws {
        buffer.sort(by: Self.less)
        let path = "\(directory)/run-\(runs.count).bin"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw SnapError.io(path: path, reason: "cannot create a sort run file")
        }
        defer { try? handle.close() }
        var out = [UInt8]()
        out.reserveCapacity(1 << 20)
        for r in buffer {
            Self.appendFrame(r.key, to: &out)
            Self.appendFrame(r.line, to: &out)
            Self.appendFrame(withUnsafeBytes(of: UInt64(r.seq).littleEndian, Array.init), to: &out)
            if out.count >= 1 << 20 {
                try handle.write(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: out)
        runs.append(path)
        buffer.removeAll(keepingCapacity: true)
    }

    private static func appendFrame(_ bytes: [UInt8], to out: inout [UInt8]) {
        let n = UInt32(bytes.count).littleEndian
        withUnsafeBytes(of: n) { out += $0 }
        out += bytes
    }

    /// Calls `body` with each line in key order, once per key. Consumes the sorter.
    public func drain(_ body: (_ key: [UInt8], _ line: [UInt8]) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        if runs.isEmpty {
            buffer.sort(by: Self.less)
            var i = 0
            while i < buffer.count {
                var j = i
                while j + 1 < buffer.count, buffer[j + 1].key == buffer[i].key { j += 1 }
                try body(buffer[j].key, buffer[j].line)
                i = j + 1
            }
            buffer = []
            return
        }
        if !buffer.isEmpty { try spill() }
        var readers = try runs.map { try RunReader(path: $0) }
        // A binary min-heap of each run's current record (with its run index):
        // O(log runs) per record, so 40 million users in 200 runs merge in one pass.
        var heap: [(record: Record, run: Int)] = []
        for i in readers.indices {
            if let r = try readers[i].next() { Self.push((r, i), into: &heap) }
        }
        var pending: Record?
        while let top = Self.pop(from: &heap) {
            if let next = try readers[top.run].next() { Self.push((next, top.run), into: &heap) }
            if let p = pending, p.key != top.record.key { try body(p.key, p.line) }
            pending = top.record
        }
        if let p = pending { try body(p.key, p.line) }
        for r in runs { try? FileManager.default.removeItem(atPath: r) }
        runs = []
    }

    private static func push(_ item: (record: Record, run: Int), into heap: inout [(record: Record, run: Int)]) {
        heap.append(item)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(heap[i].record, heap[parent].record) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private static func pop(from heap: inout [(record: Record, run: Int)]) -> (record: Record, run: Int)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && less(heap[l].record, heap[m].record) { m = l }
            if r < heap.count && less(heap[r].record, heap[m].record) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }

    private struct RunReader {
        let handle: FileHandle
        var data: [UInt8] = []
        var pos = 0
        var eof = false

        init(path: String) throws {
            guard let h = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open a sort run file") }
            handle = h
        }

        mutating func ensure(_ n: Int) throws -> Bool {
            while data.count - pos < n && !eof {
                let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                if chunk.isEmpty { eof = true; break }
                data.removeFirst(pos)
                pos = 0
                data += chunk
            }
            return data.count - pos >= n
        }

        mutating func frame() throws -> [UInt8]? {
            guard try ensure(4) else { return nil }
            let n = Int(UInt32(data[pos]) | UInt32(data[pos + 1]) << 8 | UInt32(data[pos + 2]) << 16 | UInt32(data[pos + 3]) << 24)
            pos += 4
            guard try ensure(n) else { throw SnapError.io(path: "sort run", reason: "run file ended early") }
            defer { pos += n }
            return Array(data[pos..<pos + n])
        }

        mutating func next() throws -> Record? {
            guard let key = try frame() else {
                try? handle.close()
                return nil
            }
            guard let line = try frame(), let seqBytes = try frame(), seqBytes.count == 8 else {
                throw SnapError.io(path: "sort run", reason: "run file ended early")
            }
            var seq: UInt64 = 0
            for (i, b) in seqBytes.enumerated() { seq |= UInt64(b) << (8 * UInt64(i)) }
            return Record(key: key, line: line, seq: Int(seq))
        }
    }
}
