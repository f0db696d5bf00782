import Foundation
import Testing

/// Issue 19, item 15: every S3 error names its operation, bucket and key,
/// and one `.json` that cannot be read is that snapshot's problem, reported
/// with its key: neither taken as absent nor making the whole store unreadable.
@Suite(.serialized) struct S3ErrorNamingTests {
    @Test func deniedObjectsAreNamed() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let bucket = "snap-deny-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: moto.environment)
        let args = ["--user-pool-id", pool, "--store", "s3://\(bucket)"]
        var ids: [String] = []
        for _ in 0..<2 {
            let c = try snap(["create"] + args, env: moto.environment)
            #expect(c.status == 0, "stderr: \(c.stderr)")
            ids.append(c.out.trimmingCharacters(in: .whitespacesAndNewlines))
            Thread.sleep(forTimeInterval: 1.1)
        }
        let denied = try AWSProxy(["--no-quota", "--fault-path", "\(ids[0])\\.json:1000:AccessDenied@403"], upstream: moto)
        defer { denied.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = denied.endpoint
        let key = "s3://\(bucket)/\(pool)/\(ids[0]).json"

        // One denied .json: the other snapshot is still verified; the denied one is a finding naming its key.
        let v = try snap(["verify", "--all"] + args, env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        let lines = v.out.split(separator: "\n")
        #expect(lines.contains { $0.contains(ids[1]) && $0.hasSuffix("ok") }, "one denied .json made the store unreadable: \(v.out)")
        #expect(lines.contains { $0.contains(ids[0]) && $0.contains("FAILED") && $0.contains(key) && $0.contains("GetObject") }, "\(v.out)")
        let l = try snap(["list"] + args, env: env)
        #expect(l.out.contains(ids[1]), "\(l.out) \(l.stderr)")
        #expect(l.stderr.contains(key) && l.stderr.contains("AccessDenied"), "\(l.stderr)")

        // A denied PutObject names the object it could not write.
        let fresh = "snap-deny-put-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", fresh], env: moto.environment)
        let put = try AWSProxy(["--no-quota", "--fault-path", "/\(fresh)/\(pool)/[^/]*\\.json:1000:AccessDenied@403"], upstream: moto)
        defer { put.stop() }
        env["AWS_ENDPOINT_URL"] = put.endpoint
        let c = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(fresh)"], env: env)
        #expect(c.status != 0, "stdout: \(c.out) stderr: \(c.stderr)")
        #expect(c.stderr.contains("PutObject") && c.stderr.contains("s3://\(fresh)/\(pool)/") && c.stderr.contains(".json"), "\(c.stderr)")
    }
}
