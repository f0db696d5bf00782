import Foundation
import Testing

/// Issue 21, items 5 and 6, against moto with signatures on: linked identities come back
/// (AdminLinkProviderForUser, which the tests' proxy serves: scripts/provider_links.py), a link whose
/// provider the target lacks is listed with the command that makes it, `--resume` checks journaled
/// links against the pool, and `--keep-old-sub custom:NAME` writes each user's old sub.
@Suite struct LinkRestoreTests {
    static let linked = Repo.root + "/fixtures/demo/linked-pool.json"
    static let linkedTarget = Repo.root + "/fixtures/demo/linked-target.json"

    /// The (provider, userId) pairs of a user's identities attribute, as AdminGetUser shows them.
    static func links(pool: String, username: String, region: String = "us-east-1", env: [String: String]) throws -> Set<String> {
        let user = try aws(["cognito-idp", "admin-get-user", "--user-pool-id", pool, "--username", username, "--region", region], env: env)
        return links(RestoreTests.attributes(user as! [String: Any])["identities"])
    }

    static func links(_ identities: String?) -> Set<String> {
        // Unreadable: no links, which the caller's #expect then names.
        guard let identities, let data = identities.data(using: .utf8),
            let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
        else { return [] }
        return Set(list.map { "\($0["providerName"] as? String ?? "?") \($0["userId"] as? String ?? "?")" })
    }

    static func json(_ r: RunResult) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
    }

    @Test func linkedIdentitiesAreLinkedAgainAndTheOldSubKept() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 0, env: env, spec: Self.linked)
        // The proxy links the source's users (seed_pool.py "links"): the snapshot's users.jsonl carries them.
        #expect(try Self.links(pool: source, username: "alice", env: env) == ["Okta okta-alice-00u1", "CorpSAML alice@corp.example.com"])
        let store = try tempFolder("links")
        let c = try snap(["create", "--user-pool-id", source, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let snapshot = try RestoreTests.unpack(store: store, pool: source, id: id)
        let alice = try #require(snapshot.users.first { $0["username"] as? String == "alice" })
        let aliceAttributes = alice["attributes"] as! [String: String]
        #expect(Self.links(aliceAttributes["identities"]).count == 2, "\(alice)")

        // The target has Okta, not CorpSAML, and a custom:old_sub attribute (fixtures/demo/linked-target.json).
        let target = try seedPool(extraUsers: 0, env: env, spec: Self.linkedTarget)
        let work = try tempFolder("links-run")
        let args = ["restore", id, "--source-pool", source, "--user-pool-id", target, "--store", store, "--keep-old-sub", "custom:old_sub"]

        let dry = try snap(args + ["--dry-run"], env: env, cwd: work)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stderr.contains("links: 2 linked identities to link again"), "\(dry.stderr)")
        #expect(dry.stderr.contains("1 linked identity names a provider the target \(target) lacks: CorpSAML (1)"), "\(dry.stderr)")
        #expect(dry.stderr.contains("each restored user's old sub goes into custom:old_sub"), "\(dry.stderr)")
        let none = try aws(["cognito-idp", "list-users", "--user-pool-id", target], env: env) as! [String: Any]
        #expect((none["Users"] as? [Any] ?? []).isEmpty, "a dry run wrote users")

        let r = try snap(args + ["--json"], env: env, cwd: work)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try Self.json(r)
        let links = try #require(summary["links"] as? [String: Any])
        #expect(links["planned"] as? Int == 2 && links["written"] as? Int == 2 && links["pending"] as? Int == 1, "\(links)")
        let notMade = links["notMade"] as? [[String: Any]] ?? []
        #expect(notMade.count == 1 && notMade.first?["provider"] as? String == "CorpSAML", "\(notMade)")
        let command = notMade.first?["command"] as? String ?? ""
        #expect(
            command.hasPrefix("aws cognito-idp admin-link-provider-for-user --region us-east-1 --user-pool-id '\(target)'")
                && command.contains("\"ProviderAttributeValue\":\"alice@corp.example.com\"")
                && command.contains("\"ProviderName\":\"CorpSAML\""),
            "\(command)")
        #expect(!r.stderr.contains("OIDC-SECRET"), "a provider secret was printed")

        // The pool holds the links again, as the snapshot has them but for the missing provider.
        #expect(try Self.links(pool: target, username: "alice", env: env) == ["Okta okta-alice-00u1"])
        #expect(try Self.links(pool: target, username: "bob", env: env) == ["Okta okta-bob-00u2"])
        #expect(try Self.links(pool: target, username: "carol", env: env).isEmpty)
        // --keep-old-sub: each restored user holds its snapshot sub; the sub map is written too.
        let subMap = try jsonLines(work + "/restore-\(id)-\(target).submap.jsonl")
        #expect(subMap.count == 3)
        for u in snapshot.users {
            let name = u["username"] as! String
            let oldSub = (u["attributes"] as! [String: String])["sub"]
            let got = try aws(["cognito-idp", "admin-get-user", "--user-pool-id", target, "--username", name], env: env) as! [String: Any]
            #expect(RestoreTests.attributes(got)["custom:old_sub"] == oldSub, "\(name)")
            #expect(subMap.first { $0["username"] as? String == name }?["oldSub"] as? String == oldSub, "\(name)")
        }

        // The provider is made, and the journal claims alice's CorpSAML link done: --resume checks the claim
        // against her identities, finds it missing, and makes it; the links that are there are not made twice.
        let saml = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.linked))) as! [String: Any]
        let provider = (saml["providers"] as! [[String: Any]]).first { $0["ProviderName"] as? String == "CorpSAML" }!
        func text(_ key: String) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: provider[key]!), as: UTF8.self)
        }
        _ = try aws(
            [
                "cognito-idp", "create-identity-provider", "--user-pool-id", target, "--provider-name", "CorpSAML", "--provider-type",
                "SAML",
                "--provider-details", try text("ProviderDetails"), "--attribute-mapping", try text("AttributeMapping"),
                "--idp-identifiers", try text("IdpIdentifiers"),
            ], env: env)
        let journal = work + "/restore-\(id)-\(target).journal.jsonl"
        let claim = #"{"op":"link","provider":"CorpSAML","userId":"alice@corp.example.com","username":"alice"}"# + "\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(claim.utf8))
        try handle.close()
        let again = try snap(args + ["--resume", "--json"], env: env, cwd: work)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let second = try #require(try Self.json(again)["links"] as? [String: Any])
        #expect(second["planned"] as? Int == 3 && second["written"] as? Int == 1 && second["existing"] as? Int == 2, "\(second)")
        #expect(second["pending"] as? Int == 0, "\(second)")
        #expect(try Self.links(pool: target, username: "alice", env: env) == Self.links(aliceAttributes["identities"]))

        // The restored pool, exported, holds the snapshot's users; identities differ in their link dates alone.
        let diff = try snap(
            [
                "diff", id, "pool:\(target)", "--store", store, "--ignore", "pool", "--ignore", "attributes.sub",
                "--ignore", "attributes.identities", "--ignore", "attributes.custom:old_sub", "--exit-code",
            ], env: env)
        #expect(diff.status == 0, "stdout: \(diff.out) stderr: \(diff.stderr)")
    }

    @Test func createPoolAddsTheOldSubAttribute() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 4, env: env)
        let store = try tempFolder("oldsub")
        let c = try snap(["create", "--user-pool-id", source, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let snapshot = try RestoreTests.unpack(store: store, pool: source, id: id)
        let name = "oldsub-\(UUID().uuidString.prefix(6))"
        let args = [
            "restore", id, "--source-pool", source, "--create-pool", name, "--region", "eu-west-1", "--store", store, "--keep-old-sub",
            "custom:legacy_sub",
        ]

        let dry = try snap(args + ["--dry-run"], env: env, cwd: try tempFolder("oldsub-dry"))
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stderr.contains(#""Name":"legacy_sub""#) && dry.stderr.contains("custom:legacy_sub"), "\(dry.stderr)")

        let r = try snap(args + ["--json"], env: env, cwd: try tempFolder("oldsub-run"))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let target = try Self.json(r)["targetPool"] as! String
        let described =
            (try aws(["cognito-idp", "describe-user-pool", "--user-pool-id", target, "--region", "eu-west-1"], env: env) as! [String: Any])[
                "UserPool"] as! [String: Any]
        let attribute = (described["SchemaAttributes"] as? [[String: Any]] ?? []).first { $0["Name"] as? String == "custom:legacy_sub" }
        #expect(attribute?["AttributeDataType"] as? String == "String" && attribute?["Mutable"] as? Bool == true, "\(attribute ?? [:])")
        for u in snapshot.users {
            let username = u["username"] as! String
            let got =
                try aws(
                    ["cognito-idp", "admin-get-user", "--user-pool-id", target, "--username", username, "--region", "eu-west-1"], env: env)
                as! [String: Any]
            #expect(RestoreTests.attributes(got)["custom:legacy_sub"] == (u["attributes"] as! [String: String])["sub"], "\(username)")
        }
    }

    @Test func badKeepOldSubIsRefused() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 2, env: env)
        let store = try tempFolder("oldsub-bad")
        let c = try snap(["create", "--user-pool-id", source, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let target = try RestoreTests.emptyPool(like: Repo.root + "/fixtures/demo/pool.json", region: "us-east-1", env: env)
        let base = ["restore", id, "--source-pool", source, "--user-pool-id", target, "--store", store]

        for bad in ["old_sub", "custom:", "custom:" + String(repeating: "x", count: 21), "custom:has space"] {
            let r = try snap(base + ["--keep-old-sub", bad], env: env)
            #expect(r.status == 64, "\(bad): stderr: \(r.stderr)")
            #expect(r.stderr.contains("--keep-old-sub"), "\(bad): \(r.stderr)")
        }

        // The target lacks custom:old_sub: refused before any write, naming it and the command that adds it.
        let work = try tempFolder("oldsub-bad-run")
        let r = try snap(base + ["--keep-old-sub", "custom:old_sub"], env: env, cwd: work)
        #expect(r.status == 1, "stderr: \(r.stderr)")
        #expect(
            r.stderr.contains("--keep-old-sub custom:old_sub: the target pool \(target) has no custom attribute custom:old_sub")
                && r.stderr.contains(
                    "aws cognito-idp add-custom-attributes --region us-east-1 --user-pool-id \(target) --custom-attributes Name=old_sub,AttributeDataType=String"
                ),
            "\(r.stderr)")
        let users = try aws(["cognito-idp", "list-users", "--user-pool-id", target], env: env) as! [String: Any]
        #expect((users["Users"] as? [Any] ?? []).isEmpty, "a refused restore wrote users")
        let groups = try aws(["cognito-idp", "list-groups", "--user-pool-id", target], env: env) as! [String: Any]
        #expect((groups["Groups"] as? [Any] ?? []).isEmpty, "a refused restore wrote groups")
    }

    /// `--only-missing` carries the old sub too: a user deleted from the live pool comes back holding it.
    @Test func onlyMissingKeepsTheOldSubToo() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 3, env: env)
        _ = try aws(
            [
                "cognito-idp", "add-custom-attributes", "--user-pool-id", pool, "--custom-attributes",
                "Name=old_sub,AttributeDataType=String",
            ],
            env: env)
        let store = try tempFolder("oldsub-undo")
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        let gone = try #require(snapshot.users.first)
        let name = gone["username"] as! String
        _ = try aws(["cognito-idp", "admin-delete-user", "--user-pool-id", pool, "--username", name], env: env)

        let r = try snap(
            ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing", "--keep-old-sub", "custom:old_sub"], env: env,
            cwd: try tempFolder("oldsub-undo-run"))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let back = try aws(["cognito-idp", "admin-get-user", "--user-pool-id", pool, "--username", name], env: env) as! [String: Any]
        let attributes = RestoreTests.attributes(back)
        #expect(attributes["custom:old_sub"] == (gone["attributes"] as! [String: String])["sub"], "\(attributes)")
        #expect(attributes["sub"] != (gone["attributes"] as! [String: String])["sub"], "a re-created user has a new sub")
    }
}
