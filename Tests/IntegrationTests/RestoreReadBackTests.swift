import Foundation
import Testing

/// Check, don't trust: a restore says "restored" only after reading the pool back (its users, disabled
/// users, groups and memberships) and finding exactly the plan. The proxy edits what moto answers, as a
/// pool that lost an acknowledged write or gained one from another writer would look.
@Suite struct RestoreReadBackTests {
    @Test func aPoolThatDiffersFromThePlanAfterTheLastWriteIsNotCalledRestored() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let source = try seedPool(extraUsers: 3, env: env)
        let work = try tempFolder("readback")
        let store = work + "/store"
        let id = try RestoreTests.createID(source, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: source, id: id)
        let users = snapshot.users.count

        // Agreeing: the read-back line, and the pool's counts in --json.
        let agreeing = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
        let ok = try snap(["restore", id, "--user-pool-id", agreeing, "--store", store, "--json"], env: env, cwd: work)
        #expect(ok.status == 0, "\(ok.stderr)")
        let summary = try JSONSerialization.jsonObject(with: ok.stdout) as! [String: Any]
        let readBack = try #require(summary["readBack"] as? [String: Any], "\(summary)")
        let pool = try #require(readBack["pool"] as? [String: Int])
        #expect(pool["users"] == users && pool["disabled"] == snapshot.users.filter { $0["enabled"] as? Bool == false }.count, "\(pool)")
        #expect(pool["groups"] == snapshot.groups.count && pool["memberships"] == snapshot.memberships.count, "\(pool)")
        #expect((readBack["differences"] as? [Any])?.isEmpty == true && summary["ok"] as? Bool == true)
        let text = try snap(
            [
                "restore", id, "--user-pool-id", try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env),
                "--store", store,
            ],
            env: env, cwd: work)
        #expect(text.status == 0 && text.stderr.contains("read back: ") && text.stderr.contains("\(users) users"), "\(text.stderr)")

        // Differing: carol is missing from every listing, and admins shows a member nobody added.
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
        let proxy = try AWSProxy(["--no-quota", "--drop-user", "carol", "--add-member", "admins:intruder"], upstream: moto)
        defer { proxy.stop() }
        var proxied = env
        proxied["AWS_ENDPOINT_URL"] = proxy.endpoint
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store], env: proxied, cwd: work)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(
            r.stderr.contains("read back: every planned write was acknowledged, but \(target) does not hold what was planned"),
            "\(r.stderr)")
        #expect(r.stderr.contains("it holds \(users - 1) users where \(users) were planned"), "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "it holds \(snapshot.memberships.count + 1) group memberships where \(snapshot.memberships.count) were planned"),
            "\(r.stderr)")
        #expect(r.stderr.contains("snap diff \(id) pool:\(target) --map "), "says how to see what differs: \(r.stderr)")
        #expect(!r.out.contains("restored \(id)"), "never says restored: \(r.out)")
        #expect(r.out.contains("the pool differs from the plan"), "\(r.out)")
    }
}
