import AWS
import Crypto
import Foundation
import Testing

@testable import SnapCore

/// The reader refuses every kind of damage the SPEC lists, naming the member and line.
@Suite struct SnapshotReaderTests {
    static let users = """
        {"attributes":{"sub":"1"},"enabled":true,"status":"CONFIRMED","username":"a"}
        {"attributes":{"sub":"2"},"enabled":true,"status":"CONFIRMED","username":"b"}

        """
    static let groups = "{\"name\":\"g\"}\n"
    static let memberships = "{\"group\":\"g\",\"username\":\"a\"}\n"
    static let pool = "{\"Id\":\"us-east-1_x\"}"

    /// Writes an archive of `members` (in the given order) with a manifest describing `described` (default: the same bytes).
    func make(_ dir: TempDir, members: [(String, String)], described: [String: String]? = nil, records: [String: Int]? = nil) throws -> (
        String, Manifest
    ) {
        let desc = described ?? Dictionary(uniqueKeysWithValues: members)
        var files: [Member: Manifest.FileInfo] = [:]
        for m in Member.data(format: desc["config.json"] != nil ? 2 : 1) {
            let data = Data((desc[m.rawValue] ?? "").utf8)
            let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            let n = records?[m.rawValue] ?? (m.isJSONLines ? data.split(separator: 0x0A).count : 1)
            files[m] = .init(sha256: sha, bytes: Int64(data.count), records: n)
        }
        let id = SnapshotID("20261127T000000Z-00000001")!
        var manifest = Manifest(
            id: id, createdAt: "2026-11-27T00:00:00Z", userPool: .init(id: "us-east-1_x", name: "x", region: "us-east-1"),
            counts: .init(users: files[.users]!.records, groups: files[.groups]!.records, memberships: files[.memberships]!.records),
            files: files, previous: nil, changes: nil, warnings: [], tool: "test")
        let path = dir.file("a.tar.zst")
        let w = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        for (name, text) in members { try w.addData(name: name, Data(text.utf8)) }
        if !members.contains(where: { $0.0 == "manifest.json" }) {
            try w.addData(name: "manifest.json", manifest.json.canonicalData())
        }
        let digest = try w.finish()
        manifest.archive = .init(sha256: digest.sha256, bytes: digest.bytes)
        return (path, manifest)
    }

    var good: [(String, String)] {
        [("pool.json", Self.pool), ("groups.jsonl", Self.groups), ("users.jsonl", Self.users), ("memberships.jsonl", Self.memberships)]
    }

    func failure(_ path: String, _ manifest: Manifest) -> String? {
        do {
            try SnapshotReader.read(archivePath: path, expected: manifest, source: "store/pool/id")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aVerifiedCopyStreamsItsMembersInOrder() throws {
        let dir = try TempDir()
        let (path, manifest) = try make(dir, members: good)
        try SnapshotReader.read(archivePath: path, expected: manifest, source: "s")
        let members = try VerifiedSnapshot(store: "store", source: "s", archive: path, manifest: manifest).members()
        func whole(_ m: Member) throws -> String {
            try members.open(m)
            var data = Data()
            while let chunk = try members.read() { data += chunk }
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try whole(.pool) == Self.pool)
        #expect(try whole(.users) == Self.users)
        #expect(throws: SnapError.self) { try members.open(.groups) }
    }

    @Test func aCopyChangedAfterVerificationIsRefusedAtTheEnd() throws {
        let dir = try TempDir()
        let (path, manifest) = try make(dir, members: good)
        try SnapshotReader.read(archivePath: path, expected: manifest, source: "s")
        var other = manifest
        other.archive?.sha256 = String(repeating: "0", count: 64)
        let members = try VerifiedSnapshot(store: "store", source: "s", archive: path, manifest: other).members()
        try members.open(.users)
        #expect {
            try members.finish()
        } throws: { "\($0)".contains("changed while being read") }
    }

    @Test func malformedLineIsNamedWithItsNumber() throws {
        let dir = try TempDir()
        var members = good
        members[2].1 = Self.users + "{\"username\":\"c\",\n"
        let (path, manifest) = try make(dir, members: members)
        let e = try #require(failure(path, manifest))
        #expect(e.contains("users.jsonl") && e.contains("line 3"), "\(e)")
    }

    @Test func unsortedRecordsAreRefused() throws {
        let dir = try TempDir()
        var members = good
        let lines = Self.users.split(separator: "\n")
        members[2].1 = "\(lines[1])\n\(lines[0])\n"
        let (path, manifest) = try make(dir, members: members)
        let e = try #require(failure(path, manifest))
        #expect(e.contains("out of order") && e.contains("line 2"), "\(e)")
    }

    @Test func duplicateMembershipIsUnsorted() throws {
        let dir = try TempDir()
        var members = good
        members[3].1 = Self.memberships + Self.memberships
        let (path, manifest) = try make(dir, members: members)
        #expect(try #require(failure(path, manifest)).contains("memberships.jsonl"))
    }

    @Test func checksumAndCountMismatchNameTheMember() throws {
        let dir = try TempDir()
        var described = Dictionary(uniqueKeysWithValues: good)
        described["groups.jsonl"] = "{\"name\":\"h\"}\n"
        let (path, manifest) = try make(dir, members: good, described: described)
        let e = try #require(failure(path, manifest))
        #expect(e.contains("groups.jsonl") && e.contains("sha256"), "\(e)")

        let dir2 = try TempDir()
        let (p2, m2) = try make(dir2, members: good, records: ["users.jsonl": 3])
        #expect(try #require(failure(p2, m2)).contains("3"))
    }

    @Test func missingUnknownAndMisorderedMembers() throws {
        let dir = try TempDir()
        let (p1, m1) = try make(dir, members: Array(good.prefix(3)))
        #expect(try #require(failure(p1, m1)).contains("memberships.jsonl"))

        let dir2 = try TempDir()
        let (p2, m2) = try make(dir2, members: good + [("extra.txt", "x")])
        #expect(try #require(failure(p2, m2)).contains("extra.txt"))

        let dir3 = try TempDir()
        let (p3, m3) = try make(dir3, members: [good[2], good[0], good[1], good[3]])
        #expect(try #require(failure(p3, m3)).contains("order"))
    }

    @Test func archiveDigestIsChecked() throws {
        let dir = try TempDir()
        var (path, manifest) = try make(dir, members: good)
        manifest.archive?.sha256 = String(repeating: "0", count: 64)
        #expect(try #require(failure(path, manifest)).contains("archive sha256"))
    }

    @Test func manifestInsideMustMatchTheStoredOne() throws {
        let dir = try TempDir()
        var (path, manifest) = try make(dir, members: good)
        manifest.warnings = ["tampered"]
        #expect(try #require(failure(path, manifest)).contains("manifest.json"))
    }

    // Format 2 (issue 20, item 4): config.json after memberships.jsonl; format 1 has none.

    @Test func aFormat2CopyWithItsConfigIsRead() throws {
        let dir = try TempDir()
        let (path, manifest) = try make(dir, members: good + [("config.json", "{\"mfa\":{\"MfaConfiguration\":\"OFF\"}}")])
        #expect(manifest.format == 2)
        #expect(manifest.files[.config] != nil)
        #expect(failure(path, manifest) == nil)
        let (path1, manifest1) = try make(dir, members: good)
        #expect(manifest1.format == 1)
        #expect(failure(path1, manifest1) == nil, "format 1 is still read")
    }

    @Test func aFormat2CopyWithoutConfigIsDamagedAndNamed() throws {
        let dir = try TempDir()
        let (path, manifest) = try make(dir, members: good, described: Dictionary(uniqueKeysWithValues: good + [("config.json", "{}")]))
        let why = try #require(failure(path, manifest))
        #expect(why.contains("config.json") && why.contains("missing"), "\(why)")
    }

    @Test func aConfigThatIsNotAnObjectIsDamagedAndNamed() throws {
        let dir = try TempDir()
        for bad in ["[1]", "\"mfa\"", "null"] {
            let (path, manifest) = try make(dir, members: good + [("config.json", bad)])
            let why = try #require(failure(path, manifest), "\(bad)")
            #expect(why.contains("config.json") && why.contains("not a JSON object"), "\(bad): \(why)")
        }
    }

    @Test func aFormat2ManifestWithoutConfigIsRefused() throws {
        let dir = try TempDir()
        let (_, manifest) = try make(dir, members: good + [("config.json", "{}")])
        var json = manifest.json.objectValue!
        var files = json["files"]!.objectValue!
        files["config.json"] = nil
        json["files"] = .object(files)
        #expect(throws: SnapError.self) { try Manifest(json: .object(json), source: "s") }
        do { _ = try Manifest(json: .object(json), source: "s") } catch { #expect("\(error)".contains("config.json"), "\(error)") }
    }
}
