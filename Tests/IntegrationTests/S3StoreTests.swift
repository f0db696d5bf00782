import Foundation
import Testing

@testable import SnapCore

/// S3 stores in two regions against moto (signatures checked, S3 policies
/// enforced): replicate, verify, sync, lock, multipart, encryption.
@Suite(.serialized) struct S3StoreTests {
    func bucket(_ label: String) -> String { "snap-\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

    func makeBucket(_ name: String, region: String, env: [String: String]) throws {
        var args = ["s3api", "create-bucket", "--bucket", name, "--region", region]
        if region != "us-east-1" { args += ["--create-bucket-configuration", "LocationConstraint=\(region)"] }
        _ = try aws(args, env: env)
    }

    func object(_ bucket: String, _ key: String, env: [String: String]) throws -> Data {
        let path = try tempFolder("obj") + "/o"
        _ = try aws(["s3api", "get-object", "--bucket", bucket, "--key", key, path], env: env)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func keys(_ bucket: String, env: [String: String]) throws -> [String] {
        let out = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: env) as! [String: Any]
        return ((out["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }.sorted()
    }

    @Test func twoRegionsReplicateVerifyBreakAndSync() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 70, env: env)
        let us = bucket("us"), eu = bucket("eu")
        try makeBucket(us, region: "us-east-1", env: env)
        try makeBucket(eu, region: "eu-central-1", env: env)
        let stores = ["--store", "s3://\(us)?region=us-east-1", "--store", "s3://\(eu)"]

        let c = try snap(["create", "--user-pool-id", pool, "--json", "--sse", "s3"] + stores, env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let result = try JSONSerialization.jsonObject(with: c.stdout) as! [String: Any]
        let id = result["id"] as! String
        #expect((result["stores"] as! [[String: Any]]).allSatisfy { $0["ok"] as? Bool == true })
        #expect(try keys(us, env: env) == ["\(pool)/\(id).json", "\(pool)/\(id).tar.zst"])
        let a = try object(us, "\(pool)/\(id).tar.zst", env: env)
        let b = try object(eu, "\(pool)/\(id).tar.zst", env: env)
        #expect(a == b)
        let x = try tempFolder("s3x")
        try a.write(to: URL(fileURLWithPath: x + "/a.tar.zst"))
        try untar(x + "/a.tar.zst", into: x)
        #expect(try jsonLines(x + "/users.jsonl").count == 75)
        let head = try aws(["s3api", "head-object", "--bucket", eu, "--key", "\(pool)/\(id).tar.zst"], env: env) as! [String: Any]
        #expect(head["ServerSideEncryption"] as? String == "AES256")

        let ok = try snap(["verify", "--all", "--user-pool-id", pool] + stores, env: env)
        #expect(ok.status == 0, "stdout: \(ok.out) stderr: \(ok.stderr)")
        #expect(ok.out.split(separator: "\n").count == 2 && ok.out.contains("ok"))

        // A flipped byte in the eu copy.
        var broken = b
        broken[broken.count / 2] ^= 0x01
        try broken.write(to: URL(fileURLWithPath: x + "/broken"))
        _ = try aws(["s3api", "put-object", "--bucket", eu, "--key", "\(pool)/\(id).tar.zst", "--body", x + "/broken"], env: env)
        let bad = try snap(["verify", "--user-pool-id", pool] + stores, env: env)
        #expect(bad.status == 1)
        let badLine = try #require(bad.out.split(separator: "\n").first { $0.contains("FAILED") })
        #expect(badLine.contains("s3://\(eu)") && badLine.contains(id), "\(bad.out)")
        #expect(bad.out.split(separator: "\n").contains { $0.contains("s3://\(us)") && $0.hasSuffix("ok") })

        // One bucket missing: the other store is complete, exit 3.
        let gone = bucket("gone")
        let partial = try snap(["create", "--user-pool-id", pool, "--json", "--store", "s3://\(us)", "--store", "s3://\(gone)"], env: env)
        #expect(partial.status == 3, "stderr: \(partial.stderr)")
        #expect(partial.stderr.contains(gone) && partial.stderr.contains("does not exist"), "stderr: \(partial.stderr)")
        let p = try JSONSerialization.jsonObject(with: partial.stdout) as! [String: Any]
        let id2 = p["id"] as! String
        let outcomes = p["stores"] as! [[String: Any]]
        #expect(outcomes[0]["ok"] as? Bool == true && outcomes[1]["ok"] as? Bool == false)
        #expect(try keys(us, env: env).contains("\(pool)/\(id2).json"))

        // The bucket appears; sync repairs the damaged copy and fills the missing ones.
        try makeBucket(gone, region: "eu-west-1", env: env)
        let three = ["--store", "s3://\(us)", "--store", "s3://\(eu)", "--store", "s3://\(gone)"]
        let sync = try snap(["sync", "--user-pool-id", pool] + three, env: env)
        #expect(sync.status == 0, "stdout: \(sync.out) stderr: \(sync.stderr)")
        #expect(sync.out.contains("copied from s3://\(us)"))
        let after = try snap(["verify", "--all", "--user-pool-id", pool, "--json"] + three, env: env)
        #expect(after.status == 0, "stdout: \(after.out)")
        let rows = try JSONSerialization.jsonObject(with: after.stdout) as! [[String: Any]]
        #expect(rows.count == 6 && rows.allSatisfy { $0["ok"] as? Bool == true })
        #expect(try object(eu, "\(pool)/\(id).tar.zst", env: env) == a)
    }

    @Test func createPolicyFromTheREADMEIsEnough() throws {
        let moto = try Moto.shared()
        let admin = moto.environment
        let pool = try seedPool(extraUsers: 3, env: admin)
        let b = bucket("iam")
        try makeBucket(b, region: "us-east-1", env: admin)
        let readme = try String(contentsOfFile: Repo.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "<!-- iam:create -->").dropFirst().first)
        let policy = try #require(section.components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
            .replacingOccurrences(of: "REGION", with: "us-east-1").replacingOccurrences(of: "ACCOUNT", with: "123456789012")
            .replacingOccurrences(of: "POOL_ID", with: pool).replacingOccurrences(of: "BUCKET", with: b)
            // moto checks Cognito actions against the resource "*" only (moto/core/responses.py has no
            // _determine_resource for cognito-idp), so the pool ARN cannot match there; the actions are still
            // checked exactly, and the S3 statements with their bucket ARNs.
            .replacingOccurrences(of: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/\(pool)", with: "*")
        let user = "creator-\(UUID().uuidString.prefix(6))"
        _ = try aws(["iam", "create-user", "--user-name", user], env: admin)
        _ = try aws(["iam", "put-user-policy", "--user-name", user, "--policy-name", "create", "--policy-document", policy], env: admin)
        let key = (try aws(["iam", "create-access-key", "--user-name", user], env: admin) as! [String: Any])["AccessKey"] as! [String: Any]
        var env = admin
        env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"] as? String
        env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"] as? String

        for _ in 0..<2 {
            let r = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(b)", "--multipart-threshold", "1"], env: env)
            #expect(r.status == 0, "stderr: \(r.stderr)")
        }
        let v = try snap(["verify", "--user-pool-id", pool, "--store", "s3://\(b)"], env: env)
        #expect(v.status == 0, "\(v.out) \(v.stderr)")
        #expect(try keys(b, env: admin).count == 4)

        // The same user may not touch another bucket: access denied names the action.
        let other = bucket("other")
        try makeBucket(other, region: "us-east-1", env: admin)
        let denied = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(other)"], env: env)
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("AccessDenied") && denied.stderr.contains("s3:"), "stderr: \(denied.stderr)")
    }

    @Test func wrongStatedRegionAndMissingBucketAreNamed() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let b = bucket("region")
        try makeBucket(b, region: "eu-central-1", env: env)
        let r = try snap(["list", "--user-pool-id", "us-east-1_x", "--store", "s3://\(b)?region=us-east-1"], env: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("eu-central-1") && r.stderr.contains("us-east-1") && r.stderr.contains(b), "stderr: \(r.stderr)")
        let m = try snap(
            ["list", "--user-pool-id", "us-east-1_x", "--store", "s3://no-such-bucket-\(UUID().uuidString.prefix(6).lowercased())"],
            env: env)
        #expect(m.status == 1)
        #expect(m.stderr.contains("does not exist"), "stderr: \(m.stderr)")
        var bad = env
        bad["AWS_SESSION_TOKEN"] = "expired-or-bogus-token"
        bad["AWS_ACCESS_KEY_ID"] = "ASIAEXPIREDEXPIRED00"
        let e = try snap(["list", "--user-pool-id", "us-east-1_x", "--store", "s3://\(b)"], env: bad)
        #expect(e.status == 1)
        #expect(
            e.stderr.contains("credentials") || e.stderr.contains("InvalidAccessKeyId") || e.stderr.contains("not valid"),
            "stderr: \(e.stderr)")
        #expect(!e.stderr.contains("expired-or-bogus-token"))
    }

    @Test func failedMultipartLeavesNoSnapshotAndTheNextRunClearsTheUpload() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let b = bucket("mpu")
        try makeBucket(b, region: "us-east-1", env: env)
        // Every part fails and so does the abort: the upload is left behind, as after a crash.
        let proxy = try AWSProxy(
            ["--no-quota", "--fault", "UploadPart:1000:500", "--fault", "AbortMultipartUpload:1000:500"], upstream: moto)
        defer { proxy.stop() }
        var through = env
        through["AWS_ENDPOINT_URL"] = proxy.endpoint
        let failed = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(b)", "--multipart-threshold", "1"], env: through)
        #expect(failed.status == 1, "stderr: \(failed.stderr)")
        #expect(try keys(b, env: env).isEmpty, "a failed create left objects")
        let uploads = try aws(["s3api", "list-multipart-uploads", "--bucket", b], env: env) as! [String: Any]
        #expect(((uploads["Uploads"] as? [Any]) ?? []).count == 1)

        let next = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(b)", "--multipart-threshold", "1"], env: env)
        #expect(next.status == 0, "stderr: \(next.stderr)")
        #expect(next.stderr.contains("aborted the stale multipart upload"))
        let after = try aws(["s3api", "list-multipart-uploads", "--bucket", b], env: env) as! [String: Any]
        #expect(((after["Uploads"] as? [Any]) ?? []).isEmpty)
        #expect(try keys(b, env: env).filter { $0.hasSuffix(".json") }.count == 1)
    }

    @Test func concurrentCreatesAndAStaleLock() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let b = bucket("lock")
        try makeBucket(b, region: "us-east-1", env: env)
        let proxy = try AWSProxy(["--no-quota", "--latency-ms", "2000"], upstream: moto)
        defer { proxy.stop() }
        var slow = env
        slow["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = proxy.endpoint

        // A slow create holds the lock; a second one exits 4, naming the holder.
        let first = Process()
        first.executableURL = URL(fileURLWithPath: Repo.snapBinary)
        first.arguments = ["create", "--user-pool-id", pool, "--store", "s3://\(b)", "--shards", "1", "-q"]
        first.environment = slow
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        var locked = false
        for _ in 0..<100 where !locked {
            Thread.sleep(forTimeInterval: 0.1)
            locked = try keys(b, env: env).contains("\(pool)/lock")
        }
        #expect(locked)
        let second = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(b)"], env: env)
        #expect(second.status == 4, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("locked") && second.stderr.contains("pid \(first.processIdentifier)"), "stderr: \(second.stderr)")

        // Killed while holding it: the next create takes the lock over and says so.
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(try keys(b, env: env).contains("\(pool)/lock"))
        let third = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(b)", "--wait-lock", "10s"], env: env)
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(third.stderr.contains("taking over the lock"), "stderr: \(third.stderr)")
        #expect(!(try keys(b, env: env).contains("\(pool)/lock")))
    }

    @Test func localStoreLockWaitsAndTakesOver() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let store = try tempFolder("locallock") + "/store"
        try FileManager.default.createDirectory(atPath: "\(store)/\(pool)", withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName
        // A live holder (this test process): exit 4 after --wait-lock.
        try "{\"host\":\"\(host)\",\"pid\":\(getpid()),\"started\":\"2026-01-01T00:00:00Z\"}".write(
            toFile: "\(store)/\(pool)/lock", atomically: true, encoding: .utf8)
        let held = try snap(["create", "--user-pool-id", pool, "--store", store, "--wait-lock", "1s"], env: moto.environment)
        #expect(held.status == 4, "stderr: \(held.stderr)")
        #expect(held.stderr.contains("pid \(getpid())"))
        // A dead holder in an older snap's record (no boot id or pid namespace):
        // nothing proves it gone, and it never expires; the message says to delete it.
        try "{\"host\":\"\(host)\",\"pid\":999999,\"started\":\"2026-01-01T00:00:00Z\"}".write(
            toFile: "\(store)/\(pool)/lock", atomically: true, encoding: .utf8)
        let legacy = try snap(["create", "--user-pool-id", pool, "--store", store], env: moto.environment)
        #expect(legacy.status == 4 && legacy.stderr.contains("delete"), "stderr: \(legacy.stderr)")
        // A dead holder of this host, boot and pid namespace: taken over.
        let me = LockOwner.current()
        try LockRecord(
            owner: LockOwner(
                host: me.host, bootId: me.bootId, pid: 999_999, nonce: "gone", started: "2026-01-01T00:00:00Z",
                pidNamespace: me.pidNamespace),
            expires: Date(timeIntervalSinceNow: 600), leaseSeconds: 600
        ).data.write(to: URL(fileURLWithPath: "\(store)/\(pool)/lock"))
        let took = try snap(["create", "--user-pool-id", pool, "--store", store], env: moto.environment)
        #expect(took.status == 0, "stderr: \(took.stderr)")
        #expect(took.stderr.contains("taking over the lock"))
        #expect(!FileManager.default.fileExists(atPath: "\(store)/\(pool)/lock"))
    }
}
