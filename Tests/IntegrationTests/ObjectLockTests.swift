import Foundation
import Testing

/// Immutable snapshots (issue 13, item 3): `--object-lock` writes archive and
/// `.json` with S3 Object Lock retention; verify reports it; prune keeps what
/// is retained and names the date. Against moto, which enforces Object Lock.
@Suite(.serialized) struct ObjectLockTests {
    @Test func retainedSnapshotsAreWrittenReportedAndNeverPruned() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 2, env: env)
        let locked = "snap-lock-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", locked, "--object-lock-enabled-for-bucket"], env: env)
        let common = ["--user-pool-id", pool, "--store", "s3://\(locked)"]

        let before = Date()
        let first = try snap(["create", "--object-lock", "governance:3"] + common, env: env)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let id = first.out.trimmingCharacters(in: .whitespacesAndNewlines)
        for key in ["\(pool)/\(id).tar.zst", "\(pool)/\(id).json"] {
            let head = try aws(["s3api", "head-object", "--bucket", locked, "--key", key], env: env) as! [String: Any]
            #expect(head["ObjectLockMode"] as? String == "GOVERNANCE", "\(key): \(head)")
            let until = try #require(head["ObjectLockRetainUntilDate"] as? String)
            let date = try #require(ISO8601DateFormatter().date(from: String(until.prefix(19)) + "Z"))
            #expect(abs(date.timeIntervalSince(before) - 3 * 86_400) < 600, "\(until)")
        }

        let v = try snap(["verify"] + common, env: env)
        #expect(v.status == 0, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.out.contains("\(id)  retained: governance Object Lock until"), "\(v.out)")

        // Two more snapshots without a lock; keep only the newest: the retained one stays and is named.
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try snap(["create"] + common, env: env).status == 0)
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try snap(["create"] + common, env: env).status == 0)
        let p = try snap(["prune", "--keep-last", "1", "--json"] + common, env: env)
        #expect(p.status == 0, "stdout: \(p.out) stderr: \(p.stderr)")
        #expect(p.stderr.contains("keeping \(id)") && p.stderr.contains("Object Lock retention until"), "stderr: \(p.stderr)")
        let rows = try JSONSerialization.jsonObject(with: p.stdout) as! [[String: Any]]
        let row = try #require(rows.first { $0["id"] as? String == id })
        #expect((row["retainedIn"] as? [[String: Any]])?.first?["store"] as? String == "s3://\(locked)")
        let l = try snap(["list", "--json"] + common, env: env)
        let ids = (try JSONSerialization.jsonObject(with: l.stdout) as! [[String: Any]]).map { $0["id"] as! String }
        #expect(ids.count == 2 && ids.first == id, "the retained snapshot and the newest remain: \(ids)")

        // Per store in snap.toml, and a malformed setting is named.
        let work = try tempFolder("lockcfg")
        try "user_pool_id = \"\(pool)\"\n[[store]]\nurl = \"s3://\(locked)\"\nobject_lock = \"compliance:1\"\n".write(
            toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let c = try snap(["create"], env: env, cwd: work)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let cid = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = try aws(["s3api", "head-object", "--bucket", locked, "--key", "\(pool)/\(cid).tar.zst"], env: env) as! [String: Any]
        #expect(head["ObjectLockMode"] as? String == "COMPLIANCE", "\(head)")
        try "user_pool_id = \"\(pool)\"\n[[store]]\nurl = \"s3://\(locked)\"\nobject_lock = \"forever\"\n".write(
            toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let bad = try snap(["list"], env: env, cwd: work)
        #expect(bad.status != 0 && bad.stderr.contains("snap.toml:4") && bad.stderr.contains("governance:DAYS"), "stderr: \(bad.stderr)")
        let badFlag = try snap(["create", "--object-lock", "governance"] + common, env: env)
        #expect(badFlag.status == 64, "stderr: \(badFlag.stderr)")
    }
}
