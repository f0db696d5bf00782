import Foundation
import Testing

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
}
