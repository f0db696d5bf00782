import Foundation
import Testing

/// `snap restore` against moto with signatures on; the restored pool is read
/// back with the AWS CLI and compared with the snapshot as unpacked by zstd and tar.
@Suite(.serialized) struct RestoreTests {
    // MARK: Helpers

    /// A snapshot's members, unpacked with the standard tools.
    struct Unpacked {
        var users: [[String: Any]]
        var groups: [[String: Any]]
        var memberships: [[String]]
    }

    static func unpack(store: String, pool: String, id: String) throws -> Unpacked {
        let dir = try tempFolder("unpack")
        try untar("\(store)/\(pool)/\(id).tar.zst", into: dir)
        return Unpacked(
            users: try jsonLines(dir + "/users.jsonl"), groups: try jsonLines(dir + "/groups.jsonl"),
            memberships: try jsonLines(dir + "/memberships.jsonl").map { [$0["group"] as! String, $0["username"] as! String] })
    }

    /// An empty pool configured like `spec`'s pool (same schema and sign-in), in `region`.
    static func emptyPool(like spec: String, region: String, env: [String: String], dropSchema: Bool = false) throws -> String {
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: spec))) as! [String: Any]
        var pool = doc["pool"] as! [String: Any]
        pool["PoolName"] = "restore-target"
        if dropSchema { pool["Schema"] = nil }
        doc = ["pool": pool]
        let file = try tempFolder("spec") + "/spec.json"
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: file))
        let r = try run("python3", [Repo.root + "/scripts/seed_pool.py", file, "--region", region], env: env)
        guard r.status == 0 else { throw TestFailure("creating the target pool failed: \(r.stderr)") }
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func cli(_ args: [String], region: String, env: [String: String]) throws -> [String: Any] {
        try aws(["cognito-idp"] + args + ["--region", region], env: env) as! [String: Any]
    }

    static func attributes(_ u: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for a in (u["Attributes"] ?? u["UserAttributes"]) as? [[String: Any]] ?? [] { out[a["Name"] as! String] = a["Value"] as? String }
        return out
    }

    /// The AWS CLI's view of `pool` equals the snapshot: users (attributes but sub, enabled,
    /// status), groups with their fields, memberships; and the sub map links both. With
    /// `bySignIn`, users are matched by email (the target made up UUID usernames).
    static func expectPool(
        _ pool: String, region: String, equals snap: Unpacked, subMap: String, env: [String: String], bySignIn: Bool = false,
        sourceSubs: [String: String]? = nil
    ) throws {
        let users = try cli(["list-users", "--user-pool-id", pool], region: region, env: env)["Users"] as! [[String: Any]]
        #expect(users.count == snap.users.count, "users in \(pool)")
        let key: ([String: Any], Bool) -> String = { u, isTarget in
            if bySignIn { return attributes(u)["email"] ?? (isTarget ? u["Username"] as! String : u["username"] as! String) }
            return isTarget ? u["Username"] as! String : u["username"] as! String
        }
        let targetBy = Dictionary(uniqueKeysWithValues: users.map { (key($0, true), $0) })
        var targetName: [String: String] = [:]  // snapshot username -> target username
        for s in snap.users {
            let sAttrs = s["attributes"] as! [String: String]
            let k = bySignIn ? sAttrs["email"]! : s["username"] as! String
            guard let t = targetBy[k] else {
                Issue.record("user \(k) of the snapshot is not in \(pool)")
                continue
            }
            targetName[s["username"] as! String] = t["Username"] as? String
            var want = sAttrs
            want["sub"] = nil
            var got = attributes(t)
            got["sub"] = nil
            #expect(got == want, "attributes of \(k)")
            #expect(t["Enabled"] as? Bool == s["enabled"] as? Bool, "enabled of \(k)")
            let status = s["status"] as! String
            #expect(t["UserStatus"] as? String == (status == "CONFIRMED" ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD"), "status of \(k)")
            if bySignIn { #expect(t["Username"] as? String != s["username"] as? String) }
        }

        let groups = try cli(["list-groups", "--user-pool-id", pool], region: region, env: env)["Groups"] as! [[String: Any]]
        #expect(Set(groups.map { $0["GroupName"] as! String }) == Set(snap.groups.map { $0["name"] as! String }))
        var memberships: [[String]] = []
        for g in groups {
            let name = g["GroupName"] as! String
            let s = try #require(snap.groups.first { $0["name"] as? String == name })
            #expect((g["Description"] as? String ?? "") == (s["description"] as? String ?? ""), "description of \(name)")
            #expect(g["Precedence"] as? Int == s["precedence"] as? Int, "precedence of \(name)")
            #expect(g["RoleArn"] as? String == s["roleArn"] as? String, "role ARN of \(name)")
            let members =
                try cli(["list-users-in-group", "--user-pool-id", pool, "--group-name", name], region: region, env: env)["Users"]
                as! [[String: Any]]
            memberships += members.map { [name, $0["Username"] as! String] }
        }
        #expect(memberships.count == snap.memberships.count)
        #expect(Set(memberships) == Set(snap.memberships.map { [$0[0], targetName[$0[1]] ?? "?"] }))

        // The sub map: every user, old sub from the snapshot (and the source pool), new sub from the target.
        let lines = try jsonLines(subMap)
        #expect(lines.count == snap.users.count)
        let subs = Dictionary(uniqueKeysWithValues: users.map { ($0["Username"] as! String, attributes($0)["sub"]!) })
        for s in snap.users {
            let name = s["username"] as! String
            guard let line = lines.first(where: { $0["username"] as? String == name }) else {
                Issue.record("sub map has no line for \(name)")
                continue
            }
            let oldSub = (s["attributes"] as! [String: String])["sub"]
            #expect(line["oldSub"] as? String == oldSub)
            if let sourceSubs, let live = sourceSubs[name] { #expect(live == oldSub) }
            #expect(line["newSub"] as? String == subs[targetName[name] ?? ""], "new sub of \(name)")
        }
    }

    static func subsOf(_ pool: String, env: [String: String]) throws -> [String: String] {
        let users =
            try cli(["list-users", "--user-pool-id", pool], region: String(pool.prefix { $0 != "_" }), env: env)["Users"]
            as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: users.map { ($0["Username"] as! String, attributes($0)["sub"]!) })
    }

    static func createID(_ pool: String, store: String, env: [String: String]) throws -> String {
        let r = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        guard r.status == 0 else { throw TestFailure("snap create failed: \(r.stderr)") }
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let demo = Repo.root + "/fixtures/demo/pool.json"
    static let emailSpec = Repo.root + "/fixtures/demo/email-pool.json"

    // MARK: Tests

    @Test func olderSnapshotRestoresIntoANewPoolInAnotherRegionFromASecondStore() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 150, env: env)
        let work = try tempFolder("restore")
        let store = work + "/store"
        let older = try Self.createID(source, store: store, env: env)

        // Change the pool, snapshot again: the restore must bring back the OLDER state.
        _ = try aws(["cognito-idp", "admin-delete-user", "--user-pool-id", source, "--username", "carol"], env: env)
        _ = try aws(
            ["cognito-idp", "admin-create-user", "--user-pool-id", source, "--username", "newcomer", "--message-action", "SUPPRESS"],
            env: env)
        _ = try aws(["cognito-idp", "update-group", "--user-pool-id", source, "--group-name", "support", "--precedence", "99"], env: env)
        _ = try aws(
            ["cognito-idp", "admin-remove-user-from-group", "--user-pool-id", source, "--username", "alice", "--group-name", "admins"],
            env: env)
        let newer = try Self.createID(source, store: store, env: env)
        #expect(newer != older)

        // Only a second store folder holds it here.
        let store2 = work + "/store2"
        #expect(try run("cp", ["-R", store, store2], env: env).status == 0)
        let target = try Self.emptyPool(like: Self.demo, region: "eu-west-1", env: env)
        #expect(target.hasPrefix("eu-west-1_"))
        let subMap = work + "/map.jsonl"
        let r = try snap(
            ["restore", String(older.prefix(20)), "--user-pool-id", target, "--store", store2, "--sub-map", subMap, "--json"], env: env,
            cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(summary["snapshot"] as? String == older)
        #expect(summary["sourcePool"] as? String == source)
        #expect(summary["ok"] as? Bool == true)
        let counts = summary["counts"] as! [String: [String: Int]]
        #expect(counts["users"]?["written"] == 155 && counts["users"]?["failed"] == 0)
        #expect(counts["groups"]?["written"] == 4)
        #expect(summary["subMap"] as? String == subMap)
        #expect(FileManager.default.fileExists(atPath: work + "/restore-\(older)-\(target).journal.jsonl"))

        let snapOlder = try Self.unpack(store: store, pool: source, id: older)
        #expect(snapOlder.users.contains { $0["username"] as? String == "carol" })
        #expect(snapOlder.users.contains { $0["enabled"] as? Bool == false })
        try Self.expectPool(
            target, region: "eu-west-1", equals: snapOlder, subMap: subMap, env: env, sourceSubs: try Self.subsOf(source, env: env))
        // The source pool's current state is untouched by all this.
        #expect(try Self.subsOf(source, env: env)["newcomer"] != nil)
    }

    @Test func aPoolThatSignsInByEmailRestoresIntoOneConfiguredTheSame() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 0, env: env, spec: Self.emailSpec)
        let work = try tempFolder("restore-email")
        let store = work + "/store"
        let id = try Self.createID(source, store: store, env: env)
        let snapshot = try Self.unpack(store: store, pool: source, id: id)
        #expect(snapshot.users.allSatisfy { ($0["username"] as! String).count == 36 })  // UUIDs

        let target = try Self.emptyPool(like: Self.emailSpec, region: "eu-west-1", env: env)
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("sub map: \(work)/restore-\(id)-\(target).submap.jsonl"))
        try Self.expectPool(
            target, region: "eu-west-1", equals: snapshot, subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env, bySignIn: true)
    }

    @Test func refusesANonEmptyPoolOrAMissingCustomAttributeAndWritesNothing() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 10, env: env)
        let work = try tempFolder("restore-refuse")
        let store = work + "/store"
        let id = try Self.createID(source, store: store, env: env)

        // Not empty and without custom:tier: both problems listed, nothing written.
        let target = try Self.emptyPool(like: Self.demo, region: "us-west-2", env: env, dropSchema: true)
        _ = try aws(
            [
                "cognito-idp", "admin-create-user", "--user-pool-id", target, "--username", "squatter", "--message-action", "SUPPRESS",
                "--region", "us-west-2",
            ], env: env)
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store], env: env, cwd: work)
        #expect(r.status == 1)
        #expect(r.stderr.contains("2 problem(s); nothing was written"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("is not empty: it holds users (\"squatter\")"))
        #expect(r.stderr.contains("custom attribute custom:tier"))
        let after = try Self.cli(["list-users", "--user-pool-id", target], region: "us-west-2", env: env)["Users"] as! [[String: Any]]
        #expect(after.map { $0["Username"] as! String } == ["squatter"])
        #expect((try Self.cli(["list-groups", "--user-pool-id", target], region: "us-west-2", env: env)["Groups"] as! [Any]).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(work)/restore-\(id)-\(target).submap.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: "\(work)/restore-\(id)-\(target).journal.jsonl"))

        // --json gives the problems too.
        let j = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--json"], env: env, cwd: work)
        #expect(j.status == 1)
        let doc = try JSONSerialization.jsonObject(with: j.stdout) as! [String: Any]
        #expect((doc["problems"] as? [String])?.count == 2 && doc["ok"] as? Bool == false)

        // --dry-run on a fitting empty pool: checks pass, the plan is printed, nothing is written.
        let empty = try Self.emptyPool(like: Self.demo, region: "us-west-2", env: env)
        let d = try snap(
            ["restore", "latest", "--source-pool", source, "--user-pool-id", empty, "--store", store, "--dry-run", "--json"], env: env,
            cwd: work)
        #expect(d.status == 0, "stderr: \(d.stderr)")
        let plan = (try JSONSerialization.jsonObject(with: d.stdout) as! [String: Any])["plan"] as! [String: Any]
        #expect(plan["users"] as? Int == 15 && plan["groups"] as? Int == 4)
        #expect(d.stderr.contains("plan: 4 groups, 15 users"))
        #expect((try Self.cli(["list-users", "--user-pool-id", empty], region: "us-west-2", env: env)["Users"] as! [Any]).isEmpty)
        #expect((try Self.cli(["list-groups", "--user-pool-id", empty], region: "us-west-2", env: env)["Groups"] as! [Any]).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(work)/restore-\(id)-\(empty).journal.jsonl"))

        // Usage errors.
        #expect(try snap(["restore", "--user-pool-id", empty, "--store", store], env: env).status == 64)
        #expect(try snap(["restore", id, "--store", store], env: env).status == 64)
        #expect(try snap(["restore", id, "--at", "2026-01-01", "--user-pool-id", empty, "--store", store], env: env).status == 64)
        // A pool that does not exist.
        let missing = try snap(["restore", id, "--user-pool-id", "us-west-2_doesnotexist", "--store", store], env: env, cwd: work)
        #expect(missing.status == 1 && missing.stderr.contains("us-west-2_doesnotexist not found"))
    }

    @Test func killedAtAnyMomentThenResumedEndsExact() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 40, env: env)
        let work = try tempFolder("restore-kill")
        let store = work + "/store"
        let id = try Self.createID(source, store: store, env: env)
        let snapshot = try Self.unpack(store: store, pool: source, id: id)
        // 4 groups, 45 users, 17 passwords, 7 disabled, 18 memberships: about 91 writes.
        for kills in [[1], [5], [30], [60], [88], [20, 25]] {
            let target = try Self.emptyPool(like: Self.demo, region: "eu-west-1", env: env)
            var killEnv = env
            for (i, n) in kills.enumerated() {
                killEnv["SNAP_TEST_KILL_AFTER_WRITES"] = String(n)
                let k = try snapKilledByHook(
                    ["restore", id, "--user-pool-id", target, "--store", store] + (i > 0 ? ["--resume"] : []), env: killEnv, cwd: work)
                #expect(k.status == 9, "kill after \(n) writes: status \(k.status), stderr: \(k.stderr)")
            }
            // Without --resume the partly restored pool is refused.
            let again = try snap(["restore", id, "--user-pool-id", target, "--store", store], env: env, cwd: work)
            #expect(again.status == 1 && again.stderr.contains("--resume"))
            let r = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--resume", "--json"], env: env, cwd: work)
            #expect(r.status == 0, "resume after kills \(kills): \(r.stderr)")
            let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
            #expect((summary["failures"] as? [Any])?.isEmpty == true)
            try Self.expectPool(
                target, region: "eu-west-1", equals: snapshot, subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env)
        }
    }

    @Test func throttlingAndServerErrorsAreRetriedThroughTheQuotaProxy() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let source = try seedPool(extraUsers: 30, env: env)
        let work = try tempFolder("restore-proxy")
        let store = work + "/store"
        let id = try Self.createID(source, store: store, env: env)
        let target = try Self.emptyPool(like: Self.demo, region: "us-east-1", env: env)
        let proxy = try AWSProxy(
            [
                "--latency-ms", "100", "--fault", "AdminCreateUser:4:throttle", "--fault", "AdminAddUserToGroup:3:500",
                "--fault", "AdminSetUserPassword:2:throttle", "--fault", "CreateGroup:2:reset",
            ],
            upstream: moto)
        defer { proxy.stop() }
        var proxied = env
        proxied["AWS_ENDPOINT_URL"] = proxy.endpoint
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--json"], env: proxied, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(summary["ok"] as? Bool == true)
        try Self.expectPool(
            target, region: "us-east-1", equals: try Self.unpack(store: store, pool: source, id: id),
            subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env)
    }

    @Test func anExistingUserOrGroupThatDiffersIsAFailureNotAdopted() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 5, env: env)
        let work = try tempFolder("restore-differs")
        let store = work + "/store"
        let id = try Self.createID(source, store: store, env: env)
        let target = try Self.emptyPool(like: Self.demo, region: "eu-west-1", env: env)
        _ = try Self.cli(
            [
                "admin-create-user", "--user-pool-id", target, "--username", "alice", "--message-action", "SUPPRESS",
                "--user-attributes", "Name=email,Value=someone-else@example.com",
            ], region: "eu-west-1", env: env)
        _ = try Self.cli(
            ["create-group", "--user-pool-id", target, "--group-name", "support", "--precedence", "77"], region: "eu-west-1", env: env)
        // As a restore killed right after it began its journal, before its first write: --resume is this
        // snapshot's, and meets someone else's alice and support.
        let start = #"{"format":1,"op":"start","snapshot":"\#(id)","source":"\#(source)","target":"\#(target)"}"#
        try Data((start + "\n").utf8).write(to: URL(fileURLWithPath: "\(work)/restore-\(id)-\(target).journal.jsonl"))

        let r = try snap(["restore", id, "--user-pool-id", target, "--store", store, "--resume", "--json"], env: env, cwd: work)
        #expect(r.status == 1)
        #expect(r.stderr.contains("user alice already exists in the target with different custom:tier, email"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("group support already exists in the target with a different description, precedence"))
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        let counts = summary["counts"] as! [String: [String: Int]]
        #expect(summary["ok"] as? Bool == false)
        #expect(counts["users"] == ["planned": 10, "written": 9, "existing": 0, "failed": 1])
        #expect(counts["groups"] == ["planned": 4, "written": 3, "existing": 0, "failed": 1])
        // alice's memberships (admins, support) and the other support members fail; the rest are in.
        #expect(counts["memberships"]?["failed"] == 4)
        let email = try Self.cli(["admin-get-user", "--user-pool-id", target, "--username", "alice"], region: "eu-west-1", env: env)
        #expect(Self.attributes(email)["email"] == "someone-else@example.com")
    }

    @Test func aDamagedCopyInTheFirstStoreIsReportedAndTheSecondUsed() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 5, env: env)
        let work = try tempFolder("restore-damaged")
        let first = work + "/first", second = work + "/second"
        let id = try Self.createID(source, store: first, env: env)
        #expect(try run("cp", ["-R", first, second], env: env).status == 0)
        // Flip bytes in the middle of the first store's archive.
        let archive = "\(first)/\(source)/\(id).tar.zst"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        for i in stride(from: bytes.count / 3, to: bytes.count / 3 + 16, by: 1) { bytes[i] ^= 0xFF }
        try bytes.write(to: URL(fileURLWithPath: archive))

        let target = try Self.emptyPool(like: Self.demo, region: "eu-west-1", env: env)
        let r = try snap(["restore", id, "--user-pool-id", target, "--store", first, "--store", second], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("damaged"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("read the intact copy in \(second)"))
        try Self.expectPool(
            target, region: "eu-west-1", equals: try Self.unpack(store: second, pool: source, id: id),
            subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env)
    }
}
