import Foundation
import Testing

@testable import SnapCore

/// `snap prune` on a local store and an S3 store: policy, dry run, debris,
/// refusal of an empty policy, and the config file's [prune] table.
@Suite struct PruneTests {
    @Test func pruneKeepsByPolicyAndClearsDebris() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let work = try tempFolder("prune")
        let store = work + "/store"
        var ids: [String] = []
        for i in 0..<4 {
            if i == 2 { _ = try aws(["cognito-idp", "admin-disable-user", "--user-pool-id", pool, "--username", "alice"], env: env) }
            let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
            #expect(c.status == 0, "stderr: \(c.stderr)")
            ids.append(c.out.trimmingCharacters(in: .whitespacesAndNewlines))
            Thread.sleep(forTimeInterval: 1.1)  // distinct seconds in the IDs
        }
        // Debris: an old archive without a manifest, and a fresh one (inside the grace period).
        let folder = "\(store)/\(pool)"
        let orphan = "\(folder)/20200101T000000Z-00000000.tar.zst"
        #expect(FileManager.default.createFile(atPath: orphan, contents: Data("x".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3 * 86_400)], ofItemAtPath: orphan)
        let fresh = "\(folder)/20200102T000000Z-00000000.tar.zst"
        #expect(FileManager.default.createFile(atPath: fresh, contents: Data("x".utf8)))

        let empty = try snap(["prune", "--user-pool-id", pool, "--store", store], env: env)
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("no retention policy"))

        let dry = try snap(["prune", "--keep-last", "1", "--dry-run", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        let rows = try JSONSerialization.jsonObject(with: dry.stdout) as! [[String: Any]]
        #expect(rows.map { $0["keep"] as! Bool } == [false, false, false, true])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.count == 4)

        // --drop-unchanged: snapshots 1 and 3 equal their predecessors; the newest (3) stays.
        let drop = try snap(["prune", "--keep-last", "4", "--drop-unchanged", "--user-pool-id", pool, "--store", store], env: env)
        #expect(drop.status == 0, "stderr: \(drop.stderr)")
        #expect(drop.out.contains("remove \(pool)/\(ids[1])  unchanged"), "\(drop.out)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left.filter { $0.hasSuffix(".json") } == [ids[0], ids[2], ids[3]].map { "\($0).json" })
        #expect(!left.contains("\(ids[1]).tar.zst"))
        #expect(!FileManager.default.fileExists(atPath: orphan), "old debris kept")
        #expect(FileManager.default.fileExists(atPath: fresh), "debris inside the grace period removed")

        // The policy from snap.toml, as cron runs it.
        try "user_pool_id = \"\(pool)\"\n[[store]]\nurl = \"\(store)\"\n[prune]\nkeep_last = 1\n".write(
            toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let cron = try snap(["prune"], env: env, cwd: work)
        #expect(cron.status == 0, "stderr: \(cron.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") } == ["\(ids[3]).json"])
        let verify = try snap(["verify"], env: env, cwd: work)
        #expect(verify.status == 0, "\(verify.out) \(verify.stderr)")
    }

    @Test func pruneAppliesToEveryStore() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let bucket = "snap-prune-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: env)
        let local = try tempFolder("prune2") + "/store"
        let stores = ["--store", "s3://\(bucket)", "--store", local]
        for _ in 0..<3 {
            let c = try snap(["create", "--user-pool-id", pool] + stores, env: env)
            #expect(c.status == 0, "stderr: \(c.stderr)")
            Thread.sleep(forTimeInterval: 1.1)
        }
        let p = try snap(["prune", "--keep-last", "2", "--user-pool-id", pool] + stores, env: env)
        #expect(p.status == 0, "stderr: \(p.stderr)")
        let list =
            try JSONSerialization.jsonObject(with: try snap(["list", "--user-pool-id", pool, "--json"] + stores, env: env).stdout)
            as! [[String: Any]]
        #expect(list.count == 2)
        #expect(list.allSatisfy { ($0["stores"] as! [String]).count == 2 })
    }

    /// A copy of snapshot `id` in `folder` under `newId`, as if taken then:
    /// the same members (so the same state), its manifest saying `newId`, so
    /// the copy is intact under full verification (prune verifies kept copies).
    func fabricate(_ folder: String, from id: String, as newId: String) throws {
        let r = try run(
            "python3", [Repo.root + "/scripts/tamper_snapshot.py", folder, id, "--as", newId], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("tamper_snapshot.py --as failed: \(r.stderr)") }
    }

    func snapshots(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Issue 7, item 4: a store that missed recent creates keeps its snapshots
    /// until it holds intact copies of the kept ones that replace them.
    @Test func aStoreThatMissedRecentCreatesKeepsItsSnapshots() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let work = try tempFolder("prune-gap")
        let a = work + "/a", b = work + "/b"
        var ids: [String] = []
        for i in 0..<5 {
            let stores = i < 3 ? ["--store", a, "--store", b] : ["--store", a]
            let c = try snap(["create", "--user-pool-id", pool] + stores, env: env)
            #expect(c.status == 0, "stderr: \(c.stderr)")
            ids.append(c.out.trimmingCharacters(in: .whitespacesAndNewlines))
            Thread.sleep(forTimeInterval: 1.1)
        }
        let both = ["--store", a, "--store", b]
        let first = try snap(["prune", "--keep-last", "2", "--user-pool-id", pool] + both, env: env)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(try snapshots("\(a)/\(pool)") == [ids[3], ids[4]])
        #expect(try snapshots("\(b)/\(pool)") == [ids[0], ids[1], ids[2]], "b lost snapshots it had no replacement for")
        #expect(first.stderr.contains("store \(b): keeping \(ids[2])") && first.stderr.contains("\(ids[4]) is missing"), "\(first.stderr)")

        // b gets the kept ones, but one of them damaged: still kept.
        for id in [ids[3], ids[4]] {
            for ext in ["json", "tar.zst"] {
                try FileManager.default.copyItem(atPath: "\(a)/\(pool)/\(id).\(ext)", toPath: "\(b)/\(pool)/\(id).\(ext)")
            }
        }
        let damaged = "\(b)/\(pool)/\(ids[3]).tar.zst"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let second = try snap(["prune", "--keep-last", "2", "--user-pool-id", pool] + both, env: env)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try snapshots("\(b)/\(pool)") == ids, "b removed snapshots while a kept copy there is damaged")
        #expect(second.stderr.contains("\(ids[3]) is damaged"), "\(second.stderr)")

        // Repaired: now b follows the policy.
        try FileManager.default.removeItem(atPath: damaged)
        try FileManager.default.copyItem(atPath: "\(a)/\(pool)/\(ids[3]).tar.zst", toPath: damaged)
        let third = try snap(["prune", "--keep-last", "2", "--user-pool-id", pool] + both, env: env)
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(try snapshots("\(b)/\(pool)") == [ids[3], ids[4]])
    }

    /// Issue 7, item 3, end to end: thirty quiet days, then one change.
    /// `--keep-daily 7 --drop-unchanged` keeps the old state (its oldest kept
    /// copy) as well as the new one.
    @Test func dropUnchangedKeepsTheLastKeptCopyOfAnOldState() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("prune-quiet") + "/store"
        let folder = "\(store)/\(pool)"
        let old = try snap(["create", "--user-pool-id", pool, "--store", store], env: env).out.trimmingCharacters(
            in: .whitespacesAndNewlines)
        _ = try aws(["cognito-idp", "admin-disable-user", "--user-pool-id", pool, "--username", "alice"], env: env)
        Thread.sleep(forTimeInterval: 1.1)
        let new = try snap(["create", "--user-pool-id", pool, "--store", store], env: env).out.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let days = (1...30).map { String(format: "202610%02dT010000Z-000000%02x", $0, $0) }
        for d in days { try fabricate(folder, from: old, as: d) }
        let changed = "20261031T010000Z-000000ff"
        try fabricate(folder, from: new, as: changed)
        for id in [old, new] {
            for ext in ["json", "tar.zst"] { try FileManager.default.removeItem(atPath: "\(folder)/\(id).\(ext)") }
        }
        let p = try snap(["prune", "--keep-daily", "7", "--drop-unchanged", "--user-pool-id", pool, "--store", store], env: env)
        #expect(p.status == 0, "stderr: \(p.stderr)")
        #expect(try snapshots(folder) == [days[24], changed], "\(p.out)")
        #expect(p.out.contains("remove \(pool)/\(days[25])  unchanged since \(days[24])"), "\(p.out)")
    }

    /// Prune's exit codes: 0 only when every store was read; 3 when some were
    /// (a line per failed store, naming it and the reason); 1 when none; 4
    /// when a live snap holds a store's lock. An unreadable store is never
    /// taken for an empty one.
    @Test func exitCodesWhenStoresFailOrAreLocked() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let bucket = "snap-prune-x-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: env)
        let local = try tempFolder("prune-exit") + "/store"
        for _ in 0..<2 {
            let c = try snap(["create", "--user-pool-id", pool, "--store", local, "--store", "s3://\(bucket)"], env: env)
            #expect(c.status == 0, "stderr: \(c.stderr)")
            Thread.sleep(forTimeInterval: 1.1)
        }
        let missing = "s3://snap-missing-\(UUID().uuidString.prefix(8).lowercased())"
        let policy = ["prune", "--keep-last", "5", "--user-pool-id", pool]

        let partial = try snap(policy + ["--store", local, "--store", missing], env: env)
        #expect(partial.status == 3, "stderr: \(partial.stderr)")
        #expect(partial.stderr.contains("store \(missing)") && partial.stderr.contains("does not exist"), "\(partial.stderr)")
        let none = try snap(policy + ["--store", missing], env: env)
        #expect(none.status == 1, "stderr: \(none.stderr)")

        var wrongKey = env
        wrongKey["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let signature = try snap(policy + ["--store", local, "--store", "s3://\(bucket)"], env: wrongKey)
        #expect(signature.status == 3, "stderr: \(signature.stderr)")
        #expect(signature.stderr.contains("store s3://\(bucket)") && signature.stderr.contains("Signature"), "\(signature.stderr)")

        // A live holder (this test process, this host and boot): exit 4, nothing removed.
        let me = LockOwner.current()
        try LockRecord(
            owner: LockOwner(host: me.host, bootId: me.bootId, pid: getpid(), nonce: "test", started: me.started),
            expires: Date(timeIntervalSinceNow: 600)
        ).data.write(to: URL(fileURLWithPath: "\(local)/\(pool)/lock"))
        let locked = try snap(
            ["prune", "--keep-last", "1", "--user-pool-id", pool, "--store", "s3://\(bucket)", "--store", local], env: env)
        #expect(locked.status == 4, "stderr: \(locked.stderr)")
        #expect(try snapshots("\(local)/\(pool)").count == 2)
        let listed = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: env) as! [String: Any]
        #expect(((listed["Contents"] as? [[String: Any]]) ?? []).filter { ($0["Key"] as! String).hasSuffix(".json") }.count == 2)
        #expect(
            ((listed["Contents"] as? [[String: Any]]) ?? []).allSatisfy { ($0["Key"] as! String) != "\(pool)/lock" }, "prune left its lock")
    }
}
