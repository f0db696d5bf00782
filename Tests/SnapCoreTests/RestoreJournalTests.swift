import AWS
import Foundation
import Testing

@testable import SnapCore

@Suite("Restore journal and work queue")
struct RestoreJournalTests {
    @Test func entriesRoundTripAndFoldIntoState() async throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        #expect(try RestoreJournal.load(path: path) == nil)
        let j = try RestoreJournal(path: path, truncate: true)
        let entries: [JournalEntry] = [
            .start(snapshot: "20261127T012345Z-3f9a1c2e", target: "eu-west-1_T", source: "us-east-1_S"),
            .group(name: "admins"),
            .user(username: "dan\u{e9} \"q\"", targetUsername: "uuid-1", newSub: "sub-1"),
            .password(username: "dan\u{e9} \"q\""),
            .disabled(username: "bob"),
            .member(group: "admins", username: "dan\u{e9} \"q\""),
        ]
        for e in entries { try await j.append(e) }
        for e in entries { #expect(JournalEntry(json: e.json) == e) }
        let (state, cut) = try #require(try RestoreJournal.load(path: path))
        #expect(cut == nil)
        #expect(state.snapshot == "20261127T012345Z-3f9a1c2e" && state.target == "eu-west-1_T")
        #expect(state.groups == ["admins"])
        #expect(state.users["dan\u{e9} \"q\""] == JournalState.Created(targetUsername: "uuid-1", newSub: "sub-1"))
        #expect(state.passwords == ["dan\u{e9} \"q\""] && state.disabled == ["bob"])
        #expect(state.members == [MembershipRecord(group: "admins", username: "dan\u{e9} \"q\"")])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == entries.count && text.hasSuffix("\n"))
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue & 0o777
        #expect(mode == 0o600)
    }

    @Test func aCutLastLineIsDroppedAndRemovedBeforeAppending() async throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let good = JournalEntry.group(name: "g1").json.canonicalString() + "\n"
        try (good + "{\"op\":\"user\",\"username\":\"hal").write(toFile: path, atomically: false, encoding: .utf8)
        let (state, cut) = try #require(try RestoreJournal.load(path: path))
        #expect(cut == 2 && state.groups == ["g1"] && state.users.isEmpty)
        let index = try #require(try JournalIndex.build(path: path, directory: dir.path))
        #expect(index.cutLine == 2 && index.groups == ["g1"] && index.entries == 1)

        let j = try RestoreJournal(path: path, truncate: false)
        try await j.append(.group(name: "g2"))
        let (after, cutAfter) = try #require(try RestoreJournal.load(path: path))
        #expect(cutAfter == nil && after.groups == ["g1", "g2"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == good + JournalEntry.group(name: "g2").json.canonicalString() + "\n")

        // A fresh restore starts a new journal.
        _ = try RestoreJournal(path: path, truncate: true)
        #expect(try RestoreJournal.load(path: path)?.state == JournalState())
    }

    @Test func aDamagedLineInTheMiddleIsAnErrorNamingFileAndLine() throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let good = JournalEntry.group(name: "g1").json.canonicalString() + "\n"
        try (good + "{\"op\":\"gro\n" + good).write(toFile: path, atomically: false, encoding: .utf8)
        for read in [{ _ = try RestoreJournal.load(path: path) }, { _ = try JournalIndex.build(path: path, directory: dir.path) }] {
            let error = #expect(throws: SnapError.self) { try read() }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains(path) && text.contains("line 2") && text.contains("--resume"), "\(text)")
        }
    }

    @Test func subMapIsSortedAndNamesNewUsernamesOnlyWhenTheyDiffer() throws {
        let dir = try TempDir()
        let path = dir.file("m.jsonl")
        try SubMapEntry.write(
            [
                SubMapEntry(username: "zed", targetUsername: "zed", oldSub: "o2", newSub: "n2"),
                SubMapEntry(username: "amy", targetUsername: "5d1c-uuid", oldSub: "o1", newSub: "n1"),
            ], to: path)
        #expect(
            try String(contentsOfFile: path, encoding: .utf8) == """
                {"newSub":"n1","oldSub":"o1","targetUsername":"5d1c-uuid","username":"amy"}
                {"newSub":"n2","oldSub":"o2","username":"zed"}

                """)
    }

    @Test func workQueueHandsEveryItemToExactlyOneConsumer() async {
        let q = WorkQueue<Int>()
        let got = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    while let i = await q.receive() { mine.append(i) }
                    return mine
                }
            }
            for i in 0..<5000 { await q.send(i) }
            await q.close()
            var all: [Int] = []
            for await part in group { all += part }
            return all
        }
        #expect(got.sorted() == Array(0..<5000))

        let aborted = WorkQueue<Int>([1, 2, 3])
        await aborted.abort()
        #expect(await aborted.receive() == nil)
    }
}
