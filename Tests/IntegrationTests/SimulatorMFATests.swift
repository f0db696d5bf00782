import Foundation
import Testing

/// `--with-mfa` at scale against scripts/cognito_sim.py (`--mfa`: SMS on users
/// i % 21 == 0, email on i % 17 == 9, software token on i % 13 == 6), which
/// meters AdminGetUser under UserRead and, unlike moto, reports email and
/// software-token MFA.
@Suite(.serialized) struct SimulatorMFATests {
    /// The simulator's MFA settings of synthetic user i (scripts/cognito_sim.py, `Pool.mfa`), computed here on their own.
    static func expected(_ i: Int) -> (enabled: [String], preferred: String)? {
        if i % 25 == 2 { return nil }  // federated
        var enabled: [String] = []
        if i % 21 == 0 { enabled.append("SMS_MFA") }
        if i % 17 == 9 { enabled.append("EMAIL_OTP") }
        if i % 13 == 6 { enabled.append("SOFTWARE_TOKEN_MFA") }
        return enabled.isEmpty ? nil : (enabled.sorted(), enabled[0])
    }

    @Test func oneAdminGetUserPerUserPacedUnderUserReadDespiteThrottling() throws {
        let users = 2000
        // UserRead is 120/s at the simulator (time scale 1: it serves a few hundred requests a second, so a
        // higher scale would make it, not the quota, the limit); snap is told 400 (× 0.8 = 320/s), more than
        // it gets, so the simulator throttles and the pacer must slow the category down rather than fail.
        let sim = try CognitoSim(["--users", "\(users)", "--groups", "2", "--rtt-ms", "30", "--mfa"])
        defer { sim.stop() }
        let work = try tempFolder("sim-mfa")
        let started = Date()
        let r = try snap(
            [
                "create", "--user-pool-id", sim.poolId, "--store", work + "/store", "--work-dir", work, "--with-mfa", "--quota",
                "UserRead=400",
                "--max-throttle-wait", "20s",
            ], env: sim.environment)
        let seconds = Date().timeIntervalSince(started)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("about \(users) users at 320.0/s"), "the cost line: \(r.stderr)")
        let stats = try sim.stats()
        let get = stats["AdminGetUser"] ?? [:]
        #expect(get["throttled"] ?? 0 > 0, "the simulator never throttled UserRead: \(stats)")
        // Every request the simulator let through read one user, each user once.
        #expect((get["count"] ?? 0) - (get["throttled"] ?? 0) == users, "\(get)")
        #expect(get["errors"] ?? 0 == 0)
        // Paced: no faster than the simulator's UserRead budget allows (one second of burst).
        #expect(seconds >= Double(users) / 120.0 - 1.5, "\(seconds)s is faster than the UserRead quota")

        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try untar("\(work)/store/\(sim.poolId)/\(id).tar.zst", into: work)
        let records = try jsonLines(work + "/users.jsonl")
        #expect(records.count == users)
        var withMFA = 0
        for rec in records {
            let name = rec["username"] as! String
            let mfa = rec["mfa"] as? [String: Any]
            guard name.hasPrefix("user-"), let i = Int(name.dropFirst(5)) else {
                #expect(mfa == nil, "federated \(name)")
                continue
            }
            if let want = Self.expected(i) {
                withMFA += 1
                #expect(mfa?["enabled"] as? [String] == want.enabled, "\(name)")
                #expect(mfa?["preferred"] as? String == want.preferred, "\(name)")
            } else {
                #expect(mfa == nil, "\(name) has no MFA")
            }
        }
        #expect(withMFA > 200)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/manifest.json"))) as! [String: Any]
        #expect(manifest["options"] as? [String: Bool] == ["withMfa": true])
        #expect(((manifest["stats"] as? [String: Any])?["throttled"] as? Int ?? 0) > 0)
    }

    /// The simulators run without quotas: snap is told generous ones, so a test takes seconds.
    static let fast = ["UserCreation=500", "UserUpdate=500", "UserResourceUpdate=500", "UserRead=1000", "UserPoolResourceUpdate=100"]
        .flatMap { ["--quota", $0] }

    @Test func restoreSetsSMSAndEmailAndListsSoftwareTokenUsers() throws {
        let users = 400
        let source = try CognitoSim(["--users", "\(users)", "--groups", "2", "--no-quota", "--mfa"])
        defer { source.stop() }
        let work = try tempFolder("sim-mfa-restore")
        let store = work + "/store"
        let c = try snap(["create", "--user-pool-id", source.poolId, "--store", store, "--with-mfa"], env: source.environment)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try untar("\(store)/\(source.poolId)/\(id).tar.zst", into: work)
        let snapshot = try jsonLines(work + "/users.jsonl").filter { $0["status"] as? String != "EXTERNAL_PROVIDER" }
        let settings = snapshot.compactMap { u in (u["mfa"] as? [String: Any]).map { (u["username"] as! String, $0) } }
        let totp = Set(settings.filter { ($0.1["enabled"] as! [String]).contains("SOFTWARE_TOKEN_MFA") }.map(\.0))
        let apply = settings.filter { s in
            let e = s.1["enabled"] as! [String]
            return e.contains("SMS_MFA") || e.contains("EMAIL_OTP")
        }
        let sms = apply.filter { ($0.1["enabled"] as! [String]).contains("SMS_MFA") }.count
        let email = apply.filter { ($0.1["enabled"] as! [String]).contains("EMAIL_OTP") }.count
        #expect(!totp.isEmpty && sms > 0 && email > 0)

        let target = try CognitoSim(["--users", "0", "--groups", "0", "--pool-id", "us-east-1_SimTarget1", "--no-quota"])
        defer { target.stop() }
        var env = target.environment
        env["SNAP_USER_POOL_ID"] = source.poolId
        let dry = try snap(["restore", id, "--user-pool-id", target.poolId, "--store", store, "--dry-run"], env: env, cwd: work)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(
            dry.stderr.contains("MFA: \(apply.count) user(s) get their MFA preferences set again (\(sms) SMS, \(email) email"),
            "\(dry.stderr)")
        #expect(dry.stderr.contains("MFA: \(totp.count) user(s) had a software token (TOTP)"), "\(dry.stderr)")

        let subMap = work + "/restore.submap.jsonl"
        let r = try snap(
            ["restore", id, "--user-pool-id", target.poolId, "--store", store, "--sub-map", subMap, "--json"] + Self.fast, env: env,
            cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        let mfa = summary["mfa"] as! [String: Any]
        #expect(mfa["counts"] as? [String: Int] == ["planned": apply.count, "written": apply.count, "existing": 0, "failed": 0])
        let enrol = mfa["mustEnrolTotp"] as! [String: Any]
        #expect(enrol["count"] as? Int == totp.count)
        #expect(Set(enrol["usernames"] as! [String]) == totp)
        let listPath = work + "/restore.totp-users.txt"
        #expect(enrol["file"] as? String == listPath)
        let listed = try String(contentsOfFile: listPath, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Set(listed) == totp && listed.count == totp.count)
        let marked = Set(try jsonLines(subMap).filter { $0["mustEnrolTotp"] as? Bool == true }.map { $0["username"] as! String })
        #expect(marked == totp)
        #expect(try jsonLines(subMap).allSatisfy { $0["newSub"] is String && $0["username"] is String })
        #expect(try target.stats()["AdminSetUserMFAPreference"]?["count"] == apply.count)

        // The restored pool against the snapshot: mfa differs only for software-token users, who lost the token.
        let diff = try snap(
            [
                "diff", id, "pool:\(target.poolId)", "--store", store, "--ignore", "attributes.sub", "--ignore", "status", "--json",
            ], env: env)
        #expect(diff.status == 0, "stderr: \(diff.stderr)")
        var mfaChanged: Set<String> = []
        for line in diff.out.split(separator: "\n") {
            let change = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard change["op"] as? String == "changed" else { continue }
            let fields = (change["changes"] as! [[String: Any]]).map { $0["field"] as! String }
            #expect(fields == ["mfa"], "\(change)")
            mfaChanged.insert(change["username"] as! String)
        }
        #expect(mfaChanged == totp)

        // --method import-job: the CSV does not carry MFA (cognito:mfa_enabled false); the same call sets it after the job.
        let second = try CognitoSim([
            "--users", "0", "--groups", "0", "--pool-id", "us-east-1_SimTarget2", "--no-quota", "--import-delay", "0",
        ])
        defer { second.stop() }
        var env2 = second.environment
        env2["SNAP_USER_POOL_ID"] = source.poolId
        let imported = try snap(
            [
                "restore", id, "--user-pool-id", second.poolId, "--store", store, "--method", "import-job", "--import-role-arn",
                "arn:aws:iam::123456789012:role/CognitoImportLogs", "--json",
            ] + Self.fast, env: env2, cwd: work)
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        let importedSummary = try JSONSerialization.jsonObject(with: imported.stdout) as! [String: Any]
        #expect(importedSummary["method"] as? String == "import-job")
        #expect(((importedSummary["imported"] as? [String: Any])?["carried"] as? Int ?? 0) > 0)
        let importedMFA = importedSummary["mfa"] as! [String: Any]
        #expect(importedMFA["counts"] as? [String: Int] == ["planned": apply.count, "written": apply.count, "existing": 0, "failed": 0])
        #expect(try second.stats()["AdminSetUserMFAPreference"]?["count"] == apply.count)
        for (name, s) in apply.prefix(10) {
            let got = try aws(
                ["cognito-idp", "admin-get-user", "--user-pool-id", second.poolId, "--username", name], env: second.environment)
            let carried = (s["enabled"] as! [String]).filter { $0 != "SOFTWARE_TOKEN_MFA" }
            #expect((got as! [String: Any])["UserMFASettingList"] as? [String] == carried, "\(name)")
        }
    }
}
