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

    /// Format 2's members before config.json (issue 21), empty: a pool without app clients, providers or resource servers.
    static let emptyFormat2Lines: [(String, String)] = [("clients.jsonl", ""), ("providers.jsonl", ""), ("resource-servers.jsonl", "")]

    /// A format-2 copy: `good`, format 2's JSON-Lines members (`lines`, default empty) and config.json.
    func format2(_ lines: [(String, String)] = emptyFormat2Lines, config: String = "{\"mfa\":{\"MfaConfiguration\":\"OFF\"}}") -> [(
        String, String
    )] {
        good + lines + [("config.json", config)]
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
        let (path, manifest) = try make(dir, members: format2())
        #expect(manifest.format == 2)
        #expect(manifest.files[.config] != nil)
        #expect(failure(path, manifest) == nil)
        let (path1, manifest1) = try make(dir, members: good)
        #expect(manifest1.format == 1)
        #expect(failure(path1, manifest1) == nil, "format 1 is still read")
    }

    @Test func aFormat2CopyWithoutConfigIsDamagedAndNamed() throws {
        let dir = try TempDir()
        let (path, manifest) = try make(
            dir, members: good + Self.emptyFormat2Lines, described: Dictionary(uniqueKeysWithValues: format2(config: "{}")))
        let why = try #require(failure(path, manifest))
        #expect(why.contains("config.json") && why.contains("missing"), "\(why)")
    }

    @Test func aConfigThatIsNotAnObjectIsDamagedAndNamed() throws {
        let dir = try TempDir()
        for bad in ["[1]", "\"mfa\"", "null"] {
            let (path, manifest) = try make(dir, members: format2(config: bad))
            let why = try #require(failure(path, manifest), "\(bad)")
            #expect(why.contains("config.json") && why.contains("not a JSON object"), "\(bad): \(why)")
        }
    }

    @Test func aFormat2ManifestWithoutConfigIsRefused() throws {
        let dir = try TempDir()
        let (_, manifest) = try make(dir, members: format2(config: "{}"))
        var json = manifest.json.objectValue!
        var files = json["files"]!.objectValue!
        files["config.json"] = nil
        json["files"] = .object(files)
        #expect(throws: SnapError.self) { try Manifest(json: .object(json), source: "s") }
        do { _ = try Manifest(json: .object(json), source: "s") } catch { #expect("\(error)".contains("config.json"), "\(error)") }
    }

    // Format 2's app clients, identity providers and resource servers (issue 21).

    static let clients = """
        {"ClientId":"b2","ClientName":"api","ClientSecret":{"redacted":true}}
        {"ClientId":"a1","ClientName":"web"}
        {"ClientId":"c3","ClientName":"web"}

        """
    static let providers = "{\"ProviderName\":\"Okta\",\"ProviderType\":\"OIDC\"}\n{\"ProviderName\":\"corp\",\"ProviderType\":\"SAML\"}\n"
    static let servers = "{\"Identifier\":\"https://api.example.com\",\"Name\":\"api\"}\n"

    var fullFormat2Lines: [(String, String)] {
        [("clients.jsonl", Self.clients), ("providers.jsonl", Self.providers), ("resource-servers.jsonl", Self.servers)]
    }

    @Test func aFormat2CopyWithClientsProvidersAndResourceServersIsRead() throws {
        let dir = try TempDir()
        let (path, manifest) = try make(dir, members: format2(fullFormat2Lines))
        #expect(failure(path, manifest) == nil)
        #expect(manifest.counts.clients == 3 && manifest.counts.providers == 2 && manifest.counts.resourceServers == 1)
        let json = manifest.json["counts"]
        #expect(json?["clients"]?.intValue == 3 && json?["providers"]?.intValue == 2 && json?["resourceServers"]?.intValue == 1)
        let again = try Manifest(json: manifest.json, source: "s")
        #expect(again == manifest)
    }

    @Test func aFormat2CopyMissingAMemberNamesIt() throws {
        let dir = try TempDir()
        let all = format2(fullFormat2Lines)
        for name in ["clients.jsonl", "providers.jsonl", "resource-servers.jsonl"] {
            let (path, manifest) = try make(
                dir, members: all.filter { $0.0 != name }, described: Dictionary(uniqueKeysWithValues: all))
            let why = try #require(failure(path, manifest), Comment(rawValue: name))
            #expect(why.contains("member \(name)") && why.contains("missing"), "\(name): \(why)")
        }
    }

    @Test func aFormat2CopyWithMembersOutOfOrderIsRefusedNamingOne() throws {
        let dir = try TempDir()
        var swapped = format2(fullFormat2Lines)
        swapped.swapAt(4, 5)  // providers.jsonl before clients.jsonl
        let (path, manifest) = try make(dir, members: swapped)
        let why = try #require(failure(path, manifest))
        #expect(why.contains("clients.jsonl") && why.contains("out of order"), "\(why)")
        // config.json before the resource servers
        var late = format2(fullFormat2Lines)
        late.swapAt(6, 7)
        let (path2, manifest2) = try make(dir, members: late)
        let why2 = try #require(failure(path2, manifest2))
        #expect(why2.contains("resource-servers.jsonl"), "\(why2)")
    }

    @Test func unsortedOrNamelessFormat2RecordsAreRefusedNamingTheMemberAndLine() throws {
        let dir = try TempDir()
        let cases: [(member: String, text: String, line: Int, words: String)] = [
            ("clients.jsonl", "{\"ClientId\":\"a1\",\"ClientName\":\"web\"}\n{\"ClientId\":\"b2\",\"ClientName\":\"api\"}\n", 2, "sort"),
            ("clients.jsonl", "{\"ClientId\":\"c3\",\"ClientName\":\"web\"}\n{\"ClientId\":\"a1\",\"ClientName\":\"web\"}\n", 2, "sort"),
            ("clients.jsonl", "{\"ClientName\":\"web\"}\n", 1, "ClientId"),
            ("providers.jsonl", "{\"ProviderName\":\"b\"}\n{\"ProviderName\":\"a\"}\n", 2, "sort"),
            ("providers.jsonl", "{\"ProviderType\":\"OIDC\"}\n", 1, "ProviderName"),
            ("resource-servers.jsonl", "{\"Identifier\":\"b\"}\n{\"Identifier\":\"b\"}\n", 2, "sort"),
            ("resource-servers.jsonl", "{\"Name\":\"x\"}\n", 1, "Identifier"),
        ]
        for c in cases {
            let lines = fullFormat2Lines.map { $0.0 == c.member ? (c.member, c.text) : $0 }
            let (path, manifest) = try make(dir, members: format2(lines))
            let why = try #require(failure(path, manifest), "\(c)")
            #expect(why.contains(c.member) && why.contains("line \(c.line)"), "\(c.member): \(why)")
            #expect(why.lowercased().contains(c.words.lowercased()), "\(c.member): \(why)")
        }
    }

    @Test func aFormat2ManifestWithoutTheNewCountsIsRefused() throws {
        let dir = try TempDir()
        let (_, manifest) = try make(dir, members: format2(fullFormat2Lines))
        for key in ["clients", "providers", "resourceServers"] {
            var json = manifest.json.objectValue!
            var counts = json["counts"]!.objectValue!
            counts[key] = nil
            json["counts"] = .object(counts)
            #expect(throws: SnapError.self, Comment(rawValue: key)) { try Manifest(json: .object(json), source: "s") }
        }
        // A count that contradicts the member's records is refused before the archive is read.
        var wrong = manifest
        wrong.counts.clients = 2
        #expect(wrong.countsProblem?.contains("clients") == true)
    }
}
