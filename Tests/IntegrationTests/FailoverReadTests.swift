import Foundation
import Testing

/// A copy that proves damaged halfway through must leave nothing behind: the
/// next store's copy is what cat, diff, create's change summary and restore
/// see, exactly once. The archives are multi-block (megabytes of users, made
/// by tar and zstd), damaged three quarters in, so the old reader had already
/// delivered thousands of lines before it noticed.
@Suite(.serialized) struct FailoverReadTests {
    static let users = 20_000

    struct Stores {
        var work: String
        var damaged: String
        var intact: String
        var ids: [String]
        var pool: String

        var both: [String] { ["--store", damaged, "--store", intact] }

        /// A member of the intact copy, unpacked by zstd and tar.
        func member(_ id: String, _ name: String) throws -> Data {
            let dir = "\(work)/x-\(id)"
            if !FileManager.default.fileExists(atPath: dir) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try untar("\(intact)/\(pool)/\(id).tar.zst", into: dir)
            }
            return try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)"))
        }
    }

    /// Generated snapshots in `intact`, the same in `damaged` with every archive's bytes flipped past its middle.
    static func stores(pool: String, snapshots: Int, env: [String: String]) throws -> Stores {
        let work = try tempFolder("failover")
        let intact = work + "/intact", damaged = work + "/damaged"
        let made = try run(
            "python3",
            [Repo.root + "/scripts/make_read_store.py", intact, pool, "--users", String(users), "--snapshots", String(snapshots)],
            env: env)
        guard made.status == 0 else { throw TestFailure("make_read_store.py failed: \(made.stderr)") }
        let ids = made.out.split(separator: "\n").map(String.init)
        #expect(try run("cp", ["-R", intact, damaged], env: env).status == 0)
        for id in ids {
            let path = "\(damaged)/\(pool)/\(id).tar.zst"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.count > 300_000, "the archive must span many zstd blocks")
            let at = bytes.count * 3 / 4
            for k in at..<(at + 64) { bytes[k] ^= 0x5A }
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        return Stores(work: work, damaged: damaged, intact: intact, ids: ids, pool: pool)
    }

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func catPrintsTheIntactCopyOnce() throws {
        let env = try Moto.shared().environment
        let s = try Self.stores(pool: "us-east-1_Failover1", snapshots: 1, env: env)
        for (member, file) in [("users", "users.jsonl"), ("memberships", "memberships.jsonl"), ("pool", "pool.json")] {
            let r = try snap(["cat", s.ids[0], member, "--user-pool-id", s.pool] + s.both, env: env)
            #expect(r.status == 0, "stderr: \(r.stderr)")
            #expect(r.stdout == (try s.member(s.ids[0], file)), "cat \(member): \(r.stdout.count) bytes")
            #expect(r.stderr.contains("warning") && r.stderr.contains(s.damaged), "stderr: \(r.stderr)")
        }
    }

    @Test func diffSeesEachSideOnce() throws {
        let env = try Moto.shared().environment
        let s = try Self.stores(pool: "us-east-1_Failover2", snapshots: 2, env: env)
        let both = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool] + s.both, env: env)
        let intactOnly = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s.intact], env: env)
        #expect(both.status == 0, "stderr: \(both.stderr)")
        #expect(intactOnly.status == 0, "stderr: \(intactOnly.stderr)")
        #expect(both.out == intactOnly.out)
        let summary = try #require(try Self.lines(intactOnly.out).last)
        let users = try #require(summary["users"] as? [String: Int])
        // make_read_store.py: every 100th user changed, every 250th removed, one added after every 333rd.
        #expect(users["removed"] == (Self.users - 1) / 250)
        #expect(users["added"] == (Self.users - 1) / 333 + 1)
    }

    @Test func restoreReadsOnePoolDocumentAndEveryUserOnce() throws {
        let env = try Moto.shared().environment
        let s = try Self.stores(pool: "us-east-1_Failover3", snapshots: 1, env: env)
        let made = try aws(["cognito-idp", "create-user-pool", "--pool-name", "failover-target", "--region", "us-west-2"], env: env)
        let target = try #require(((made as? [String: Any])?["UserPool"] as? [String: Any])?["Id"] as? String)
        let r = try snap(
            ["restore", s.ids[0], "--source-pool", s.pool, "--user-pool-id", target, "--dry-run", "--json"] + s.both, env: env, cwd: s.work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let plan = try #require((try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])?["plan"] as? [String: Any])
        #expect(plan["users"] as? Int == Self.users)
        #expect(plan["groups"] as? Int == 10)
    }

    @Test func createSummarizesAgainstTheIntactPreviousCopy() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let s = try Self.stores(pool: pool, snapshots: 1, env: env)
        let c = try snap(["create", "--user-pool-id", pool, "--json"] + s.both, env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: c.stdout) as? [String: Any])?["id"] as? String)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(s.intact)/\(pool)/\(id).json")))
            as! [String: Any]
        #expect((manifest["warnings"] as? [String] ?? []).allSatisfy { !$0.contains("could not compare") }, "\(manifest)")
        let changes = try #require(manifest["changes"] as? [String: Any])
        let users = try #require(changes["users"] as? [String: Int])
        let counts = try #require(manifest["counts"] as? [String: Int])
        // No live username is one of the generated ones: every previous user is removed, every live one added, once.
        #expect(users["removed"] == Self.users, "\(changes)")
        #expect(users["added"] == counts["users"], "\(changes)")
        let memberships = try #require(changes["memberships"] as? [String: Int])
        #expect(memberships["removed"] == Self.users / 50, "\(changes)")
    }
}
