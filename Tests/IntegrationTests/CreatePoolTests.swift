import Foundation
import Testing

/// Disaster recovery into a region that has no pool yet (issue 13, item 1):
/// `snap restore REF --create-pool NAME --region R` builds the pool from the
/// snapshot's pool.json and restores into it; `snap diff` is then clean but
/// for `sub`. Against moto.
@Suite struct CreatePoolTests {
    @Test func restoreIntoANewPoolInAnotherRegion() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 10, env: env)
        let store = try tempFolder("newpool")
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        func pools() throws -> [[String: Any]] {
            (try aws(["cognito-idp", "list-user-pools", "--max-results", "60", "--region", "eu-west-1"], env: env) as! [String: Any])[
                "UserPools"]
                as? [[String: Any]] ?? []
        }
        let name = "rebuilt-\(UUID().uuidString.prefix(6))"

        let dry = try snap(
            ["restore", id, "--source-pool", pool, "--create-pool", name, "--region", "eu-west-1", "--store", store, "--dry-run"], env: env)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stderr.contains("would create pool \(name) in eu-west-1") && dry.stderr.contains("\"Name\":\"tier\""), "\(dry.stderr)")
        #expect(dry.stderr.contains("not carried over: app clients"), "\(dry.stderr)")
        #expect(try !pools().contains { $0["Name"] as? String == name }, "a dry run created a pool")

        let work = try tempFolder("newpool-run")
        let r = try snap(
            ["restore", id, "--source-pool", pool, "--create-pool", name, "--region", "eu-west-1", "--store", store], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let created = try #require(try pools().first { $0["Name"] as? String == name }?["Id"] as? String)
        #expect(created.hasPrefix("eu-west-1_"))
        #expect(r.stderr.contains("created pool \(created)"), "\(r.stderr)")
        let described =
            (try aws(["cognito-idp", "describe-user-pool", "--user-pool-id", created, "--region", "eu-west-1"], env: env) as! [String: Any])[
                "UserPool"] as! [String: Any]
        let schema = (described["SchemaAttributes"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
        #expect(schema.contains("custom:tier"), "\(schema)")
        let source =
            (try aws(["cognito-idp", "describe-user-pool", "--user-pool-id", pool], env: env) as! [String: Any])["UserPool"]
            as! [String: Any]
        // The legacy UnusedAccountValidityDays is never sent beside PasswordPolicy's
        // TemporaryPasswordValidityDays, which carries it (Cognito refuses the pair; moto echoes what it got).
        var sourceAdmin = source["AdminCreateUserConfig"] as? [String: Any] ?? [:]
        sourceAdmin["UnusedAccountValidityDays"] = nil
        #expect((described["AdminCreateUserConfig"] as? [String: Any])?["UnusedAccountValidityDays"] == nil)
        #expect(try canonical(described["AdminCreateUserConfig"]) == canonical(sourceAdmin))
        for key in ["Policies", "MfaConfiguration", "AccountRecoverySetting"] {
            #expect(
                try canonical(described[key]) == canonical(source[key]), "\(key): \(described[key] ?? "nil") vs \(source[key] ?? "nil")")
        }

        let diff = try snap(
            [
                "diff", id, "pool:\(created)", "--store", store, "--ignore", "attributes.sub", "--exit-code",
                "--region", "eu-west-1",
            ], env: env)
        #expect(diff.status == 0, "stdout: \(diff.out) stderr: \(diff.stderr)")

        let both = try snap(["restore", id, "--create-pool", name, "--user-pool-id", created], env: env)
        #expect(both.status == 64, "stderr: \(both.stderr)")
    }

    func canonical(_ v: Any?) throws -> String {
        guard let v else { return "absent" }
        return String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }
}
