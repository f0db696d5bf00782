import Foundation
import Testing

/// Issue 21, items 3 and 7: `snap diff` shows the pool's configuration. A
/// password policy and the MFA factors are changed between two snapshots;
/// the diff shows exactly those fields, first, and counts them.
@Suite struct ConfigDiffTests {
    @Test func passwordPolicyAndMFAChangesAreTheOnlyConfigurationLine() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("config-diff") + "/store"
        let base = ["--user-pool-id", pool, "--store", store]
        // UpdateUserPool resets what it is not given: the policy is set in full before the first snapshot.
        func policy(_ length: Int) throws {
            _ = try aws(
                [
                    "cognito-idp", "update-user-pool", "--user-pool-id", pool, "--mfa-configuration", "OFF", "--policies",
                    #"{"PasswordPolicy":{"MinimumLength":\#(length)}}"#,
                ], env: env)
        }
        try policy(12)
        let first = try RestoreTests.createID(pool, store: store, env: env)
        try policy(8)
        _ = try aws(
            [
                "cognito-idp", "set-user-pool-mfa-config", "--user-pool-id", pool, "--software-token-mfa-configuration",
                "Enabled=true", "--mfa-configuration", "OPTIONAL",
            ], env: env)
        let second = try RestoreTests.createID(pool, store: store, env: env)

        let json = try snap(["diff", first, second, "--json"] + base, env: env)
        #expect(json.status == 0, "\(json.stderr)")
        let lines = json.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.count == 2, "\(json.out)")
        let change = try #require(lines.first)
        #expect(change["kind"] as? String == "pool" && change["op"] as? String == "changed", "\(json.out)")
        let fields = (change["changes"] as? [[String: Any]]) ?? []
        #expect(
            fields.map { $0["field"] as? String } == [
                "Policies.PasswordPolicy.MinimumLength", "mfa.MfaConfiguration", "mfa.SoftwareTokenMfaConfiguration",
            ], "\(json.out)")
        #expect(fields.first?["old"] as? Int == 12 && fields.first?["new"] as? Int == 8)
        #expect(fields.dropFirst().first?["old"] as? String == "OFF" && fields.dropFirst().first?["new"] as? String == "OPTIONAL")
        #expect(fields.last?["old"] is NSNull && (fields.last?["new"] as? [String: Bool]) == ["Enabled": true])
        let summary = try #require(lines.last)
        #expect(summary["kind"] as? String == "summary")
        #expect(summary["config"] as? [String: Int] == ["changed": 1], "\(json.out)")
        #expect(summary["users"] as? [String: Int] == ["added": 0, "removed": 0, "changed": 0])
        #expect(summary["groups"] as? [String: Int] == ["added": 0, "removed": 0, "changed": 0])
        #expect(summary["memberships"] as? [String: Int] == ["added": 0, "removed": 0])

        let text = try snap(["diff", first, second] + base, env: env)
        #expect(
            text.out.hasPrefix(
                #"~ pool: Policies.PasswordPolicy.MinimumLength 12 -> 8; mfa.MfaConfiguration "OFF" -> "OPTIONAL"; mfa.SoftwareTokenMfaConfiguration (none) -> {"Enabled":true}"#
                    + "\n"), "\(text.out)")
        let stat = try snap(["diff", first, second, "--stat", "--exit-code"] + base, env: env)
        #expect(stat.status == 1, "\(stat.out) \(stat.stderr)")
        #expect(stat.out.split(separator: "\n").count == 1 && stat.out.contains("config ~1"), "\(stat.out)")
        // Ignored, the configuration counts for nothing: no differences.
        let ignored = try snap(
            ["diff", first, second, "--exit-code", "--ignore", "pool.Policies", "--ignore", "pool.mfa"] + base, env: env)
        #expect(ignored.status == 0 && ignored.out.contains("config ~0"), "\(ignored.out) \(ignored.stderr)")
        // The live pool is read with its configuration: no drift since the second snapshot, the change since the first.
        let live = try snap(["diff", second, "pool:\(pool)", "--exit-code"] + base, env: env)
        #expect(live.status == 0, "\(live.out) \(live.stderr)")
        let drift = try snap(["diff", first, "pool:\(pool)", "--exit-code", "--stat"] + base, env: env)
        #expect(drift.status == 1 && drift.out.contains("config ~1"), "\(drift.out) \(drift.stderr)")

        // With users changed too, the configuration still comes first (its members end the archive).
        _ = try aws(["cognito-idp", "admin-create-user", "--user-pool-id", pool, "--username", "aaron"], env: env)
        let third = try RestoreTests.createID(pool, store: store, env: env)
        let mixed = try snap(["diff", first, third, "--json"] + base, env: env)
        let kinds = mixed.out.split(separator: "\n").map {
            (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["kind"] as? String
        }
        #expect(kinds == ["pool", "user", "summary"], "\(mixed.out)")
    }
}
