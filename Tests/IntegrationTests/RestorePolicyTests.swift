import Foundation
import Testing

/// `snap restore` as an IAM user holding exactly the README's restore policy,
/// against moto: it enforces the S3 statements, and checks the Cognito
/// actions against the resource "*" (moto has no Cognito resource ARNs).
@Suite struct RestorePolicyTests {
    /// The README's restore policy for `bucket`, with moto's account and region (Cognito resources as "*").
    static func readmePolicy(bucket b: String) throws -> String {
        let readme = try String(contentsOfFile: Repo.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "<!-- iam:restore -->").dropFirst().first)
        return try #require(section.components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
            .replacingOccurrences(of: "REGION", with: "us-east-1").replacingOccurrences(of: "ACCOUNT", with: "123456789012")
            .replacingOccurrences(of: "IMPORT_ROLE", with: "CognitoImportLogs").replacingOccurrences(of: "BUCKET", with: b)
            .replacingOccurrences(of: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/TARGET_POOL_ID", with: "*")
    }

    /// The environment of a new IAM user holding exactly `policy`.
    static func user(holding policy: String, admin: [String: String]) throws -> [String: String] {
        let user = "restorer-\(UUID().uuidString.prefix(6))"
        _ = try aws(["iam", "create-user", "--user-name", user], env: admin)
        _ = try aws(["iam", "put-user-policy", "--user-name", user, "--policy-name", "restore", "--policy-document", policy], env: admin)
        let key = (try aws(["iam", "create-access-key", "--user-name", user], env: admin) as! [String: Any])["AccessKey"] as! [String: Any]
        var env = admin
        env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"] as? String
        env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"] as? String
        return env
    }

    @Test func restorePolicyFromTheREADMEIsEnough() throws {
        let moto = try Moto.shared()
        let admin = moto.environment
        let source = try seedPool(extraUsers: 12, env: admin)
        let b = "snap-restore-iam-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", b, "--region", "us-east-1"], env: admin)
        let work = try tempFolder("restore-iam")
        let local = work + "/store"
        let made = try snap(["create", "--user-pool-id", source, "--store", "s3://\(b)", "--store", local], env: admin)
        #expect(made.status == 0, "\(made.stderr)")
        let id = made.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: admin)

        let policy = try Self.readmePolicy(bucket: b)
        #expect(policy.contains("cognito-idp:CreateUserImportJob") && policy.contains("iam:PassRole"))
        let env = try Self.user(holding: policy, admin: admin)

        let r = try snap(
            ["restore", id, "--source-pool", source, "--user-pool-id", target, "--store", "s3://\(b)", "--method", "api", "--json"],
            env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        try RestoreTests.expectPool(
            target, region: "us-east-1", equals: try RestoreTests.unpack(store: local, pool: source, id: id),
            subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: admin)

        // Writing to the store is not in the policy: the same user cannot create a snapshot there.
        let denied = try snap(["create", "--user-pool-id", source, "--store", "s3://\(b)"], env: env)
        #expect(denied.status != 0 && denied.stderr.contains("AccessDenied"), "stderr: \(denied.stderr)")
    }

    /// Issue 21: `--create-pool` from a format-2 snapshot rebuilds the resource servers, providers, clients
    /// and domain under the same policy (its third statement), and a `--resume` reads them back under it.
    @Test func restorePolicyCoversCreatePoolsConfiguration() throws {
        let moto = try Moto.shared()
        let admin = moto.environment
        let source = try seedPool(extraUsers: 0, env: admin, spec: Repo.root + "/fixtures/demo/configured-pool.json")
        let b = "snap-restore-iam-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", b, "--region", "us-east-1"], env: admin)
        let work = try tempFolder("restore-iam-config")
        let made = try snap(["create", "--user-pool-id", source, "--store", "s3://\(b)"], env: admin)
        try #require(made.status == 0, "\(made.stderr)")
        let id = made.out.trimmingCharacters(in: .whitespacesAndNewlines)

        let env = try Self.user(holding: try Self.readmePolicy(bucket: b), admin: admin)

        let r = try snap(
            [
                "restore", id, "--source-pool", source, "--create-pool", "dr-\(UUID().uuidString.prefix(6))", "--region", "eu-west-1",
                "--store", "s3://\(b)", "--json",
            ], env: env, cwd: work)
        try #require(r.status == 0, "stderr: \(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let configuration = try #require((summary["createPool"] as? [String: Any])?["configuration"] as? [String: Any])
        #expect(configuration["failed"] as? Int == 0, "\(r.stderr)")
        #expect(configuration["made"] as? Int == 10, "\(r.stderr)")
        let target = try #require(summary["targetPool"] as? String)
        let resumed = try snap(
            [
                "restore", id, "--source-pool", source, "--user-pool-id", target, "--region", "eu-west-1", "--store", "s3://\(b)",
                "--resume",
            ],
            env: env, cwd: work)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("client web: already in the pool"), "\(resumed.stderr)")
    }
}
