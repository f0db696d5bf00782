import Foundation
import Testing

@testable import SnapCore

/// The external sort's bounded fan-in: runs sized by bytes, merged a few at
/// a time in passes, never more run files open than the limit.
@Suite struct SorterFanInTests {
    @Test(arguments: [2, 3, 7])
    func manyRunsMergeInPassesWithinTheFanIn(fanIn: Int) throws {
        let dir = try TempDir()
        // ~100 records' worth of bytes per run: 3,000 records make about 30 runs.
        let sorter = ExternalSorter(directory: dir.path, runBytes: 100 * (8 + 12 + 96), fanIn: fanIn)
        var expected: [String: String] = [:]
        var generator = SystemRandomNumberGenerator()
        for i in 0..<3000 {
            let key = String(UInt32.random(in: 0..<1500, using: &generator), radix: 36)
            try sorter.add(key: key, line: Array("\(key)#\(i)".utf8))
            expected[key] = "\(key)#\(i)"
        }
        var out: [String] = []
        var keys: [[UInt8]] = []
        try sorter.drain { key, line in
            keys.append(key)
            out.append(String(decoding: line, as: UTF8.self))
        }
        #expect(sorter.mostOpenRuns <= fanIn)
        #expect(sorter.intermediatePasses > 0)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }, "not strictly sorted")
        #expect(out == expected.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { expected[$0]! })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func runsAreSizedByBytes() throws {
        let dir = try TempDir()
        let sorter = ExternalSorter(directory: dir.path, runBytes: 10_000, fanIn: 1000)
        // Large lines: each record costs ~1 KB, so a run holds about ten.
        for i in 0..<100 { try sorter.add(key: String(i), line: Array(repeating: UInt8(ascii: "x"), count: 900)) }
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.path).count
        #expect(runs >= 9 && runs <= 11, "\(runs) runs")
        var n = 0
        try sorter.drain { _, _ in n += 1 }
        #expect(n == 100 && sorter.intermediatePasses == 0)
    }
}
