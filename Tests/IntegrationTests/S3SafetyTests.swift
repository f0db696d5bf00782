import Foundation
import Testing

/// Whose bucket, and S3 answers worth retrying (issue 7, items 9 and 12),
/// through scripts/aws_proxy.py in front of moto: moto ignores
/// `x-amz-expected-bucket-owner` and never times out, the proxy plays both.
@Suite(.serialized) struct S3SafetyTests {
    func bucket(_ label: String) -> String { "snap-\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

    func keys(_ bucket: String, env: [String: String]) throws -> [String] {
        let out = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: env) as! [String: Any]
        return ((out["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }.sorted()
    }

    @Test func expectedBucketOwnerIsSentAndAForeignBucketRefused() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 2, env: env)
        let mine = bucket("mine"), theirs = bucket("theirs")
        for b in [mine, theirs] { _ = try aws(["s3api", "create-bucket", "--bucket", b], env: env) }
        let proxy = try AWSProxy(
            ["--no-quota", "--bucket-owner", "\(mine)=123456789012", "--bucket-owner", "\(theirs)=999988887777"], upstream: moto)
        var viaProxy = env
        viaProxy["AWS_ENDPOINT_URL"] = proxy.endpoint

        let ok = try snap(
            ["create", "--user-pool-id", pool, "--store", "s3://\(mine)", "--expected-bucket-owner", "123456789012"], env: viaProxy)
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        let stats = try proxyStats(proxy)
        #expect(
            (stats["s3WithoutExpectedOwner"] ?? [:]).isEmpty, "S3 requests without the header: \(stats["s3WithoutExpectedOwner"] ?? [:])")
        #expect(try keys(mine, env: env).count == 2)

        // The same create against a bucket of another account: refused, nothing written.
        let refused = try snap(
            ["create", "--user-pool-id", pool, "--store", "s3://\(theirs)", "--expected-bucket-owner", "123456789012"], env: viaProxy)
        #expect(refused.status == 1, "stderr: \(refused.stderr)")
        #expect(
            refused.stderr.contains("not owned by account 123456789012") && refused.stderr.contains(theirs), "stderr: \(refused.stderr)")
        #expect(try keys(theirs, env: env).isEmpty)

        // Per store in snap.toml, with the other store still written (exit 3).
        let work = try tempFolder("owner")
        try """
        user_pool_id = "\(pool)"
        [[store]]
        url = "s3://\(mine)"
        expected_bucket_owner = "123456789012"
        [[store]]
        url = "s3://\(theirs)"
        expected_bucket_owner = "123456789012"
        """.write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let partial = try snap(["create"], env: viaProxy, cwd: work)
        #expect(partial.status == 3, "stderr: \(partial.stderr)")
        #expect(try keys(theirs, env: env).isEmpty)
        #expect(try keys(mine, env: env).count == 4)

        let bad = try snap(["list", "--expected-bucket-owner", "12345"], env: viaProxy, cwd: work)
        #expect(bad.status == 64 && bad.stderr.contains("12 digits"), "stderr: \(bad.stderr)")
    }

    @Test func perStoreEncryptionFromTheConfigFile() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 2, env: env)
        let plain = bucket("plain"), sealed = bucket("sealed")
        for b in [plain, sealed] { _ = try aws(["s3api", "create-bucket", "--bucket", b], env: env) }
        let work = try tempFolder("sse")
        try """
        user_pool_id = "\(pool)"
        [[store]]
        url = "s3://\(plain)"
        [[store]]
        url = "s3://\(sealed)"
        sse = "s3"
        """.write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        // Written to the plain store only, then copied by sync into the sealed one.
        let c = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(plain)"], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let s = try snap(["sync"], env: env, cwd: work)
        #expect(s.status == 0, "stdout: \(s.out) stderr: \(s.stderr)")
        for key in ["\(pool)/\(id).tar.zst", "\(pool)/\(id).json"] {
            let sealedHead = try aws(["s3api", "head-object", "--bucket", sealed, "--key", key], env: env) as! [String: Any]
            #expect(sealedHead["ServerSideEncryption"] as? String == "AES256", "\(key): \(sealedHead)")
        }
        let plainHead = try aws(["s3api", "head-object", "--bucket", plain, "--key", "\(pool)/\(id).tar.zst"], env: env) as! [String: Any]
        #expect(plainHead["ServerSideEncryption"] == nil || plainHead["ServerSideEncryption"] as? String != "aws:kms")
    }

    @Test func requestTimeoutAndSlowDownAreRetried() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 2, env: env)
        let b = bucket("retry")
        _ = try aws(["s3api", "create-bucket", "--bucket", b], env: env)
        let proxy = try AWSProxy(
            ["--no-quota", "--fault", "PutObject:2:RequestTimeout@400", "--fault", "ListObjectsV2:2:SlowDown@503"], upstream: moto)
        var viaProxy = env
        viaProxy["AWS_ENDPOINT_URL"] = proxy.endpoint
        let c = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(b)"], env: viaProxy)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let counts = try proxy.operationCounts()
        // Three PutObjects succeed (lock, archive, .json) after two timed out.
        #expect((counts["PutObject"] ?? 0) >= 5, "\(counts)")
        #expect(try keys(b, env: env).filter { $0.hasSuffix(".json") }.count == 1)
        let v = try snap(["verify", "--user-pool-id", pool, "--store", "s3://\(b)"], env: viaProxy)
        #expect(v.status == 0, "stdout: \(v.out) stderr: \(v.stderr)")
    }

    func proxyStats(_ proxy: AWSProxy) throws -> [String: [String: Any]] {
        let r = try run("curl", ["-sf", proxy.endpoint + "/__proxy/stats"], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("proxy stats: curl exited \(r.status)") }
        return try JSONSerialization.jsonObject(with: r.stdout) as! [String: [String: Any]]
    }
}
