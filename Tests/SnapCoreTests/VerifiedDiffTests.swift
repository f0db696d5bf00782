import AWS
import Crypto
import Foundation
import Testing

@testable import SnapCore

/// The join that runs while both sides are verified gives what the join
/// over verified copies gives, and a side whose lines fail the join's
/// checks is named as the failed side (so the diff tries its next copy).
@Suite struct VerifiedDiffTests {
    static let pool = "{\"Id\":\"us-east-1_x\"}"
    static let groups = "{\"name\":\"g\"}\n"

    static func user(_ name: String, _ status: String = "CONFIRMED") -> String {
        "{\"attributes\":{\"sub\":\"\(name)\"},\"enabled\":true,\"status\":\"\(status)\",\"username\":\"\(name)\"}\n"
    }

    /// An archive named `name` of these members, with a manifest whose digests
    /// and sizes are the bytes' own and whose record counts are `records` (default: the line counts).
    func make(_ dir: TempDir, _ name: String, users: String, memberships: String = "", records: Int? = nil) throws -> Catalog.Copy {
        let members = [("pool.json", Self.pool), ("groups.jsonl", Self.groups), ("users.jsonl", users), ("memberships.jsonl", memberships)]
        var files: [Member: Manifest.FileInfo] = [:]
        for (m, text) in members {
            let member = Member(rawValue: m)!
            let data = Data(text.utf8)
            let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            var n = member == .pool ? 1 : data.split(separator: 0x0A).count
            if member == .users, let records { n = records }
            files[member] = .init(sha256: sha, bytes: Int64(data.count), records: n)
        }
        var manifest = Manifest(
            id: SnapshotID("20261127T000000Z-00000001")!, createdAt: "2026-11-27T00:00:00Z",
            userPool: .init(id: "us-east-1_x", name: "x", region: "us-east-1"),
            counts: .init(users: files[.users]!.records, groups: files[.groups]!.records, memberships: files[.memberships]!.records),
            files: files, previous: nil, changes: nil, warnings: [], tool: "test")
        let path = dir.file("\(name).tar.zst")
        let w = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        for (m, text) in members { try w.addData(name: m, Data(text.utf8)) }
        try w.addData(name: "manifest.json", manifest.json.canonicalData())
        let digest = try w.finish()
        manifest.archive = .init(sha256: digest.sha256, bytes: digest.bytes)
        return Catalog.Copy(store: "store", source: "store/\(name)", archive: path, manifest: manifest, folder: dir.path)
    }

    func verified(_ c: Catalog.Copy) -> DiffInput {
        .snapshot(VerifiedSnapshot(store: c.store, source: c.source, archive: c.archive, manifest: c.manifest))
    }

    @Test func theVerifyingJoinGivesWhatTheVerifiedJoinGives() throws {
        let dir = try TempDir()
        let old = try make(
            dir, "old", users: ["a", "b", "c", "d"].map { Self.user($0) }.joined(), memberships: "{\"group\":\"g\",\"username\":\"a\"}\n")
        let new = try make(
            dir, "new", users: [Self.user("a"), Self.user("b", "RESET_REQUIRED"), Self.user("d"), Self.user("e")].joined(),
            memberships: "{\"group\":\"g\",\"username\":\"e\"}\n")
        var expected: [String] = []
        let want = try DiffEngine().diff(old: verified(old), new: verified(new)) { expected.append($0.text) }
        var got: [String] = []
        let a = DiffReader.verifying(old), b = DiffReader.verifying(new)
        let summary = try DiffEngine().diff(old: a, new: b) { got.append($0.text) }
        #expect(a.stop() == nil && b.stop() == nil)
        #expect(got == expected)
        #expect(summary == want)
        #expect(summary.users.changed == 1 && summary.users.added == 1 && summary.users.removed == 1)
        #expect(summary.memberships.added == 1 && summary.memberships.removed == 1)
    }

    /// Digests that match but lines out of order: only the join's checks can see it.
    @Test func unsortedLinesFailTheirSideOnly() throws {
        let dir = try TempDir()
        let old = try make(dir, "old", users: [Self.user("b"), Self.user("a")].joined())
        let new = try make(dir, "new", users: [Self.user("a"), Self.user("b")].joined())
        let a = DiffReader.verifying(old), b = DiffReader.verifying(new)
        #expect(throws: SnapError.self) { try DiffEngine().diff(old: a, new: b) { _ in } }
        #expect("\(a.stop().map { "\($0)" } ?? "")".contains("users.jsonl"))
        #expect(b.stop() == nil)
    }

    /// A line equal on both sides is checked once, and its failure is the side's that checked it.
    @Test func anEqualMalformedLineIsStillRefused() throws {
        let dir = try TempDir()
        let bad = "{\"username\":\"a\",}\n"
        let old = try make(dir, "old", users: bad)
        let new = try make(dir, "new", users: bad)
        let a = DiffReader.verifying(old), b = DiffReader.verifying(new)
        #expect(throws: SnapError.self) { try DiffEngine().diff(old: a, new: b) { _ in } }
        #expect(a.stop() != nil)
        _ = b.stop()
    }

    @Test func aRecordCountOtherThanTheManifestsFailsTheSide() throws {
        let dir = try TempDir()
        let old = try make(dir, "old", users: Self.user("a"))
        let new = try make(dir, "new", users: Self.user("a"), records: 2)
        let a = DiffReader.verifying(old), b = DiffReader.verifying(new)
        #expect(throws: SnapError.self) { try DiffEngine().diff(old: a, new: b) { _ in } }
        #expect(a.stop() == nil)
        #expect("\(b.stop().map { "\($0)" } ?? "")".contains("1 records, the manifest says 2"))
    }

    /// Lines are used where they lie in a chunk; only one cut by a chunk's end is copied.
    @Test func linesSpanningTinyChunksComeOutWhole() throws {
        let text = Data(["a", "b", "c", "d", "e"].map { Self.user($0) }.joined().utf8)
        for size in [1, 3, 64, text.count] {
            var offset = 0
            var lines = MemberLines(name: "t", member: .users, verifying: true, records: 5, report: nil) {
                guard offset < text.count else { return nil }
                let end = min(offset + size, text.count)
                defer { offset = end }
                return [UInt8](text.subdata(in: offset..<end))
            }
            var keys: [String] = []
            while try lines.advance() { keys.append(String(decoding: try lines.key(), as: UTF8.self)) }
            #expect(keys == ["a", "b", "c", "d", "e"], "chunks of \(size)")
        }
        var cut = MemberLines(name: "t", member: .users, source: { nil })
        #expect(try !cut.advance())
    }

    @Test func theSpoolKeepsOrderAcrossMemoryAndItsFile() throws {
        let dir = try TempDir()
        let spool = DiffSpool(path: dir.file("out"), memoryLimit: 10)
        for k in 0..<100 { try spool.append(Data("line \(k)\n".utf8)) }
        var out = Data()
        try spool.release { out += $0 }
        #expect(String(decoding: out, as: UTF8.self) == (0..<100).map { "line \($0)\n" }.joined())
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    }
}
