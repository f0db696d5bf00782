import Foundation

/// Sorts (key, line) records bytewise by key without holding them all in
/// memory: records are buffered up to `runBytes` (or `runLimit` records),
/// sorted and spilled to run files in `directory`, then merged. At most
/// `fanIn` runs are open at once: with more, runs are merged `fanIn` at a
/// time into longer runs first (passes), so a pool of 40 million users sorts
/// in bounded memory and under a small `ulimit -n`.
/// For equal keys the record added last wins (a later read of the same
/// user is the fresher one, and a shard listed again adds nothing twice).
/// Safe to feed from concurrent tasks: a lock guards every method.
public final class ExternalSorter: @unchecked Sendable {
    private let lock = NSLock()
    private let directory: String
    private let runLimit: Int
    private let runBytes: Int
    private let fanIn: Int
    private var buffer: [SortRecord] = []
    private var bufferBytes = 0
    private var runs: [String] = []
    private var made = 0
    private var seq = 0
    /// Merge passes before the final one, and the most run files open at once (for tests and stats).
    public private(set) var intermediatePasses = 0
    public private(set) var mostOpenRuns = 0

    public init(directory: String, runLimit: Int = .max, runBytes: Int = 32 << 20, fanIn: Int = 64) {
        self.directory = directory
        self.runLimit = max(1, runLimit)
        self.runBytes = max(1, runBytes)
        self.fanIn = max(2, fanIn)
    }

    public func add(key: String, line: [UInt8]) throws {
        lock.lock()
        defer { lock.unlock() }
        let r = SortRecord(key: Array(key.utf8), line: line, seq: seq)
        seq += 1
        bufferBytes += r.cost
        buffer.append(r)
        if buffer.count >= runLimit || bufferBytes >= runBytes { try spill() }
    }

    private func nextRunPath() -> String {
        made += 1
        return "\(directory)/run-\(made).bin"
    }

    private func spill() throws {
        buffer.sort(by: SortRecord.less)
        var w = try SortRunWriter(path: nextRunPath())
        for r in buffer { try w.write(r) }
        try w.close()
        runs.append(w.path)
        buffer.removeAll(keepingCapacity: false)
        bufferBytes = 0
    }

    /// Calls `body` with each line in key order, once per key. Consumes the sorter.
    public func drain(_ body: (_ key: [UInt8], _ line: [UInt8]) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        if runs.isEmpty {
            buffer.sort(by: SortRecord.less)
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
        // Passes: the oldest fanIn runs become one, until one merge can take them all.
        while runs.count > fanIn {
            let group = Array(runs.prefix(fanIn))
            runs.removeFirst(fanIn)
            var w = try SortRunWriter(path: nextRunPath())
            try merge(group) { try w.write($0) }
            try w.close()
            runs.append(w.path)
            intermediatePasses += 1
        }
        var pending: SortRecord?
        try merge(runs) { r in
            if let p = pending, p.key != r.key { try body(p.key, p.line) }
            pending = r
        }
        if let p = pending { try body(p.key, p.line) }
        runs = []
    }

    /// Merges whole runs in key (then sequence) order, keeping every record, and deletes them.
    private func merge(_ paths: [String], _ emit: (SortRecord) throws -> Void) throws {
        mostOpenRuns = max(mostOpenRuns, paths.count)
        var readers = try paths.map { try SortRunReader(path: $0) }
        var heap = RunMergeHeap()
        for i in readers.indices {
            if let r = try readers[i].next() { heap.push((r, i)) }
        }
        while let top = heap.pop() {
            if let next = try readers[top.run].next() { heap.push((next, top.run)) }
            try emit(top.record)
        }
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
    }
}
