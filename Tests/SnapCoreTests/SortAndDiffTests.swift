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

    @Test func changeCounterIgnoresTimesAndCountsEachKind() throws {
        let dir = try TempDir()
        let old = try dir.write("old.jsonl", """
            {"attributes":{},"created":"2026-01-01T00:00:00Z","enabled":true,"status":"CONFIRMED","username":"a"}
            {"attributes":{},"enabled":true,"status":"CONFIRMED","username":"b"}
            {"attributes":{"x":"1"},"enabled":true,"status":"CONFIRMED","username":"c"}

            """)
        let new = try dir.write("new.jsonl", """
            {"attributes":{},"created":"2026-02-02T00:00:00Z","enabled":true,"modified":"x","status":"CONFIRMED","username":"a"}
            {"attributes":{"x":"2"},"enabled":true,"status":"CONFIRMED","username":"c"}
            {"attributes":{},"enabled":false,"status":"CONFIRMED","username":"d"}

            """)
        let t = try ChangeCounter.count(member: .users, old: old, new: new)
        #expect(t == .init(added: 1, removed: 1, changed: 1))
        let same = try ChangeCounter.count(member: .users, old: old, new: old)
        #expect(same == .init())
    }
}
