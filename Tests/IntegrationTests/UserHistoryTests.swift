import Foundation
import Testing

/// `snap log USERNAME` (issue 13, item 2): one user's record across every
/// snapshot, oldest first, against moto.
@Suite struct UserHistoryTests {
    @Test func aliceLosesAdminIsDisabledLeavesAndComesBack() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 3, env: env)
        let store = try tempFolder("log")
        let common = ["--user-pool-id", pool, "--store", store]
        func create() throws -> String {
            let c = try snap(["create"] + common, env: env)
            #expect(c.status == 0, "stderr: \(c.stderr)")
            Thread.sleep(forTimeInterval: 1.1)  // distinct seconds in the IDs
            return c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func idp(_ args: [String]) throws { _ = try aws(["cognito-idp"] + args + ["--user-pool-id", pool], env: env) }

        let s1 = try create()
        _ = try create()  // nothing changes: no event
        try idp(["admin-remove-user-from-group", "--username", "alice", "--group-name", "admins"])
        try idp(["admin-update-user-attributes", "--username", "alice", "--user-attributes", "Name=custom:tier,Value=silver"])
        let s3 = try create()
        try idp(["admin-disable-user", "--username", "alice"])
        let s4 = try create()
        try idp(["admin-delete-user", "--username", "alice"])
        let s5 = try create()
        try idp([
            "admin-create-user", "--username", "alice", "--message-action", "SUPPRESS", "--user-attributes",
            "Name=email,Value=alice@example.com",
        ])
        let s6 = try create()

        let r = try snap(["log", "alice", "--json"] + common, env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let events = r.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.map { $0["id"] as! String } == [s1, s3, s4, s5, s6], "\(r.out)")
        #expect(events.map { $0["op"] as! String } == ["appeared", "changed", "changed", "disappeared", "appeared"])
        #expect(events[0]["groups"] as? [String] == ["admins", "support"])
        let changes3 = try #require(events[1]["changes"] as? [[String: Any]])
        #expect(
            changes3.contains {
                $0["field"] as? String == "attributes.custom:tier" && $0["old"] as? String == "gold" && $0["new"] as? String == "silver"
            })
        #expect(
            changes3.contains {
                $0["field"] as? String == "groups" && $0["old"] as? [String] == ["admins", "support"]
                    && $0["new"] as? [String] == ["support"]
            })
        let changes4 = try #require(events[2]["changes"] as? [[String: Any]])
        #expect(changes4.map { $0["field"] as! String } == ["enabled"], "\(changes4)")
        #expect(events[4]["groups"] as? [String] == [])
        #expect(r.stderr.contains("alice is in 5 of the 6 snapshots"), "stderr: \(r.stderr)")

        let text = try snap(["log", "alice"] + common, env: env)
        #expect(text.status == 0)
        let lines = text.out.split(separator: "\n")
        #expect(
            lines.count == 5 && lines[1].contains("~ attributes.custom:tier \"gold\" -> \"silver\"") && lines[3].contains("- disappeared"),
            "\(text.out)")

        let nobody = try snap(["log", "nobody-at-all"] + common, env: env)
        #expect(nobody.status == 1 && nobody.out.isEmpty && nobody.stderr.contains("in none of the 6 snapshots"), "\(nobody.stderr)")

        // A damaged snapshot with no intact copy is an error, never a gap in the history.
        let archive = "\(store)/\(pool)/\(s4).tar.zst"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: archive))
        let broken = try snap(["log", "alice"] + common, env: env)
        #expect(broken.status == 1 && broken.stderr.contains(s4) && broken.stderr.contains("damaged"), "\(broken.stderr)")
    }
}
