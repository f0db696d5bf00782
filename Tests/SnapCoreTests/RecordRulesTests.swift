import Crypto
import Foundation
import Testing

@testable import SnapCore

/// The format's rules beyond JSON and order (issue 19, items 4, 5, 13):
/// field types (`RecordShape`), counts, and the consistency rule
/// (`ConsistencyCheck`), each named with member and line.
@Suite struct RecordRulesTests {
    func shape(_ member: Member, _ line: String) -> String? {
        let bytes = Array(line.utf8)
        return RecordShape.problem(member, bytes.span)
    }

    @Test func fieldTypesFollowTheFormat() {
        let user = #"{"attributes":{"sub":"1"},"enabled":true,"status":"CONFIRMED","username":"a"}"#
        #expect(shape(.users, user) == nil)
        #expect(shape(.users, #"{"attributes":{"sub":"1"},"enabled":true,"mfaOptions":[{"x":1}],"status":"S","username":"a"}"#) == nil)
        #expect(shape(.users, #"{"attributes":{"sub":1},"enabled":true,"status":"S","username":"a"}"#)?.contains("attributes.sub") == true)
        #expect(shape(.users, #"{"attributes":{},"enabled":"true","status":"S","username":"a"}"#)?.contains("\"enabled\"") == true)
        #expect(shape(.users, #"{"attributes":{},"enabled":true,"username":"a"}"#) == "field \"status\" is missing")
        // A key written with an escape is the same key.
        #expect(shape(.users, #"{"attributes":{},"en\u0061bled":"x","status":"S","username":"a"}"#)?.contains("\"enabled\"") == true)
        #expect(shape(.groups, #"{"name":"g","precedence":0,"roleArn":"arn:x"}"#) == nil)
        #expect(shape(.groups, #"{"name":"g","precedence":null}"#) == nil, "null reads as absent")
        #expect(shape(.groups, #"{"name":"g","precedence":"0"}"#) == "field \"precedence\" is a string, the format says an integer")
        #expect(shape(.groups, #"{"name":"g","precedence":1.5}"#)?.contains("a number") == true)
        #expect(shape(.groups, #"{"description":{"a":"}"},"name":"g"}"#)?.contains("\"description\" is an object") == true)
        #expect(shape(.groups, #"{"name":"g","unknown":[1,{"precedence":"x"}]}"#) == nil, "fields the format does not name are left alone")
    }

    func read(groups: String, users: String, memberships: String, counts: Manifest.Counts? = nil) throws -> String? {
        let dir = try TempDir()
        let members = [("pool.json", "{}"), ("groups.jsonl", groups), ("users.jsonl", users), ("memberships.jsonl", memberships)]
        var files: [Member: Manifest.FileInfo] = [:]
        for (name, text) in members {
            let data = Data(text.utf8)
            files[Member(rawValue: name)!] = .init(
                sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), bytes: Int64(data.count),
                records: name == "pool.json" ? 1 : data.split(separator: 0x0A).count)
        }
        var manifest = Manifest(
            id: SnapshotID("20261127T000000Z-00000001")!, createdAt: "2026-11-27T00:00:00Z",
            userPool: .init(id: "us-east-1_x", name: "x", region: "us-east-1"),
            counts: counts
                ?? .init(users: files[.users]!.records, groups: files[.groups]!.records, memberships: files[.memberships]!.records),
            files: files, previous: nil, changes: nil, warnings: [], tool: "test")
        let path = dir.file("a.tar.zst")
        let w = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        for (name, text) in members { try w.addData(name: name, Data(text.utf8)) }
        try w.addData(name: "manifest.json", manifest.json.canonicalData())
        let digest = try w.finish()
        manifest.archive = .init(sha256: digest.sha256, bytes: digest.bytes)
        do {
            try SnapshotReader.read(archivePath: path, expected: manifest, source: "s", scratch: dir.path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func users(_ names: [String]) -> String {
        names.map { #"{"attributes":{},"enabled":true,"status":"CONFIRMED","username":"\#($0)"}"# + "\n" }.joined()
    }

    @Test func everyMembershipNamesAUserAndAGroup() throws {
        let groups = "{\"name\":\"a\"}\n{\"name\":\"b\"}\n"
        let names = (0..<300).map { String(format: "u%04d", $0 * 2) }
        var memberships = ""
        for g in ["a", "b"] { for n in names.prefix(200) { memberships += "{\"group\":\"\(g)\",\"username\":\"\(n)\"}\n" } }
        #expect(try read(groups: groups, users: users(names), memberships: memberships) == nil)
        #expect(try read(groups: groups, users: users(names), memberships: "") == nil)

        // u0001 sorts between u0000 and u0002: absent, on line 202 (group b's second line).
        let absent = memberships.replacingOccurrences(of: #"{"group":"b","username":"u0002"}"#, with: #"{"group":"b","username":"u0001"}"#)
        let e = try #require(try read(groups: groups, users: users(names), memberships: absent))
        #expect(e.contains("memberships.jsonl, line 202") && e.contains("user \"u0001\"") && e.contains("users.jsonl"), "\(e)")
        let past = memberships + "{\"group\":\"b\",\"username\":\"zz\"}\n"
        #expect(try #require(try read(groups: groups, users: users(names), memberships: past)).contains("user \"zz\""))
        let noGroup = "{\"group\":\"c\",\"username\":\"u0000\"}\n"
        let g = try #require(try read(groups: groups, users: users(names), memberships: noGroup))
        #expect(g.contains("line 1") && g.contains("group \"c\"") && g.contains("groups.jsonl"), "\(g)")
    }

    @Test func countsMustMatchTheMembers() throws {
        let e = try #require(
            try read(groups: "", users: users(["a"]), memberships: "", counts: .init(users: 999, groups: 0, memberships: 0)))
        #expect(e.contains("counts say 999 users") && e.contains("users.jsonl holds 1 records"), "\(e)")
    }
}
