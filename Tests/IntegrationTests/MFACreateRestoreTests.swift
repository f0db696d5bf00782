import Foundation
import Testing

/// `snap create --with-mfa` and restoring MFA preferences, against moto with
/// signatures checked, through scripts/aws_proxy.py to count calls. moto
/// keeps SMS MFA preferences (AdminSetUserMFAPreference / AdminGetUser);
/// it ignores EmailMfaSettings and enables a software token only after a
/// verified token, so email and TOTP are proved against the simulator
/// (SimulatorMFATests).
@Suite(.serialized) struct MFACreateRestoreTests {
    static func mfaOf(_ pool: String, _ user: String, env: [String: String], region: String = "us-east-1") throws -> ([String], String) {
        let out =
            try aws(["cognito-idp", "admin-get-user", "--user-pool-id", pool, "--username", user, "--region", region], env: env)
            as! [String: Any]
        let enabled = (out["UserMFASettingList"] as? [String] ?? []).sorted()
        return (enabled, out["PreferredMfaSetting"] as? String ?? "")
    }

    static func setSMS(_ pool: String, _ user: String, preferred: Bool, env: [String: String]) throws {
        _ = try aws(
            [
                "cognito-idp", "admin-set-user-mfa-preference", "--user-pool-id", pool, "--username", user, "--sms-mfa-settings",
                "Enabled=true,PreferredMfa=\(preferred)",
            ], env: env)
    }

    @Test func withMFARecordsSettingsAndRestoreAppliesThem() throws {
        let moto = try Moto.shared()
        let source = try seedPool(extraUsers: 20, env: moto.environment)
        try Self.setSMS(source, "carol", preferred: true, env: moto.environment)
        try Self.setSMS(source, "alice", preferred: false, env: moto.environment)
        let proxy = try AWSProxy(["--no-quota"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let work = try tempFolder("mfa")
        let store = work + "/store"

        // Without --with-mfa: no AdminGetUser, no mfa field, no options in the manifest.
        let plain = try snap(["create", "--user-pool-id", source, "--store", store], env: env)
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
        #expect(try proxy.operationCounts()["AdminGetUser"] == nil)
        let plainID = plain.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let plainDir = try tempFolder("mfa-plain")
        try untar("\(store)/\(source)/\(plainID).tar.zst", into: plainDir)
        #expect(try jsonLines(plainDir + "/users.jsonl").allSatisfy { $0["mfa"] == nil })
        let plainManifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plainDir + "/manifest.json")))
        #expect((plainManifest as! [String: Any])["options"] == nil)

        // With it: the cost first, one AdminGetUser per user, the settings as the AWS CLI reads them.
        let with = try snap(["create", "--user-pool-id", source, "--store", store, "--with-mfa", "-v"], env: env)
        #expect(with.status == 0, "stderr: \(with.stderr)")
        #expect(with.stderr.contains("--with-mfa: one AdminGetUser per user"), "stderr: \(with.stderr)")
        let id = with.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let dir = try tempFolder("mfa-with")
        try untar("\(store)/\(source)/\(id).tar.zst", into: dir)
        let users = try jsonLines(dir + "/users.jsonl")
        #expect(users.count == 25)
        // One per user, plus the retries -v logs, less those the shared moto's internal-errors rule
        // answered (its proxy sits behind this one, which does not count a call that rule answered: the
        // call never took effect). A call an upstream dropped is answered 502 by the proxy, so its retry is
        // logged too (before that, curl re-sent it unseen on a reused connection: 1 to 3 calls more than
        // users and logged retries, 4 times in 11 runs).
        let calls = try proxy.operationCounts()
        let retries = with.stderr.split(separator: "\n").filter { $0.contains("cognito-idp AdminGetUser:") && $0.contains("; retry ") }
            .count
        #expect(
            (users.count...users.count + retries).contains(calls["AdminGetUser"] ?? 0),
            "AdminGetUser calls \(calls["AdminGetUser"] ?? 0) for \(users.count) users and \(retries) retries; stderr: \(with.stderr)")
        let usersText = try String(contentsOfFile: dir + "/users.jsonl", encoding: .utf8)
        #expect(usersText.contains(#""mfa":{"enabled":["SMS_MFA"],"preferred":"SMS_MFA"}"#), "canonical form, keys sorted")
        for u in users {
            let name = u["username"] as! String
            let (enabled, preferred) = try Self.mfaOf(source, name, env: moto.environment)
            let mfa = u["mfa"] as? [String: Any]
            if enabled.isEmpty && preferred.isEmpty {
                #expect(mfa == nil, "\(name) has no MFA: no field")
            } else {
                #expect(mfa?["enabled"] as? [String] == enabled, "enabled MFA of \(name)")
                #expect((mfa?["preferred"] as? String ?? "") == preferred, "preferred MFA of \(name)")
            }
        }
        #expect(users.filter { $0["mfa"] != nil }.count == 2)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) as! [String: Any]
        #expect(manifest["options"] as? [String: Bool] == ["withMfa": true])
        #expect(manifest["format"] as? Int == 2)

        // Two snapshots of which one has MFA: mfa is not compared, and says so.
        let mixed = try snap(["diff", plainID, id, "--user-pool-id", source, "--store", store, "--exit-code"], env: env)
        #expect(mixed.status == 0, "\(mixed.out) \(mixed.stderr)")
        #expect(mixed.stderr.contains("only one snapshot was taken with --with-mfa"))
        // A change of MFA shows as a field.
        _ = try aws(
            [
                "cognito-idp", "admin-set-user-mfa-preference", "--user-pool-id", source, "--username", "alice", "--sms-mfa-settings",
                "Enabled=false,PreferredMfa=false",
            ], env: moto.environment)
        let live = try snap(["diff", id, "pool:\(source)", "--user-pool-id", source, "--store", store, "--json"], env: env)
        #expect(live.status == 0, "stderr: \(live.stderr)")
        #expect(live.out.contains(#""field":"mfa","new":null,"old":{"enabled":["SMS_MFA"]}"#), "\(live.out)")
        #expect(!live.out.contains("\"carol\""), "carol's MFA did not change: \(live.out)")
        // snap log: the change, between the two --with-mfa snapshots only (the plain one says nothing of MFA).
        let third = try snap(["create", "--user-pool-id", source, "--store", store, "--with-mfa"], env: env)
        #expect(third.status == 0, "stderr: \(third.stderr)")
        let log = try snap(["log", "alice", "--user-pool-id", source, "--store", store, "--json"], env: env)
        #expect(log.status == 0, "stderr: \(log.stderr)")
        let events = try log.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let changed = events.filter { $0["op"] as? String == "changed" }
        #expect(changed.count == 1, "\(log.out)")
        let change = try #require((changed.first?["changes"] as? [[String: Any]])?.first)
        #expect(change["field"] as? String == "mfa" && change["new"] is NSNull, "\(log.out)")
        #expect((change["old"] as? [String: Any])?["enabled"] as? [String] == ["SMS_MFA"])
        #expect(changed.first?["id"] as? String == third.out.trimmingCharacters(in: .whitespacesAndNewlines))

        // Dry run: how many get preferences.
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: moto.environment)
        let dry = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--dry-run"], env: env, cwd: work)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stderr.contains("MFA: 2 user(s) get their MFA preferences set again (2 SMS, 0 email"), "\(dry.stderr)")
        #expect(try proxy.operationCounts()["AdminSetUserMFAPreference"] == nil)
        #expect(dry.stderr.contains("the target pool's MfaConfiguration is OFF"), "the demo pool has MFA off: \(dry.stderr)")

        // Restore: SMS preferences as in the snapshot, journaled.
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--json"], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        let mfa = try #require(summary["mfa"] as? [String: Any])
        #expect(mfa["counts"] as? [String: Int] == ["planned": 2, "written": 2, "existing": 0, "failed": 0])
        #expect((mfa["mustEnrolTotp"] as? [String: Any])?["count"] as? Int == 0)
        #expect(try proxy.operationCounts()["AdminSetUserMFAPreference"] == 2)
        #expect(try Self.mfaOf(target, "carol", env: moto.environment) == (["SMS_MFA"], "SMS_MFA"))
        #expect(try Self.mfaOf(target, "alice", env: moto.environment) == (["SMS_MFA"], ""))
        #expect(try Self.mfaOf(target, "bob", env: moto.environment) == ([], ""))
        let journal = try String(contentsOfFile: "\(work)/restore-\(id)-\(target).journal.jsonl", encoding: .utf8)
        #expect(journal.components(separatedBy: #""op":"mfa""#).count - 1 == 2)

        // The restored pool against the snapshot: no mfa differences (no TOTP user here).
        let check = try snap(
            [
                "diff", id, "pool:\(target)", "--user-pool-id", source, "--store", store, "--ignore", "attributes.sub", "--ignore",
                "status",
                "--json",
            ], env: env)
        #expect(check.status == 0, "stderr: \(check.stderr)")
        #expect(!check.out.contains(#""field":"mfa""#), "\(check.out)")
        let last = try #require(check.out.split(separator: "\n").last)
        let totals = try JSONSerialization.jsonObject(with: Data(last.utf8)) as! [String: Any]
        #expect(totals["users"] as? [String: Int] == ["added": 0, "removed": 0, "changed": 0], "\(check.out)")

        // --resume neither repeats nor skips it: the journal says it is done.
        let again = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--resume", "--json"], env: env, cwd: work)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let againMFA = (try JSONSerialization.jsonObject(with: again.stdout) as! [String: Any])["mfa"] as! [String: Any]
        #expect(againMFA["counts"] as? [String: Int] == ["planned": 2, "written": 0, "existing": 2, "failed": 0])
        #expect(try proxy.operationCounts()["AdminSetUserMFAPreference"] == 2)
    }

    @Test func aUserThePoolRefusesMFAForIsAFailureThatResumeFixes() throws {
        let moto = try Moto.shared()
        let source = try seedPool(extraUsers: 0, env: moto.environment)
        try Self.setSMS(source, "carol", preferred: true, env: moto.environment)
        try Self.setSMS(source, "alice", preferred: false, env: moto.environment)
        let work = try tempFolder("mfa-refused")
        let store = work + "/store"
        let c = try snap(["create", "--user-pool-id", source, "--store", store, "--with-mfa"], env: moto.environment)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: moto.environment)

        // The first AdminSetUserMFAPreference is refused, as Cognito refuses SMS MFA for a user without a phone number.
        let proxy = try AWSProxy(
            ["--no-quota", "--fault", "AdminSetUserMFAPreference:1:cognito=InvalidParameterException"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--json"], env: env, cwd: work)
        #expect(r.status == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("(AdminSetUserMFAPreference): ") && r.stderr.contains("InvalidParameterException"), "\(r.stderr)")
        #expect(r.stderr.contains("MFA preferences of user alice") || r.stderr.contains("MFA preferences of user carol"), "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect((summary["mfa"] as! [String: Any])["counts"] as? [String: Int] == ["planned": 2, "written": 1, "existing": 0, "failed": 1])
        // Everything else was restored: the run went on.
        #expect((summary["counts"] as! [String: [String: Int]])["users"]?["written"] == 5)

        let again = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--resume", "--json"], env: env, cwd: work)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let mfa = (try JSONSerialization.jsonObject(with: again.stdout) as! [String: Any])["mfa"] as! [String: Any]
        #expect(mfa["counts"] as? [String: Int] == ["planned": 2, "written": 1, "existing": 1, "failed": 0])
        #expect(try Self.mfaOf(target, "carol", env: moto.environment) == (["SMS_MFA"], "SMS_MFA"))
        #expect(try Self.mfaOf(target, "alice", env: moto.environment) == (["SMS_MFA"], ""))
    }

    @Test func aUserDeletedBeforeAdminGetUserKeepsItsRecordWithAWarning() throws {
        let moto = try Moto.shared()
        let source = try seedPool(extraUsers: 0, env: moto.environment)
        for u in ["alice", "bob", "carol"] { try Self.setSMS(source, u, preferred: true, env: moto.environment) }
        // The first AdminGetUser answers UserNotFound, as for a user deleted after ListUsers listed it.
        let proxy = try AWSProxy(["--no-quota", "--fault", "AdminGetUser:1:cognito=UserNotFoundException"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let work = try tempFolder("mfa-vanished")
        let r = try snap(["create", "--user-pool-id", source, "--store", work + "/store", "--with-mfa"], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try untar("\(work)/store/\(source)/\(id).tar.zst", into: work)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/manifest.json"))) as! [String: Any]
        let warnings = manifest["warnings"] as! [String]
        let warning = try #require(warnings.first { $0.contains("deleted between ListUsers and AdminGetUser") }, "\(warnings)")
        #expect(warning.hasPrefix("1 user(s)"))
        let users = try jsonLines(work + "/users.jsonl")
        #expect(users.count == 5, "the user is kept as listed")
        let gone = try #require(users.first { warning.hasSuffix(": \($0["username"] as! String)") }, "\(warning)")
        #expect(gone["mfa"] == nil)
        for u in users
        where ["alice", "bob", "carol"].contains(u["username"] as! String) && u["username"] as? String != gone["username"] as? String {
            #expect((u["mfa"] as? [String: Any])?["preferred"] as? String == "SMS_MFA", "\(u)")
        }
        #expect(r.stderr.contains("warning: 1 user(s) were deleted"), "\(r.stderr)")
    }

    @Test func deniedAdminGetUserNamesTheUserAndTheStep() throws {
        let moto = try Moto.shared()
        let source = try seedPool(extraUsers: 0, env: moto.environment)
        let proxy = try AWSProxy(["--no-quota", "--fault", "AdminGetUser:1000:denied"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let store = try tempFolder("mfa-denied") + "/store"
        let r = try snap(["create", "--user-pool-id", source, "--store", store, "--with-mfa"], env: env)
        #expect(r.status == 1, "stdout: \(r.out) stderr: \(r.stderr)")
        #expect(r.stderr.contains("reading the MFA settings of user"), "\(r.stderr)")
        #expect(r.stderr.contains("AccessDeniedException") && r.stderr.contains("cognito-idp:AdminGetUser"), "\(r.stderr)")
        #expect(r.stderr.contains("without --with-mfa"), "\(r.stderr)")
        let names = ["alice", "bob", "carol", "dan", "\u{e9}mile"]
        #expect(names.contains { r.stderr.contains("user \($0)") }, "\(r.stderr)")
        // Nothing was committed.
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(store)/\(source)")) ?? []  // absent folder: nothing written
        #expect(!left.contains { $0.hasSuffix(".json") }, "\(left)")
    }
}
