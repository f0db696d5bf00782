import Foundation
import Testing

/// Issue 19, items 4, 5 and 13: a copy whose checksums all match its `.json`
/// may still break the format's rules. `verify` (and every reader: restore's
/// checks read through the same reader) proves them and names the record.
/// Each snapshot here is rewritten by scripts/tamper_snapshot.py, which sets
/// every checksum to match the edited bytes.
@Suite struct SnapshotConsistencyTests {
    /// A pool's snapshot in a fresh local store: (pool, store, id).
    func snapshot(_ label: String, env: [String: String]) throws -> (pool: String, store: String, id: String) {
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder(label) + "/store"
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        return (pool, store, c.out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func tamper(_ store: String, _ pool: String, _ id: String, _ edits: [String]) throws {
        let r = try run(
            "python3", [Repo.root + "/scripts/tamper_snapshot.py", "\(store)/\(pool)", id] + edits, env: ProcessInfo.processInfo.environment
        )
        guard r.status == 0 else { throw TestFailure("tamper_snapshot.py failed: \(r.stderr)") }
    }

    /// Item 4: a membership naming a user (or a group) the snapshot lacks.
    /// verify and `restore --dry-run` used to pass it; restore then ended
    /// "memberships: 14/15", never naming the record.
    @Test func aMembershipOfAnAbsentUserOrGroupIsNamed() throws {
        let env = try Moto.shared().environment
        let (pool, store, id) = try snapshot("ghost", env: env)
        try tamper(store, pool, id, ["--insert", "memberships.jsonl", #"{"group":"admins","username":"zz-ghost"}"#])
        let v = try snap(["verify", id, "--user-pool-id", pool, "--store", store], env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.out.contains("memberships.jsonl") && v.out.contains("zz-ghost") && v.out.contains("users.jsonl"), "\(v.out)")
        #expect(v.out.contains("line 2"), "the membership's line is named: \(v.out)")

        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
        let d = try snap(
            ["restore", id, "--source-pool", pool, "--user-pool-id", target, "--store", store, "--dry-run"], env: env,
            cwd: try tempFolder("ghost-restore"))
        #expect(d.status != 0, "restore --dry-run passed a snapshot with a dangling membership: \(d.stderr)")
        #expect(d.stderr.contains("zz-ghost"), "\(d.stderr)")

        let (pool2, store2, id2) = try snapshot("ghost-group", env: env)
        try tamper(store2, pool2, id2, ["--insert", "memberships.jsonl", #"{"group":"no-such-group","username":"alice"}"#])
        let g = try snap(["verify", id2, "--user-pool-id", pool2, "--store", store2], env: env)
        #expect(g.status == 1, "stdout: \(g.out) stderr: \(g.stderr)")
        #expect(g.out.contains("no-such-group") && g.out.contains("groups.jsonl"), "\(g.out)")
    }

    /// Item 5: a manifest whose counts lie (999 users for 5) passed verify,
    /// and list printed the lie.
    @Test func countsThatDisagreeWithTheMembersAreDamage() throws {
        let env = try Moto.shared().environment
        let (pool, store, id) = try snapshot("counts", env: env)
        try tamper(store, pool, id, ["--counts", "users=999"])
        let v = try snap(["verify", id, "--user-pool-id", pool, "--store", store], env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.out.contains("counts") && v.out.contains("999"), "\(v.out)")
        let l = try snap(["list", "--user-pool-id", pool, "--store", store], env: env)
        #expect(l.stderr.contains("999") && l.stderr.contains("counts"), "list prints the lie without a word: \(l.out) \(l.stderr)")
    }

    /// Item 13: a field of the wrong type (`"precedence":"0"`) passed verify,
    /// and restore dropped it silently.
    @Test func aFieldOfTheWrongTypeIsNamed() throws {
        let env = try Moto.shared().environment
        let (pool, store, id) = try snapshot("types", env: env)
        try tamper(store, pool, id, ["--set", "groups.jsonl", "admins", "precedence", #""0""#])
        let v = try snap(["verify", id, "--user-pool-id", pool, "--store", store], env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.out.contains("groups.jsonl") && v.out.contains("line 1") && v.out.contains("precedence"), "\(v.out)")

        let (pool2, store2, id2) = try snapshot("types-user", env: env)
        try tamper(store2, pool2, id2, ["--set", "users.jsonl", "bob", "enabled", #""false""#])
        let u = try snap(["verify", id2, "--user-pool-id", pool2, "--store", store2], env: env)
        #expect(u.status == 1, "stdout: \(u.out) stderr: \(u.stderr)")
        #expect(u.out.contains("users.jsonl") && u.out.contains("line 2") && u.out.contains("enabled"), "\(u.out)")
    }
}
