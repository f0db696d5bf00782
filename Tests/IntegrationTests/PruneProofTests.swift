import Foundation
import Testing

/// Issue 19, items 6 and 11: prune removes a snapshot only on proof, and
/// its summary says what it did, not what it meant to do.
@Suite(.serialized) struct PruneProofTests {
    func created(_ args: [String], env: [String: String]) throws -> String {
        let c = try snap(["create"] + args, env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        Thread.sleep(forTimeInterval: 1.1)  // distinct seconds in the IDs
        return c.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func snapshots(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Item 6: the kept newest copy is damaged, but its `.json` describes the
    /// damaged bytes (every checksum updated). Prune used to check only the
    /// archive digest against the `.json`, and removed the older, intact one.
    @Test func aKeptCopyIsVerifiedFullyBeforeWhatItReplacesGoes() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("prune-proof") + "/store"
        let args = ["--user-pool-id", pool, "--store", store]
        let old = try created(args, env: env)
        let new = try created(args, env: env)
        let r = try run(
            "python3", [Repo.root + "/scripts/tamper_snapshot.py", "\(store)/\(pool)", new, "--raw-line", "users.jsonl", "not json"],
            env: ProcessInfo.processInfo.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let p = try snap(["prune", "--keep-last", "1"] + args, env: env)
        #expect(try snapshots("\(store)/\(pool)") == [old, new], "prune removed the only intact copy: \(p.out) \(p.stderr)")
        #expect(p.stderr.contains("keeping \(old)") && p.stderr.contains("\(new) is damaged"), "\(p.stderr)")
        #expect(p.stderr.contains("users.jsonl") && p.stderr.contains("line 6"), "the damage is named: \(p.stderr)")
    }

    /// Item 11: DeleteObject denied on archives. Prune removed one `.json`,
    /// stopped, and said "removed 2 of 3 snapshot(s)"; the error named no key.
    @Test func aFailedDeleteIsCountedAndNamed() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let bucket = "snap-prune-deny-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: moto.environment)
        let args = ["--user-pool-id", pool, "--store", "s3://\(bucket)"]
        let ids = try (0..<3).map { _ in try created(args, env: moto.environment) }
        // Every DELETE of the two old archives is refused, as a bucket policy denying s3:DeleteObject on them would.
        let proxy = try AWSProxy(
            ["--no-quota", "--fault-path", "DELETE (\(ids[0])|\(ids[1]))\\.tar\\.zst:100:AccessDenied@403"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let p = try snap(["prune", "--keep-last", "1"] + args, env: env)
        #expect(p.status == 1, "stdout: \(p.out) stderr: \(p.stderr)")
        #expect(!p.stderr.contains("removed 2 of 3"), "a false summary: \(p.stderr)")
        #expect(p.stderr.contains("removed 1 of 3"), "\(p.stderr)")
        // Newest first: ids[1] goes first, its `.json` removed and its archive refused.
        let key = "s3://\(bucket)/\(pool)/\(ids[1]).tar.zst"
        #expect(p.stderr.contains("DeleteObject") && p.stderr.contains(key), "the error names the bucket and key: \(p.stderr)")
        #expect(p.stderr.contains("left"), "what was left half-removed is said: \(p.stderr)")
        let listed = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: moto.environment) as! [String: Any]
        let keys = ((listed["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }
        #expect(!keys.contains("\(pool)/\(ids[1]).json") && keys.contains("\(pool)/\(ids[1]).tar.zst"), "\(keys)")
        #expect(keys.contains("\(pool)/\(ids[0]).json"), "prune went on after a failed delete: \(keys)")
    }

    /// Item 6's other side: a kept copy that cannot be read (GetObject denied)
    /// is no verdict on the copy. The store fails, naming the object, and
    /// nothing is removed there; it is neither "damaged" nor taken as intact.
    @Test func aKeptCopyThatCannotBeReadStopsThatStore() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let bucket = "snap-prune-unread-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: moto.environment)
        let args = ["--user-pool-id", pool, "--store", "s3://\(bucket)"]
        let ids = try (0..<2).map { _ in try created(args, env: moto.environment) }
        let proxy = try AWSProxy(["--no-quota", "--fault-path", "GET \(ids[1])\\.tar\\.zst:1000:AccessDenied@403"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let p = try snap(["prune", "--keep-last", "1"] + args, env: env)
        #expect(p.status == 1, "stdout: \(p.out) stderr: \(p.stderr)")
        #expect(p.stderr.contains("GetObject") && p.stderr.contains("s3://\(bucket)/\(pool)/\(ids[1]).tar.zst"), "\(p.stderr)")
        #expect(!p.stderr.contains("is damaged"), "an unreadable copy called damaged: \(p.stderr)")
        let listed = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: moto.environment) as! [String: Any]
        let keys = ((listed["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }
        #expect(keys.contains("\(pool)/\(ids[0]).json"), "removed while the kept copy was unproven: \(keys)")
    }
}
