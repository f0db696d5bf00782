import Foundation
import Testing

/// Issue 20, build item 4 and "Done when": `restore --create-pool --dry-run` of a snapshot whose
/// pool.json is a real DescribeUserPool answer (the AWS CLI's example) and one with developer-only
/// attributes, a TOTP-only MFA pool and an SMS role (fixtures/pools) prints every request it would
/// send, in order; each passes the model check and every rule (scripts/check_requests.py).
@Suite struct CreatePoolDryRunTests {
    struct Planned {
        var summary: [String: Any]
        var requests: [[String: Any]]
        var stderr: String
        var checker: RunResult
    }

    func plan(_ fixture: String, config: String? = nil) throws -> Planned {
        let env = try Moto.shared().environment
        let dir = try tempFolder("dry-\(fixture)")
        var args = [Repo.root + "/scripts/make_fixture_store.py", "--pool", Repo.root + "/fixtures/pools/\(fixture).json"]
        if let config { args += ["--config", Repo.root + "/fixtures/pools/\(config).json"] }
        let made = try run("python3", args + [dir + "/store"], env: env)
        guard made.status == 0 else { throw TestFailure("make_fixture_store.py: \(made.stderr)") }
        let parts = made.out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let r = try snap(
            [
                "restore", parts[1], "--source-pool", parts[0], "--create-pool", "rebuilt", "--region", "eu-west-1", "--store",
                dir + "/store",
                "--dry-run", "--json",
            ], env: env, cwd: dir)
        guard r.status == 0 else { throw TestFailure("dry run failed: \(r.stderr)") }
        try r.stdout.write(to: URL(fileURLWithPath: dir + "/summary.json"))
        let checker = try run("python3", [Repo.root + "/scripts/check_requests.py", dir + "/summary.json"], env: env)
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        let requests = (summary["createPool"] as? [String: Any])?["requests"] as? [[String: Any]] ?? []
        return Planned(summary: summary, requests: requests, stderr: r.stderr, checker: checker)
    }

    @Test func theCLIExamplePlansARequestTheModelAndEveryRuleAccept() throws {
        let p = try plan("cli-example")
        #expect(p.checker.status == 0, "violations: \(p.checker.out) \(p.checker.stderr)")
        #expect(p.requests.map { $0["operation"] as? String ?? "" } == ["CreateUserPool"], "MFA OFF in a format-1 snapshot: no call")
        let create = p.requests.first?["input"] as? [String: Any] ?? [:]
        #expect((create["AdminCreateUserConfig"] as? [String: Any])?["UnusedAccountValidityDays"] == nil)
        #expect(create["EmailConfiguration"] == nil, "its SES identity is in us-east-1")
        #expect(
            p.stderr.contains("dry run: would create pool rebuilt in eu-west-1") && p.stderr.contains("  CreateUserPool {"), "\(p.stderr)")
        #expect(p.stderr.contains("not carried over: EmailConfiguration"), "\(p.stderr)")
    }

    @Test func aTotpOnlyPoolWithAnSmsRolePlansRequestsTheModelAndEveryRuleAccept() throws {
        let p = try plan("totp-sms-role", config: "totp-sms-role.config")
        #expect(p.checker.status == 0, "violations: \(p.checker.out) \(p.checker.stderr)")
        #expect(p.requests.map { $0["operation"] as? String ?? "" } == ["CreateUserPool", "SetUserPoolMfaConfig"])
        let create = p.requests[0]["input"] as? [String: Any] ?? [:]
        #expect(create["MfaConfiguration"] == nil)
        #expect(create["UserPoolTier"] as? String == "PLUS", "threat protection ENFORCED in a snapshot without a tier")
        #expect((create["SmsConfiguration"] as? [String: Any])?["SnsRegion"] as? String == "eu-west-1")
        let names = (create["Schema"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
        #expect(names.contains("risk_score") && names.contains("tenant"), "\(names)")
        let set = p.requests[1]["input"] as? [String: Any] ?? [:]
        #expect(set["UserPoolId"] as? String == "<new pool id>")
        #expect(set["MfaConfiguration"] as? String == "OPTIONAL")
        #expect((set["SoftwareTokenMfaConfiguration"] as? [String: Any])?["Enabled"] as? Bool == true)
        #expect(set["SmsMfaConfiguration"] == nil && set["EmailMfaConfiguration"] == nil, "\(set)")
        let notCarried = (p.summary["createPool"] as? [String: Any])?["notCarried"] as? [String] ?? []
        #expect(notCarried.contains { $0.hasPrefix("EmailMfaConfiguration") }, "\(notCarried)")
        #expect(notCarried.contains { $0.hasPrefix("WebAuthnConfiguration.RelyingPartyId auth.example.com") }, "\(notCarried)")
        #expect(p.stderr.contains("note: UserPoolTier PLUS"), "\(p.stderr)")
    }

    /// The checker itself refuses what Cognito refuses: the same plan with the old behaviour's
    /// request (threat protection without a tier) is a violation.
    @Test func theCheckerFindsARefusedRequest() throws {
        let env = try Moto.shared().environment
        let bad =
            #"{"createPool":{"requests":[{"operation":"CreateUserPool","input":{"PoolName":"x","UserPoolAddOns":{"AdvancedSecurityMode":"ENFORCED"}}}]}}"#
        let file = try tempFolder("checker") + "/summary.json"
        try Data(bad.utf8).write(to: URL(fileURLWithPath: file))
        let r = try run("python3", [Repo.root + "/scripts/check_requests.py", file], env: env)
        #expect(r.status == 1 && r.out.contains("threat-protection-needs-plus"), "\(r.out) \(r.stderr)")
    }
}
