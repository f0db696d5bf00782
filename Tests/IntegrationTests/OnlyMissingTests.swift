import Foundation
import Testing

/// `snap restore REF --user-pool-id LIVE --only-missing` (issue 14) against
/// moto with signatures on: a bad night in a live pool (users and a group
/// deleted, memberships removed, attributes changed, a username taken by a
/// new user) is undone, and only that. The pool is read back with boto3
/// (`pool-state`), not with snap.
@Suite(.serialized) struct OnlyMissingTests {
    // MARK: Helpers

    /// boto3, one process per call: `state POOL` prints the pool (users, groups with members);
    /// `night POOL SPEC_JSON` makes the bad night.
    static let helper: String = {
        let path = NSTemporaryDirectory() + "snap-only-missing-helper-\(UUID().uuidString.prefix(8)).py"
        let script = #"""
            import json, sys
            import boto3

            pool = sys.argv[2]
            idp = boto3.client("cognito-idp", region_name=pool.split("_")[0])

            def state():
                users = {}
                for page in idp.get_paginator("list_users").paginate(UserPoolId=pool):
                    for u in page["Users"]:
                        users[u["Username"]] = {
                            "attributes": {a["Name"]: a["Value"] for a in u.get("Attributes", [])},
                            "enabled": u["Enabled"], "status": u["UserStatus"]}
                groups = {}
                for page in idp.get_paginator("list_groups").paginate(UserPoolId=pool):
                    for g in page["Groups"]:
                        members = []
                        for p in idp.get_paginator("list_users_in_group").paginate(UserPoolId=pool, GroupName=g["GroupName"]):
                            members += [u["Username"] for u in p["Users"]]
                        groups[g["GroupName"]] = {
                            "description": g.get("Description"), "precedence": g.get("Precedence"),
                            "roleArn": g.get("RoleArn"), "members": sorted(members)}
                print(json.dumps({"users": users, "groups": groups}, sort_keys=True))

            def night(spec):
                for u in spec.get("deleteUsers", []):
                    idp.admin_delete_user(UserPoolId=pool, Username=u)
                for g in spec.get("deleteGroups", []):
                    idp.delete_group(UserPoolId=pool, GroupName=g)
                for g, u in spec.get("removeMembers", []):
                    idp.admin_remove_user_from_group(UserPoolId=pool, Username=u, GroupName=g)
                for u, name, value in spec.get("setAttributes", []):
                    idp.admin_update_user_attributes(UserPoolId=pool, Username=u, UserAttributes=[{"Name": name, "Value": value}])
                for g, precedence in spec.get("setPrecedence", []):
                    idp.update_group(UserPoolId=pool, GroupName=g, Precedence=precedence)
                for u in spec.get("disable", []):
                    idp.admin_disable_user(UserPoolId=pool, Username=u)
                for u, email in spec.get("recreate", []):
                    idp.admin_delete_user(UserPoolId=pool, Username=u)
                    idp.admin_create_user(UserPoolId=pool, Username=u, MessageAction="SUPPRESS",
                                          UserAttributes=[{"Name": "email", "Value": email}])

            if sys.argv[1] == "state":
                state()
            else:
                night(json.loads(sys.argv[3]))
            """#
        try! script.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// The pool as boto3 lists it; equal when the canonical JSON (sorted keys and members) is.
    struct PoolState: Equatable {
        var text: String
        var raw: [String: Any]

        static func == (a: PoolState, b: PoolState) -> Bool { a.text == b.text }

        var users: [String: Any] { raw["users"] as! [String: Any] }
        func user(_ u: String) -> [String: Any]? { users[u] as? [String: Any] }
        func attributes(_ u: String) -> [String: String] { user(u)?["attributes"] as? [String: String] ?? [:] }
        func group(_ g: String) -> [String: Any]? { (raw["groups"] as! [String: Any])[g] as? [String: Any] }
        func members(_ g: String) -> [String] { group(g)?["members"] as? [String] ?? [] }
        var memberships: Set<[String]> {
            var out: Set<[String]> = []
            for (g, v) in raw["groups"] as! [String: [String: Any]] { for u in v["members"] as! [String] { out.insert([g, u]) } }
            return out
        }
    }

    static func state(_ pool: String, env: [String: String]) throws -> PoolState {
        let r = try run("python3", [helper, "state", pool], env: env)
        guard r.status == 0 else { throw TestFailure("reading \(pool) failed: \(r.stderr)") }
        return PoolState(text: r.out, raw: try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any])
    }

    static func night(_ pool: String, _ spec: [String: Any], env: [String: String]) throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let r = try run("python3", [helper, "night", pool, text], env: env)
        guard r.status == 0 else { throw TestFailure("the bad night in \(pool) failed: \(r.stderr)") }
    }

    /// The synthetic user number `i` of seed_pool.py (its name carries a mark).
    static func synthetic(_ snap: RestoreTests.Unpacked, _ i: Int) -> String {
        let prefix = String(format: "user%05d", i)
        return snap.users.map { $0["username"] as! String }.first { $0.hasPrefix(prefix) }!
    }

    static func json(_ r: RunResult) throws -> [String: Any] {
        guard let doc = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] else {
            throw TestFailure("not a JSON object on stdout: \(r.out) / \(r.stderr)")
        }
        return doc
    }

    /// Every snapshot user but `except` is in `state` with the snapshot's attributes (sub aside), state and status.
    static func expectUsers(_ state: PoolState, equal snap: RestoreTests.Unpacked, except: Set<String>) {
        for s in snap.users {
            let name = s["username"] as! String
            guard !except.contains(name) else { continue }
            guard let u = state.user(name) else {
                Issue.record("user \(name) of the snapshot is not in the pool")
                continue
            }
            var want = s["attributes"] as! [String: String]
            want["sub"] = nil
            var got = state.attributes(name)
            got["sub"] = nil
            #expect(got == want, "attributes of \(name)")
            #expect(u["enabled"] as? Bool == s["enabled"] as? Bool, "enabled of \(name)")
            #expect(u["status"] as? String == s["status"] as? String, "status of \(name)")
        }
    }

    // MARK: Tests

    @Test func aBadNightIsUndoneAndOnlyThat() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 300, env: env)
        let work = try tempFolder("only-missing")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        #expect(snapshot.users.count == 305)

        let deleted = (0..<200).map { Self.synthetic(snapshot, $0) }
        let changed = [250, 251, 252].map { Self.synthetic(snapshot, $0) }
        let taken = Self.synthetic(snapshot, 261)  // a beta tester (every third)
        try Self.night(
            pool,
            [
                "deleteUsers": deleted, "deleteGroups": ["beta-testers"],
                "removeMembers": [["admins", "alice"], ["support", "bob"]],
                "setAttributes": [[changed[0], "email", "changed@example.com"], [changed[2], "custom:tier", "platinum"]],
                "disable": [changed[1]], "recreate": [[taken, "someone-else@example.com"]], "setPrecedence": [["support", 99]],
            ], env: env)
        let before = try Self.state(pool, env: env)
        #expect(before.users.count == 105 && before.group("beta-testers") == nil)
        let takenSub = before.attributes(taken)["sub"]

        // --dry-run: the plan and the findings, nothing written.
        let d = try snap(
            ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing", "--dry-run", "--json"], env: env, cwd: work)
        #expect(d.status == 1, "the run fails the taken user, so its dry run exits 1: \(d.stderr)")
        let plan = try Self.json(d)
        let p = plan["plan"] as! [String: Any]
        #expect(p["groups"] as? Int == 1 && p["groupNames"] as? [String] == ["beta-testers"])
        #expect(plan["ok"] as? Bool == false, "the taken user is listed, and the dry run is not ok as the run will not be")
        #expect(p["users"] as? Int == 200)
        #expect(plan["takenCount"] as? Int == 1 && plan["differenceCount"] as? Int == 4)
        #expect(d.stderr.contains("+ group beta-testers"))
        #expect(d.stderr.contains("taken: user \(taken) in the pool is a different user"))
        #expect(d.stderr.contains("differs, left as is (snapshot -> pool): ~ user \(changed[0]): attributes.email"))
        #expect(try Self.state(pool, env: env) == before, "the dry run wrote")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/restore-\(id)-\(pool).only-missing.journal.jsonl"))

        // The run: exit 1 because the taken username's user is not back; everything else is.
        let r = try snap(["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing", "--json"], env: env, cwd: work)
        #expect(r.status == 1, "stderr: \(r.stderr)")
        let summary = try Self.json(r)
        #expect(summary["ok"] as? Bool == false)
        #expect((summary["failures"] as? [Any])?.isEmpty == true, "\(summary["failures"] ?? "")")
        let counts = summary["counts"] as! [String: [String: Int]]
        #expect(counts["users"] == ["planned": 200, "written": 200, "existing": 0, "failed": 0])
        #expect(counts["groups"]?["written"] == 1)
        let taken0 = (summary["taken"] as! [[String: String]]).first
        #expect(taken0?["username"] == taken && taken0?["poolSub"] == takenSub)
        #expect((summary["takenMemberships"] as? [[String: String]])?.first == ["group": "beta-testers", "username": taken])
        let differing = Set((summary["differences"] as! [[String: Any]]).map { "\($0["kind"]!) \($0["username"] ?? $0["group"]!)" })
        #expect(differing == Set(changed.map { "user \($0)" } + ["group support"]))
        #expect(r.stderr.contains("differs, left as is (snapshot -> pool): ~ group support: precedence 10 -> 99"))

        let after = try Self.state(pool, env: env)
        #expect(after.users.count == 305)
        Self.expectUsers(after, equal: snapshot, except: Set(changed + [taken]))
        // What the pool held is as it was.
        for name in changed + [taken] { #expect(after.user(name) as NSDictionary? == before.user(name) as NSDictionary?, "\(name)") }
        #expect(after.attributes(taken)["sub"] == takenSub)
        for g in snapshot.groups {
            let name = g["name"] as! String
            let got = after.group(name)
            #expect((got?["description"] as? String) == (g["description"] as? String), "description of \(name)")
            #expect((got?["precedence"] as? Int) == (name == "support" ? 99 : g["precedence"] as? Int), "precedence of \(name)")
            #expect((got?["roleArn"] as? String) == (g["roleArn"] as? String), "role ARN of \(name)")
        }
        var want = Set(snapshot.memberships)
        want.remove(["beta-testers", taken])
        #expect(after.memberships == want)

        // The sub map: every re-created user, old sub from the snapshot, new from the pool.
        let map = try jsonLines("\(work)/restore-\(id)-\(pool).only-missing.submap.jsonl")
        #expect(map.count == 200 && Set(map.map { $0["username"] as! String }) == Set(deleted))
        for line in map {
            let name = line["username"] as! String
            let s = snapshot.users.first { $0["username"] as? String == name }!
            #expect(line["oldSub"] as? String == (s["attributes"] as! [String: String])["sub"])
            #expect(line["newSub"] as? String == after.attributes(name)["sub"])
        }

        // snap diff against the live pool: only the changed users and the taken one.
        let diff = try snap(["diff", id, "pool:\(pool)", "--store", store, "--ignore", "attributes.sub", "--json"], env: env, cwd: work)
        #expect(diff.status == 0, "stderr: \(diff.stderr)")
        let lines = diff.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let changes = lines.filter { $0["kind"] as? String != "summary" }
        #expect(
            Set(changes.filter { $0["kind"] as? String == "user" }.map { "\($0["op"]!) \($0["username"]!)" })
                == Set((changed + [taken]).map { "changed \($0)" }))
        #expect(
            changes.filter { $0["kind"] as? String == "membership" }.map { "\($0["op"]!) \($0["group"]!) \($0["username"]!)" } == [
                "removed beta-testers \(taken)"
            ])
        #expect(changes.filter { $0["kind"] as? String == "group" }.map { "\($0["op"]!) \($0["group"]!)" } == ["changed support"])

        // A second run finds nothing missing but the taken user: nothing written.
        let again = try snap(["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing", "--json"], env: env, cwd: work)
        #expect(again.status == 1)
        let second = try Self.json(again)
        #expect((second["plan"] as! [String: Any])["users"] as? Int == 0)
        #expect(((second["counts"] as! [String: [String: Int]])["memberships"]?["written"]) == 0)
        #expect(try Self.state(pool, env: env) == after)
    }

    @Test func onlyAndNamedUsersNarrowIt() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 30, env: env)
        let work = try tempFolder("only-missing-narrow")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        let gone = (0..<10).map { Self.synthetic(snapshot, $0) }
        try Self.night(pool, ["deleteUsers": gone, "deleteGroups": ["beta-testers"], "removeMembers": [["admins", "alice"]]], env: env)
        let base = ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing"]
        let betaInSnapshot = snapshot.memberships.filter { $0[0] == "beta-testers" }.map { $0[1] }

        // --only groups: the group, empty; nothing else.
        let g = try snap(base + ["--only", "groups"], env: env, cwd: work)
        #expect(g.status == 0, "stderr: \(g.stderr)")
        var s = try Self.state(pool, env: env)
        #expect(s.group("beta-testers")?["description"] as? String == "Everyone in the beta")
        #expect(s.members("beta-testers").isEmpty && s.users.count == 25 && !s.members("admins").contains("alice"))

        // --only memberships: of the users the pool holds; the deleted users stay deleted.
        let m = try snap(base + ["--only", "memberships"], env: env, cwd: work)
        #expect(m.status == 0, "stderr: \(m.stderr)")
        s = try Self.state(pool, env: env)
        #expect(s.members("admins").contains("alice"))
        #expect(Set(s.members("beta-testers")) == Set(betaInSnapshot.filter { !gone.contains($0) }))
        #expect(s.users.count == 25)

        // --user: just that user, with its memberships.
        let u = try snap(base + ["--user", gone[0], "--user", gone[1]], env: env, cwd: work)
        #expect(u.status == 0, "stderr: \(u.stderr)")
        s = try Self.state(pool, env: env)
        #expect(s.users.count == 27 && s.user(gone[0]) != nil && s.user(gone[1]) != nil && s.user(gone[2]) == nil)
        #expect(s.members("beta-testers").contains(gone[0]))  // user00000 is a beta tester

        // --users-from: those in the file.
        let file = work + "/users.txt"
        try (gone[3] + "\n" + gone[6] + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let f = try snap(base + ["--users-from", file, "--only", "users"], env: env, cwd: work)
        #expect(f.status == 0, "stderr: \(f.stderr)")
        s = try Self.state(pool, env: env)
        #expect(s.users.count == 29 && s.user(gone[3]) != nil && s.user(gone[6]) != nil)
        #expect(!s.members("beta-testers").contains(gone[3]), "--only users: memberships left for another run")
        #expect(f.stderr.contains("left for another run: membership of \(gone[3]) in beta-testers"))

        // The rest, all of it; then the pool is the snapshot again.
        let all = try snap(base, env: env, cwd: work)
        #expect(all.status == 0, "stderr: \(all.stderr)")
        s = try Self.state(pool, env: env)
        Self.expectUsers(s, equal: snapshot, except: [])
        #expect(s.memberships == Set(snapshot.memberships))
        let diff = try snap(
            ["diff", id, "pool:\(pool)", "--store", store, "--ignore", "attributes.sub", "--exit-code"], env: env, cwd: work)
        #expect(diff.status == 0, "stdout: \(diff.out) stderr: \(diff.stderr)")

        // The next night deletes some of it again; a --resume with nothing unfinished does not trust the
        // finished run's journal (which says the group and memberships are done): they come back.
        try Self.night(pool, ["deleteUsers": [gone[9]], "deleteGroups": ["beta-testers"]], env: env)
        let again = try snap(base + ["--resume"], env: env, cwd: work)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stderr.contains("no unfinished undo"))
        s = try Self.state(pool, env: env)
        Self.expectUsers(s, equal: snapshot, except: [])
        #expect(s.memberships == Set(snapshot.memberships))
    }

    @Test func aPoolThatSignsInByEmailIsUndoneTwiceWithoutDuplicatesOrFalseConflicts() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: RestoreTests.emailSpec)
        let work = try tempFolder("only-missing-email")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        func email(_ u: [String: Any]) -> String { (u["attributes"] as! [String: String])["email"]! }
        let byEmail = Dictionary(uniqueKeysWithValues: snapshot.users.map { (email($0), $0["username"] as! String) })
        try Self.night(pool, ["deleteUsers": [byEmail["ann@example.com"]!, byEmail["ben@example.com"]!]], env: env)
        let base = ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing"]

        let first = try snap(base, env: env, cwd: work)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        var s = try Self.state(pool, env: env)
        #expect(s.users.count == 4)
        let emailOf = { (name: String) in s.attributes(name)["email"] ?? "?" }
        let snapshotEmail = Dictionary(uniqueKeysWithValues: snapshot.users.map { ($0["username"] as! String, email($0)) })
        #expect(Set(s.memberships.map { [$0[0], emailOf($0[1])] }) == Set(snapshot.memberships.map { [$0[0], snapshotEmail[$0[1]]!] }))
        let annNow = s.users.keys.first { emailOf($0) == "ann@example.com" }!
        #expect(annNow != byEmail["ann@example.com"], "the pool names a re-created user itself")
        let map = try jsonLines("\(work)/restore-\(id)-\(pool).only-missing.submap.jsonl")
        #expect(map.count == 2 && map.allSatisfy { $0["targetUsername"] != nil })

        // The next run: ann and ben are the users the map names, not missing and not taken; a change
        // made to ann since is listed, not a failure; nothing is created twice.
        try Self.night(pool, ["setAttributes": [[annNow, "given_name", "Changed"]]], env: env)
        let second = try snap(base + ["--json"], env: env, cwd: work)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let summary = try Self.json(second)
        #expect((summary["plan"] as! [String: Any])["users"] as? Int == 0)
        #expect(summary["takenCount"] as? Int == 0 && (summary["failures"] as? [Any])?.isEmpty == true)
        let differences = summary["differences"] as! [[String: Any]]
        #expect(differences.map { $0["username"] as? String } == [byEmail["ann@example.com"]], "\(differences)")
        s = try Self.state(pool, env: env)
        #expect(s.users.count == 4)
        #expect(try jsonLines("\(work)/restore-\(id)-\(pool).only-missing.submap.jsonl").count == 2, "the map still names both")
    }

    @Test func aSnapshotWithMFAIsComparedLikeForLikeAndReCreatedUsersGetTheirMFABack() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 10, env: env)
        try MFACreateRestoreTests.setSMS(pool, "carol", preferred: true, env: env)
        try MFACreateRestoreTests.setSMS(pool, "alice", preferred: false, env: env)
        let work = try tempFolder("only-missing-mfa")
        let store = work + "/store"
        let c = try snap(["create", "--user-pool-id", pool, "--store", store, "--with-mfa"], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.night(pool, ["deleteUsers": ["carol"]], env: env)

        let r = try snap(["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing", "--json"], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("MFA settings are read too"), "stderr: \(r.stderr)")
        let summary = try Self.json(r)
        // alice (MFA, untouched) is no difference: the pool was read with its MFA settings, like the snapshot.
        #expect(summary["differenceCount"] as? Int == 0, "\(summary["differences"] ?? "")")
        #expect((summary["counts"] as! [String: [String: Int]])["mfa"]?["written"] == 1)
        let (enabled, preferred) = try MFACreateRestoreTests.mfaOf(pool, "carol", env: env)
        #expect(enabled == ["SMS_MFA"] && preferred == "SMS_MFA")
        let diff = try snap(
            ["diff", id, "pool:\(pool)", "--store", store, "--ignore", "attributes.sub", "--exit-code"], env: env, cwd: work)
        #expect(diff.status == 0, "stdout: \(diff.out) stderr: \(diff.stderr)")
    }

    @Test func killedAtRandomThenResumedEndsExact() throws {
        let env = try Moto.shared().environment
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<3 {
            let pool = try seedPool(extraUsers: 40, env: env)
            let work = try tempFolder("only-missing-kill")
            let store = work + "/store"
            let id = try RestoreTests.createID(pool, store: store, env: env)
            let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
            try Self.night(
                pool,
                [
                    "deleteUsers": (0..<20).map { Self.synthetic(snapshot, $0) }, "deleteGroups": ["beta-testers"],
                    "removeMembers": [["admins", "alice"], ["support", "bob"]],
                ], env: env)
            let base = ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing"]
            let plan = try Self.json(try snap(base + ["--dry-run", "--json"], env: env, cwd: work))["plan"] as! [String: Any]
            let writes =
                (plan["groups"] as! Int)
                + ["users", "passwords", "disabled", "memberships", "existingMemberships"].map {
                    plan[$0] as! Int
                }.reduce(0, +)
            #expect(writes > 40 && plan["existingMemberships"] as! Int > 2, "plan: \(plan)")
            // Late in the run (the memberships of users the pool holds come last), at random, twice at random.
            // The second kill comes early in the resumed run: the resume skips what the first run did, and the
            // plan's count of writes is an upper bound (steps the pool already shows done are not written), so a
            // second kill as late as the first could find the resume finished before it (a run on 2026-11-27 did).
            let kills =
                switch trial {
                case 0: [writes - 2]
                case 1: [Int.random(in: 1..<writes, using: &generator)]
                default: [Int.random(in: 1..<writes / 2, using: &generator), Int.random(in: 1...4, using: &generator)]
                }
            var killEnv = env
            for (i, n) in kills.enumerated() {
                killEnv["SNAP_TEST_KILL_AFTER_WRITES"] = String(n)
                let k = try snapKilledByHook(base + (i > 0 ? ["--resume"] : []), env: killEnv, cwd: work)
                #expect(k.status == 9, "trial \(trial), kill after \(n) of \(writes) writes: status \(k.status), stderr: \(k.stderr)")
            }
            // Without --resume the interrupted run is named, nothing written.
            let again = try snap(base, env: env, cwd: work)
            #expect(again.status == 1 && again.stderr.contains("did not finish") && again.stderr.contains("--resume"), "\(again.stderr)")
            let r = try snap(base + ["--resume", "--json"], env: env, cwd: work)
            #expect(r.status == 0, "resume after kills \(kills): \(r.stderr)")
            let summary = try Self.json(r)
            #expect((summary["failures"] as? [Any])?.isEmpty == true)
            let s = try Self.state(pool, env: env)
            Self.expectUsers(s, equal: snapshot, except: [])
            #expect(s.users.count == snapshot.users.count)
            #expect(s.memberships == Set(snapshot.memberships))
            let map = try jsonLines("\(work)/restore-\(id)-\(pool).only-missing.submap.jsonl")
            #expect(map.count == 20 && Set(map.map { $0["username"] as! String }).count == 20, "sub map after kills \(kills)")
            for line in map { #expect(line["newSub"] as? String == s.attributes(line["username"] as! String)["sub"]) }
            let diff = try snap(
                ["diff", id, "pool:\(pool)", "--store", store, "--ignore", "attributes.sub", "--exit-code"], env: env, cwd: work)
            #expect(diff.status == 0, "after kills \(kills): \(diff.out)")
            #expect(!FileManager.default.fileExists(atPath: "\(work)/restore-\(id)-\(pool).only-missing.users.txt"))
        }
    }

    @Test func throttlingIsPacedAndRetriedNeverAFailure() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 30, env: env)
        let work = try tempFolder("only-missing-throttle")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        try Self.night(
            pool, ["deleteUsers": (0..<12).map { Self.synthetic(snapshot, $0) }, "removeMembers": [["admins", "alice"]]], env: env)
        let proxy = try AWSProxy(
            [
                "--latency-ms", "50", "--fault", "AdminCreateUser:3:throttle", "--fault", "AdminAddUserToGroup:3:throttle",
                "--fault", "AdminSetUserPassword:2:throttle", "--fault", "ListUsers:2:throttle",
            ],
            upstream: moto)
        defer { proxy.stop() }
        var proxied = env
        proxied["AWS_ENDPOINT_URL"] = proxy.endpoint
        let r = try snap(
            ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing", "--json"], env: proxied, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try Self.json(r)
        #expect(summary["ok"] as? Bool == true && (summary["failures"] as? [Any])?.isEmpty == true)
        let s = try Self.state(pool, env: env)
        Self.expectUsers(s, equal: snapshot, except: [])
        #expect(s.memberships == Set(snapshot.memberships))
    }

    /// Check, don't trust: after its writes the run joins the pool with the snapshot again, and a user another
    /// writer deleted meanwhile (after the run's own reading of the pool) is named; the run is not called done.
    @Test func aUserDeletedDuringTheRunIsNamedByTheReadBack() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 20, env: env)
        let work = try tempFolder("only-missing-read-back")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        try Self.night(
            pool, ["deleteUsers": (0..<5).map { Self.synthetic(snapshot, $0) }, "removeMembers": [["admins", "alice"]]], env: env)
        // alice's membership is added last, after the re-created users; held 5 s, it keeps the run busy
        // while the other writer deletes a user the run found in the pool.
        let proxy = try AWSProxy(["--no-quota", "--stall", "AdminAddUserToGroup:5"], upstream: moto)
        defer { proxy.stop() }
        var proxied = env
        proxied["AWS_ENDPOINT_URL"] = proxy.endpoint
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Repo.snapBinary)
        run.arguments = ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing"]
        run.environment = proxied
        run.currentDirectoryURL = URL(fileURLWithPath: work)
        let out = Pipe()
        let err = Pipe()
        (run.standardOutput, run.standardError) = (out, err)
        try run.run()
        let deadline = Date().addingTimeInterval(120)
        while (try proxy.operationCounts()["AdminAddUserToGroup"] ?? 0) == 0 && run.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(run.isRunning, "the run ended before the other writer came: the test proves nothing")
        let victim = Self.synthetic(snapshot, 15)
        try Self.night(pool, ["deleteUsers": [victim]], env: env)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 1, "\(stderr)")
        #expect(
            stderr.contains("read back: every planned write was acknowledged, but \(pool) still lacks 1 user(s) of \(id)"), "\(stderr)")
        #expect(stderr.contains("--only-missing --dry-run"), "says how to see them: \(stderr)")
        #expect(stdout.contains("the read-back found some still missing"), "\(stdout)")
        // What the run wrote is there: the five users and alice's membership.
        let s = try Self.state(pool, env: env)
        Self.expectUsers(s, equal: snapshot, except: [victim])
        #expect(s.members("admins").contains("alice"))
    }

    @Test func badInputsAreRefusedBeforeAnyWrite() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let work = try tempFolder("only-missing-bad")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        try Self.night(pool, ["deleteUsers": ["carol"]], env: env)
        let before = try Self.state(pool, env: env)
        let base = ["restore", id, "--user-pool-id", pool, "--store", store]

        func refused(_ args: [String], _ status: Int32, _ message: String) throws {
            let r = try snap(args, env: env, cwd: work)
            #expect(r.status == status, "\(args): status \(r.status), stderr: \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): stderr: \(r.stderr)")
        }
        try refused(base + ["--only", "users"], 64, "add --only-missing")
        try refused(base + ["--user", "carol"], 64, "add --only-missing")
        try refused(base + ["--users-from", "/nonexistent"], 64, "add --only-missing")
        try refused(
            ["restore", id, "--create-pool", "again", "--store", store, "--only-missing"], 64, "--create-pool makes a new, empty pool")
        try refused(
            base + ["--only-missing", "--method", "import-job", "--import-role-arn", "arn:aws:iam::123456789012:role/x"], 64,
            "import jobs are for empty pools")
        try refused(base + ["--only-missing", "--method", "import-job"], 64, "import jobs are for empty pools")
        try refused(base + ["--only-missing", "--create-pool", "again"], 64, "--create-pool makes a new, empty pool")
        try refused(base + ["--only-missing", "--only", "passwords"], 64, "passwords")
        try refused(
            base + ["--only-missing", "--users-from", work + "/nope.txt"], 64, "--users-from \(work)/nope.txt: cannot read the file")
        let blank = work + "/blank.txt", spaced = work + "/spaced.txt"
        try "carol\n\nalice\n".write(toFile: blank, atomically: true, encoding: .utf8)
        try "carol\nbob smith\n".write(toFile: spaced, atomically: true, encoding: .utf8)
        try refused(base + ["--only-missing", "--users-from", blank], 64, "--users-from \(blank) line 2: empty line")
        try refused(base + ["--only-missing", "--users-from", spaced], 64, "--users-from \(spaced) line 2: \"bob smith\"")
        try refused(
            base + ["--only-missing", "--user", "carol", "--user", "nobody", "--user", "ghost"], 1,
            "2 user(s) named with --user/--users-from are not in snapshot")
        let r = try snap(base + ["--only-missing", "--user", "carol", "--user", "nobody"], env: env, cwd: work)
        #expect(r.stderr.contains("\"nobody\"") && r.stderr.contains("nothing was written"), "stderr: \(r.stderr)")
        #expect(try Self.state(pool, env: env) == before)

        // And the named one that is there comes back.
        let ok = try snap(base + ["--only-missing", "--user", "carol"], env: env, cwd: work)
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        #expect(try Self.state(pool, env: env).user("carol") != nil)
    }
}
