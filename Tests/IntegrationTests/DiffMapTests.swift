import Foundation
import Testing

/// Issue 19, item 18: after a restore into a pool that signs in by email,
/// `snap diff SNAP pool:NEW --ignore attributes.sub` showed every user removed
/// and added, because the pool made new usernames. `--map SUBMAP` compares
/// the pool's users under their snapshot names and subs.
@Suite struct DiffMapTests {
    @Test func aRestoreIntoAnEmailPoolDiffsEmptyThroughItsSubMap() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 0, env: env, spec: RestoreTests.emailSpec)
        let work = try tempFolder("diff-map")
        let store = work + "/store"
        let id = try RestoreTests.createID(source, store: store, env: env)
        let target = try RestoreTests.emptyPool(like: RestoreTests.emailSpec, region: "us-east-1", env: env)
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let map = "\(work)/restore-\(id)-\(target).submap.jsonl"
        // The target is another pool (its own name): its settings are left out, the records compared.
        let args = ["diff", id, "pool:\(target)", "--user-pool-id", source, "--store", store, "--ignore", "pool"]

        // Without the map, every user looks removed and added.
        let raw = try snap(args + ["--ignore", "attributes.sub", "--stat"], env: env)
        #expect(!raw.out.contains("users +0 -0 ~0"), "\(raw.out) \(raw.stderr)")

        let mapped = try snap(args + ["--map", map, "--exit-code"], env: env)
        #expect(mapped.status == 0, "\(mapped.out) \(mapped.stderr)")
        #expect(mapped.out.contains("users +0 -0 ~0, groups +0 -0 ~0, memberships +0 -0"), "\(mapped.out)")

        // A user deleted from the restored pool shows under its snapshot name.
        let first = try jsonLines(map).first!
        let gone = (first["targetUsername"] as? String) ?? (first["username"] as! String)
        _ = try aws(["cognito-idp", "admin-delete-user", "--user-pool-id", target, "--username", gone], env: env)
        let after = try snap(args + ["--map", map, "--exit-code"], env: env)
        #expect(after.status == 1, "\(after.out) \(after.stderr)")
        #expect(after.out.contains("- user \(first["username"] as! String)"), "\(after.out)")

        // The map belongs to a live NEW side.
        let stored = try snap(["diff", id, id, "--user-pool-id", source, "--store", store, "--map", map], env: env)
        #expect(stored.status == 64 && stored.stderr.contains("--map"), "\(stored.stderr)")
        let bad = work + "/bad.jsonl"
        try "not json\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let broken = try snap(args + ["--map", bad], env: env)
        #expect(broken.status == 1 && broken.stderr.contains(bad) && broken.stderr.contains("line 1"), "\(broken.stderr)")
    }
}
