import AWS
import Foundation
import Testing

@testable import SnapCore

@Suite struct SortAndDiffTests {
    @Test(arguments: [1, 3, 1000])
    func externalSortIsBytewiseAndKeepsTheLastOfEqualKeys(runLimit: Int) throws {
        let dir = try TempDir()
        let sorter = ExternalSorter(directory: dir.path, runLimit: runLimit)
        let keys = ["b", "a", "é", "Z", "a", "ab", "😀", "e\u{301}", "z"]
        for (i, k) in keys.enumerated() { try sorter.add(key: k, line: Array("\(k)#\(i)".utf8)) }
        var out: [String] = []
        try sorter.drain { _, line in out.append(String(decoding: line, as: UTF8.self)) }
        #expect(out == ["Z#3", "a#4", "ab#5", "b#0", "e\u{301}#7", "z#8", "é#2", "😀#6"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers.isEmpty, "run files left: \(leftovers)")
    }

    @Test func manyRunsMergeLikeAnInMemorySort() throws {
        let dir = try TempDir()
        let sorter = ExternalSorter(directory: dir.path, runLimit: 37)
        var generator = SystemRandomNumberGenerator()
        var expected: [String: String] = [:]
        for i in 0..<5000 {
            let key = String(UInt32.random(in: 0..<2000, using: &generator), radix: 36)
            try sorter.add(key: key, line: Array("\(key)#\(i)".utf8))
            expected[key] = "\(key)#\(i)"
        }
        var out: [String] = []
        try sorter.drain { _, line in out.append(String(decoding: line, as: UTF8.self)) }
        let want = expected.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { expected[$0]! }
        #expect(out == want)
    }

    @Test func diffIgnoresTimesAndStreamsChangesInOrder() throws {
        let dir = try TempDir()
        let old = try dir.write(
            "old.jsonl",
            """
            {"attributes":{},"created":"2026-01-01T00:00:00Z","enabled":true,"status":"CONFIRMED","username":"a"}
            {"attributes":{},"enabled":true,"status":"CONFIRMED","username":"b"}
            {"attributes":{"x":"1"},"enabled":true,"status":"CONFIRMED","username":"c"}

            """)
        let new = try dir.write(
            "new.jsonl",
            """
            {"attributes":{},"created":"2026-02-02T00:00:00Z","enabled":true,"modified":"x","status":"CONFIRMED","username":"a"}
            {"attributes":{"x":"2"},"enabled":true,"status":"CONFIRMED","username":"c"}
            {"attributes":{},"enabled":false,"status":"CONFIRMED","username":"d"}

            """)
        var changes: [String] = []
        let t = try DiffEngine().diff(old: [.users: old], new: [.users: new]) { changes.append($0.json.canonicalString()) }
        #expect(t.users == .init(added: 1, removed: 1, changed: 1))
        #expect(
            changes == [
                #"{"kind":"user","op":"removed","record":{"attributes":{},"enabled":true,"status":"CONFIRMED","username":"b"},"username":"b"}"#,
                #"{"changes":[{"field":"attributes.x","new":"2","old":"1"}],"kind":"user","op":"changed","username":"c"}"#,
                #"{"kind":"user","op":"added","record":{"attributes":{},"enabled":false,"status":"CONFIRMED","username":"d"},"username":"d"}"#,
            ])
        #expect(try DiffEngine().diff(old: [.users: old], new: [.users: old]).isEmpty)
        // --ignore leaves a field out of the comparison.
        let ignored = try DiffEngine(ignore: ["attributes.x"]).diff(old: [.users: old], new: [.users: new])
        #expect(ignored.users == .init(added: 1, removed: 1, changed: 0))
    }
}
