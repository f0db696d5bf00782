import Foundation
import Testing

/// Object Lock as an operator's least-privilege identity sees it (issue 20,
/// item 6). HeadObject shows retention only to a caller holding
/// s3:GetObjectRetention (the proxy's rule s3-object-lock-headers-need-permission;
/// GetObjectRetention itself is served by the proxy, rule s3-get-object-retention,
/// as moto lacks it). snap runs as an IAM user holding exactly the README's
/// prune policy, or that policy without s3:GetObjectRetention.
@Suite(.serialized) struct ObjectLockPolicyTests {
    /// A locked bucket with one retained snapshot (the oldest) and two without retention, made by the admin.
    static func lockedStore(_ label: String, env: [String: String]) throws -> (bucket: String, pool: String, retained: String) {
        let pool = try seedPool(extraUsers: 2, env: env)
        let bucket = "snap-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket"], env: env)
        let common = ["--user-pool-id", pool, "--store", "s3://\(bucket)"]
        let first = try snap(["create", "--object-lock", "governance:3"] + common, env: env)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        for _ in 0..<2 {
            Thread.sleep(forTimeInterval: 1.1)
            let next = try snap(["create"] + common, env: env)
            #expect(next.status == 0, "stderr: \(next.stderr)")
        }
        return (bucket, pool, first.out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// An IAM user holding exactly the README's prune policy for `bucket`, less `dropping`.
    static func pruner(bucket: String, dropping: String? = nil, env admin: [String: String]) throws -> [String: String] {
        let readme = try String(contentsOfFile: Repo.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "<!-- iam:prune -->").dropFirst().first)
        var policy = try #require(section.components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
            .replacingOccurrences(of: "REGION", with: "us-east-1").replacingOccurrences(of: "ACCOUNT", with: "123456789012")
            .replacingOccurrences(of: "BUCKET", with: bucket)
        if let dropping {
            policy = policy.replacingOccurrences(of: "\"\(dropping)\", ", with: "").replacingOccurrences(of: ", \"\(dropping)\"", with: "")
            #expect(!policy.contains(dropping), "\(policy)")
        }
        let user = "pruner-\(UUID().uuidString.prefix(6))"
        _ = try aws(["iam", "create-user", "--user-name", user], env: admin)
        _ = try aws(["iam", "put-user-policy", "--user-name", user, "--policy-name", "prune", "--policy-document", policy], env: admin)
        let key = (try aws(["iam", "create-access-key", "--user-name", user], env: admin) as! [String: Any])["AccessKey"] as! [String: Any]
        var env = admin
        env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"] as? String
        env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"] as? String
        return env
    }

    static func ids(_ pool: String, _ bucket: String, env: [String: String]) throws -> [String] {
        let l = try snap(["list", "--json", "--user-pool-id", pool, "--store", "s3://\(bucket)"], env: env)
        return (try JSONSerialization.jsonObject(with: l.stdout) as! [[String: Any]]).map { $0["id"] as! String }
    }

    static func deleteMarkers(_ bucket: String, env: [String: String]) throws -> [String] {
        let v = try aws(["s3api", "list-object-versions", "--bucket", bucket], env: env) as! [String: Any]
        // The lock object's release is a conditional DeleteObject (a marker in a versioned bucket); snapshots' never are.
        return ((v["DeleteMarkers"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }.filter { !$0.hasSuffix("/lock") }
    }

    @Test func pruneWithTheREADMEPolicyKeepsRetainedAndDeletesByVersion() throws {
        let admin = try Moto.shared().environment
        let (bucket, pool, retained) = try Self.lockedStore("lockpol", env: admin)
        let env = try Self.pruner(bucket: bucket, env: admin)
        let common = ["--user-pool-id", pool, "--store", "s3://\(bucket)"]

        let v = try snap(["verify", "--all"] + common, env: env)
        #expect(
            v.status == 0 && v.out.contains("\(retained)  retained: governance Object Lock until"), "stdout: \(v.out) stderr: \(v.stderr)")

        let p = try snap(["prune", "--keep-last", "1"] + common, env: env)
        #expect(p.status == 0, "stdout: \(p.out) stderr: \(p.stderr)")
        #expect(p.stderr.contains("keeping \(retained)") && p.stderr.contains("Object Lock retention until"), "stderr: \(p.stderr)")
        #expect(try Self.ids(pool, bucket, env: admin).count == 2)
        // Deleted by version id: gone for good, no delete marker hiding a version.
        #expect(try Self.deleteMarkers(bucket, env: admin) == [], "a DeleteObject without a version id left delete markers")
        let versions = try aws(["s3api", "list-object-versions", "--bucket", bucket], env: admin) as! [String: Any]
        let keys = Set(((versions["Versions"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }.filter { $0.hasPrefix(pool + "/") })
        #expect(keys.filter { $0.hasSuffix(".json") && !$0.contains("/pruned/") }.count == 2, "\(keys.sorted())")
        // prune's record of what it removed, beside them (verify --chain reads it).
        #expect(keys.filter { $0.contains("/pruned/prune-") }.count == 1, "\(keys.sorted())")
    }

    @Test func unreadableRetentionIsNeverTakenForNone() throws {
        let admin = try Moto.shared().environment
        let (bucket, pool, retained) = try Self.lockedStore("lockunk", env: admin)
        let env = try Self.pruner(bucket: bucket, dropping: "s3:GetObjectRetention", env: admin)
        let common = ["--user-pool-id", pool, "--store", "s3://\(bucket)"]

        let p = try snap(["prune", "--keep-last", "1"] + common, env: env)
        #expect(p.status == 1, "the only store could not be pruned safely: stdout: \(p.out) stderr: \(p.stderr)")
        #expect(
            p.stderr.contains(retained) && p.stderr.contains("s3:GetObjectRetention") && p.stderr.contains("retention cannot be read"),
            "stderr: \(p.stderr)")
        let left = try Self.ids(pool, bucket, env: admin)
        #expect(left.contains(retained), "the retained snapshot stays listed: \(left)")
        #expect(try Self.deleteMarkers(bucket, env: admin) == [], "nothing hidden behind a delete marker")

        let v = try snap(["verify", "--all"] + common, env: env)
        #expect(v.status != 0 && (v.out + v.stderr).contains("s3:GetObjectRetention"), "stdout: \(v.out) stderr: \(v.stderr)")
    }
}
