import Foundation
import Testing

/// `snap create` against moto with signatures on, checked against the AWS
/// CLI's own view of the pool and read back with zstd and tar.
@Suite(.serialized) struct CreateTests {
    @Test func snapshotHoldsExactlyWhatTheAWSCLIReports() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 1040, env: env)
        let work = try tempFolder("create")
        let store = work + "/store"

        let first = try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let result = try JSONSerialization.jsonObject(with: first.stdout) as! [String: Any]
        let id = try #require(result["id"] as? String)
        let stores = try #require(result["stores"] as? [[String: Any]])
        #expect(stores.count == 1 && stores[0]["ok"] as? Bool == true)

        // Store layout, permissions.
        let folder = "\(store)/\(pool)"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["\(id).json", "\(id).tar.zst"])
        #expect(try mode(folder) == 0o700)
        #expect(try mode("\(folder)/\(id).tar.zst") == 0o600)
        #expect(try mode("\(folder)/\(id).json") == 0o600)

        // Read back with the standard tools.
        let out = work + "/x"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try untar("\(folder)/\(id).tar.zst", into: out)
        let listing = try run("sh", ["-c", "zstd -dc \"$0\" | tar -t", "\(folder)/\(id).tar.zst"], env: env).out
        #expect(
            listing.split(separator: "\n") == [
                "pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "clients.jsonl", "providers.jsonl",
                "resource-servers.jsonl", "config.json", "manifest.json",
            ])

        // Users: every attribute, enabled and status, as the AWS CLI lists them.
        let cliUsers =
            (try aws(["cognito-idp", "list-users", "--user-pool-id", pool], env: env) as! [String: Any])["Users"] as! [[String: Any]]
        #expect(cliUsers.count > 1000)
        let users = try jsonLines(out + "/users.jsonl")
        #expect(users.count == cliUsers.count)
        let byName = Dictionary(uniqueKeysWithValues: users.map { ($0["username"] as! String, $0) })
        for u in cliUsers {
            let name = u["Username"] as! String
            let record = try #require(byName[name], "user \(name) missing from the snapshot")
            var attrs: [String: String] = [:]
            for a in u["Attributes"] as! [[String: Any]] { attrs[a["Name"] as! String] = a["Value"] as? String }
            #expect(record["attributes"] as? [String: String] == attrs, "attributes of \(name)")
            #expect(record["enabled"] as? Bool == u["Enabled"] as? Bool, "enabled of \(name)")
            #expect(record["status"] as? String == u["UserStatus"] as? String, "status of \(name)")
        }
        #expect(users.contains { $0["enabled"] as? Bool == false })
        #expect(Set(users.map { $0["status"] as! String }).isSuperset(of: ["CONFIRMED", "FORCE_CHANGE_PASSWORD"]))
        let usernames = users.map { $0["username"] as! String }
        #expect(usernames == usernames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(usernames.contains("dan\u{e9}\"the\"back\\slash,jr"))

        // Groups with their fields; memberships per group.
        let cliGroups =
            (try aws(["cognito-idp", "list-groups", "--user-pool-id", pool], env: env) as! [String: Any])["Groups"] as! [[String: Any]]
        let groups = try jsonLines(out + "/groups.jsonl")
        #expect(
            groups.map { $0["name"] as! String }
                == cliGroups.map { $0["GroupName"] as! String }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for g in cliGroups {
            let record = try #require(groups.first { $0["name"] as? String == g["GroupName"] as? String })
            #expect(record["description"] as? String == g["Description"] as? String)
            #expect(record["precedence"] as? Int == g["Precedence"] as? Int)
            #expect(record["roleArn"] as? String == g["RoleArn"] as? String)
        }
        var cliMemberships: [[String]] = []
        for g in cliGroups {
            let name = g["GroupName"] as! String
            let members =
                (try aws(["cognito-idp", "list-users-in-group", "--user-pool-id", pool, "--group-name", name], env: env) as! [String: Any])[
                    "Users"] as! [[String: Any]]
            cliMemberships += members.map { [name, $0["Username"] as! String] }
        }
        let memberships = try jsonLines(out + "/memberships.jsonl").map { [$0["group"] as! String, $0["username"] as! String] }
        #expect(memberships.count == cliMemberships.count)
        #expect(Set(memberships) == Set(cliMemberships))
        #expect(cliMemberships.filter { $0[0] == "beta-testers" }.count > 60)
        #expect(!memberships.contains { $0[0] == "empty" })

        // The manifest inside matches the members.
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        #expect(manifest["id"] as? String == id)
        #expect((manifest["counts"] as? [String: Int])?["users"] == users.count)
        let files = manifest["files"] as! [String: [String: Any]]
        let shaUsers = try run("sha256sum", [out + "/users.jsonl"], env: env).out.prefix(64)
        #expect(files["users.jsonl"]?["sha256"] as? String == String(shaUsers))
        let pj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/pool.json"))) as! [String: Any]
        #expect(pj["Id"] as? String == pool)
        #expect(pj["EstimatedNumberOfUsers"] == nil)
        // Format 2: config.json holds GetUserPoolMfaConfig's answer as the AWS CLI shows it (less ResponseMetadata).
        #expect(manifest["format"] as? Int == 2)
        #expect(files["config.json"]?["records"] as? Int == 1)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as! [String: Any]
        var cliMfa = try aws(["cognito-idp", "get-user-pool-mfa-config", "--user-pool-id", pool], env: env) as! [String: Any]
        cliMfa["ResponseMetadata"] = nil
        #expect(NSDictionary(dictionary: config["mfa"] as? [String: Any] ?? [:]).isEqual(to: cliMfa), "\(config) vs \(cliMfa)")
        // The demo pool has no app client, identity provider, resource server or domain: empty members, zero counts.
        #expect(config["domain"] == nil && config["customDomain"] == nil)
        for member in ["clients.jsonl", "providers.jsonl", "resource-servers.jsonl"] {
            #expect(files[member]?["records"] as? Int == 0 && files[member]?["bytes"] as? Int == 0, "\(member)")
        }
        let counts = manifest["counts"] as? [String: Int]
        #expect(counts?["clients"] == 0 && counts?["providers"] == 0 && counts?["resourceServers"] == 0, "\(counts ?? [:])")

        // A second create of the unchanged pool: byte-identical members, no changes.
        let second = try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let r2 = try JSONSerialization.jsonObject(with: second.stdout) as! [String: Any]
        let id2 = r2["id"] as! String
        let changes2 = r2["changes"] as! [String: [String: Int]]
        #expect(changes2["users"] == ["added": 0, "removed": 0, "changed": 0])
        #expect(changes2["memberships"] == ["added": 0, "removed": 0])
        let m1 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(id).json"))) as! [String: Any]
        let m2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(id2).json"))) as! [String: Any]
        for member in [
            "users.jsonl", "groups.jsonl", "memberships.jsonl", "pool.json", "clients.jsonl", "providers.jsonl", "resource-servers.jsonl",
            "config.json",
        ] {
            let a = (m1["files"] as! [String: [String: Any]])[member]!["sha256"] as! String
            let b = (m2["files"] as! [String: [String: Any]])[member]!["sha256"] as! String
            #expect(a == b, "\(member) differs between two snapshots of an unchanged pool")
        }
        #expect(m2["previous"] as? String == id)

        // Change the pool; the third snapshot counts exactly those changes.
        _ = try aws(
            ["cognito-idp", "admin-create-user", "--user-pool-id", pool, "--username", "zed-new", "--message-action", "SUPPRESS"], env: env)
        _ = try aws(["cognito-idp", "admin-disable-user", "--user-pool-id", pool, "--username", "alice"], env: env)
        _ = try aws(["cognito-idp", "admin-delete-user", "--user-pool-id", pool, "--username", "carol"], env: env)
        _ = try aws(
            ["cognito-idp", "admin-add-user-to-group", "--user-pool-id", pool, "--username", "zed-new", "--group-name", "admins"], env: env)
        _ = try aws(["cognito-idp", "create-group", "--user-pool-id", pool, "--group-name", "new-group"], env: env)
        let third = try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(third.status == 0, "stderr: \(third.stderr)")
        let changes3 = (try JSONSerialization.jsonObject(with: third.stdout) as! [String: Any])["changes"] as! [String: [String: Int]]
        #expect(changes3["users"] == ["added": 1, "removed": 1, "changed": 1])
        #expect(changes3["groups"] == ["added": 1, "removed": 0, "changed": 0])
        #expect(changes3["memberships"] == ["added": 1, "removed": 0])

        // list, show and cat read it back.
        let list = try snap(["list", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(list.status == 0, "stderr: \(list.stderr)")
        let entries = try JSONSerialization.jsonObject(with: list.stdout) as! [[String: Any]]
        #expect(entries.map { $0["id"] as! String }.first == id)
        #expect(entries.count == 3)
        let human = try snap(["list", "--store", store], env: env)
        #expect(human.status == 0 && human.out.contains(id2) && human.out.contains(pool))
        let show = try snap(["show", String(id.prefix(22)), "--store", store], env: env)
        #expect(show.status == 0, "stderr: \(show.stderr)")
        #expect((try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any])["id"] as? String == id)
        let cat = try snap(["cat", id, "users", "--store", store], env: env)
        #expect(cat.status == 0, "stderr: \(cat.stderr)")
        #expect(cat.stdout == (try Data(contentsOf: URL(fileURLWithPath: out + "/users.jsonl"))))

        // diff: the two newest, streamed in sort order, with a summary.
        let diff = try snap(["diff", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(diff.status == 0, "stderr: \(diff.stderr)")
        let changes = diff.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let summary = try #require(changes.last)
        #expect(summary["kind"] as? String == "summary" && summary["old"] as? String == id2)
        #expect(summary["users"] as? [String: Int] == ["added": 1, "removed": 1, "changed": 1])
        let alice = try #require(changes.first { $0["username"] as? String == "alice" && $0["op"] as? String == "changed" })
        #expect((alice["changes"] as? [[String: Any]])?.first?["field"] as? String == "enabled")
        #expect(
            changes.contains {
                $0["kind"] as? String == "membership" && $0["op"] as? String == "added" && $0["username"] as? String == "zed-new"
            })
        #expect(
            changes.contains {
                $0["kind"] as? String == "user" && $0["op"] as? String == "removed"
                    && ($0["record"] as? [String: Any])?["username"] as? String == "carol"
            })
        let kinds = changes.dropLast().map { $0["kind"] as! String }
        #expect(kinds == kinds.sorted { ["group": 0, "user": 1, "membership": 2][$0]! < ["group": 0, "user": 1, "membership": 2][$1]! })
        let text = try snap(["diff", id2, "latest", "--user-pool-id", pool, "--store", store], env: env)
        #expect(text.out.contains("~ user alice: enabled true -> false"), "\(text.out)")
        #expect(text.out.contains("- user carol") && text.out.contains("+ member admins zed-new") && text.out.contains("+ group new-group"))
        let stat = try snap(["diff", "--stat", "--exit-code", "--user-pool-id", pool, "--store", store], env: env)
        #expect(stat.status == 1)
        #expect(stat.out.split(separator: "\n").count == 1 && stat.out.contains("users +1 -1 ~1"))
        let same = try snap(["diff", "--exit-code", id, id2, "--user-pool-id", pool, "--store", store], env: env)
        #expect(same.status == 0, "\(same.out) \(same.stderr)")
        // The live pool against the newest snapshot: no drift.
        let live = try snap(["diff", "pool:\(pool)", "--exit-code", "--user-pool-id", pool, "--store", store], env: env)
        #expect(live.status == 0, "\(live.out) \(live.stderr)")
        let ignored = try snap(["diff", id, "latest", "--ignore", "enabled", "--user-pool-id", pool, "--store", store, "--stat"], env: env)
        #expect(ignored.out.contains("users +1 -1 ~0"), "\(ignored.out)")
        let trouble = try snap(["diff", "nope", "--exit-code", "--user-pool-id", pool, "--store", store], env: env)
        #expect(trouble.status == 2)
        #expect(trouble.stderr.contains("\"nope\""))
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue & 0o777
    }
}
