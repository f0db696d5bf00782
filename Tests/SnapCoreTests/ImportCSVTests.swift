import AWS
import Foundation
import Testing

@testable import SnapCore

@Suite("Import CSV and the journal index")
struct ImportCSVTests {
    static let target = PoolConfiguration(pool: ["Id": "us-east-1_T", "AutoVerifiedAttributes": ["email"], "SchemaAttributes": []])
    static let header = ["name", "nickname", "email", "email_verified", "cognito:mfa_enabled", "cognito:username"]

    static func planned(_ name: String, _ attrs: [String: String], status: String = "CONFIRMED") -> RestorePlan.User {
        let plan = RestorePlan(targetPoolId: "us-east-1_T", target: target, groups: [])
        return plan.user(for: UserRecord(username: name, attributes: attrs, enabled: true, status: status))!
    }

    @Test func rowsFollowCognitosRulesAndWhatTheyCannotCarryGoesToTheAPI() throws {
        let csv = ImportCSV(header: Self.header, target: Self.target)
        #expect(csv.refusal == nil)
        #expect(
            String(decoding: csv.headerLine, as: UTF8.self) == "name,nickname,email,email_verified,cognito:mfa_enabled,cognito:username\n")
        let ok = Self.planned(
            "zoë,1", ["sub": "s", "name": "Smith, Jr.", "nickname": "=1+2 李 🚀", "email": "z@x.com", "email_verified": "true"])
        let row = try csv.row(ok).get()
        #expect(String(decoding: row, as: UTF8.self) == "Smith\\, Jr.,=1+2 李 🚀,z@x.com,true,false,zoë\\,1\n")

        let base = ["email": "a@x.com", "email_verified": "true"]
        func why(_ u: RestorePlan.User) -> ImportCSV.Unfit? {
            if case .failure(let w) = csv.row(u) { return w }
            return nil
        }
        #expect(why(Self.planned("a", base.merging(["nickname": "two\nlines"]) { $1 })) == .value)
        #expect(why(Self.planned("a", base.merging(["nickname": "say \"hi\""]) { $1 })) == .value)
        #expect(why(Self.planned("a", base.merging(["nickname": "back\\slash"]) { $1 })) == .value)
        #expect(why(Self.planned("a", base.merging(["custom:tier": "gold"]) { $1 })) == .column)
        #expect(why(Self.planned("a", ["email": "a@x.com", "email_verified": "false"])) == .unverified)
        #expect(why(Self.planned("a", base, status: "FORCE_CHANGE_PASSWORD")) == .status)

        // Issue 20, item 8: a row is at most 16,000 characters; a longer one goes through the API, named by reason.
        let long = String(repeating: "n", count: 2048)
        let big = ImportCSV(header: Self.header + (1...8).map { "custom:c\($0)" }, target: Self.target)
        var wide = base
        for i in 1...8 { wide["custom:c\(i)"] = long }
        if case .failure(let w) = big.row(Self.planned("a", wide)) {
            #expect(w == .rowTooLong)
        } else {
            Issue.record("a 16,400-character row was written")
        }
        wide["custom:c8"] = "short"
        #expect((try? big.row(Self.planned("a", wide)).get()) != nil, "a 14,400-character row was refused")

        // Issue 20, item 8: with MfaConfiguration ON, cognito:mfa_enabled is true on every row.
        let mfaTarget = PoolConfiguration(
            pool: ["Id": "us-east-1_T", "AutoVerifiedAttributes": ["email"], "SchemaAttributes": [], "MfaConfiguration": "ON"])
        let mfaRow = try ImportCSV(header: Self.header, target: mfaTarget).row(Self.planned("a", base)).get()
        #expect(String(decoding: mfaRow, as: UTF8.self) == ",,a@x.com,true,true,a\n")

        let none = ImportCSV(header: Self.header, target: PoolConfiguration(pool: ["Id": "us-east-1_T"]))
        #expect(none.refusal?.contains("auto-verified") == true)
    }

    @Test func theJournalIndexJoinsBySortedUsername() async throws {
        let dir = try TempDir()
        let path = dir.file("j.jsonl")
        let j = try RestoreJournal(path: path, truncate: true)
        for e: JournalEntry in [
            .start(snapshot: "S", target: "T", source: "P"), .group(name: "g"), .importJob(index: 1, jobId: "job-1"),
            .user(username: "bob", targetUsername: "bob", newSub: "2"), .member(group: "g", username: "bob"),
            .user(username: "al", targetUsername: "al", newSub: "1"),
            .importDone(index: 1, jobId: "job-1", status: "Succeeded", imported: 2, failed: 0),
            .member(group: "h", username: "bob"), .password(username: "al"),
        ] {
            try await j.append(e)
        }
        let index = try #require(try JournalIndex.build(path: path, directory: dir.path))
        #expect(index.snapshot == "S" && index.target == "T" && index.groups == ["g"] && index.users == 2 && index.members == 2)
        #expect(index.jobs[1]?.jobId == "job-1" && index.jobs[1]?.done == true)
        var cursor = try PriorCursor(index)
        #expect(try cursor.prior(of: "al").created?.newSub == "1")
        #expect(try cursor.prior(of: "ann").created == nil)
        let bob = try cursor.prior(of: "bob")
        #expect(bob.created?.newSub == "2" && bob.members == ["g", "h"])
        #expect(try cursor.prior(of: "zed").created == nil)
    }
}
