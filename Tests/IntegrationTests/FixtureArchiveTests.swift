import Foundation
import Testing

/// An archive written by `tar` and `zstd` (scripts/make_fixture_store.py) is
/// read by snap: our reader interoperates with the standard tools.
@Suite struct FixtureArchiveTests {
    let id = "20261101T000000Z-0badc0de"

    private func copyOfFixtureStore() throws -> String {
        let dir = try tempFolder("fixture")
        try FileManager.default.copyItem(atPath: Repo.root + "/fixtures/store", toPath: dir + "/store")
        return dir + "/store"
    }

    private var env: [String: String] {
        var e = ProcessInfo.processInfo.environment
        for k in e.keys where k.hasPrefix("SNAP_") { e[k] = nil }
        return e
    }

    @Test func showAndCatReadTheToolMadeArchive() throws {
        let store = try copyOfFixtureStore()
        let show = try snap(["show", "20261101", "--store", store], env: env)
        #expect(show.status == 0, "stderr: \(show.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any]
        #expect(manifest["id"] as? String == id)
        #expect((manifest["counts"] as? [String: Int])?["users"] == 2)

        let cat = try snap(["cat", "latest", "users", "--store", store], env: env)
        #expect(cat.status == 0, "stderr: \(cat.stderr)")
        let x = try tempFolder("fixture-x")
        try untar("\(store)/us-east-1_Fixture01/\(id).tar.zst", into: x)
        #expect(cat.stdout == (try Data(contentsOf: URL(fileURLWithPath: x + "/users.jsonl"))))
        #expect(cat.out.contains("b\u{e9}a \\\"q\\\" \\\\ \u{1F600}"))

        let pool = try snap(["cat", id, "pool", "--store", store], env: env)
        #expect(pool.status == 0)
        #expect(pool.stdout == (try Data(contentsOf: URL(fileURLWithPath: x + "/pool.json"))))

        let list = try snap(["list", "--store", store, "--json"], env: env)
        let rows = try JSONSerialization.jsonObject(with: list.stdout) as! [[String: Any]]
        #expect(rows.count == 1 && rows[0]["userPoolId"] as? String == "us-east-1_Fixture01")
    }

    @Test func unknownMemberIsAUsageError() throws {
        let r = try snap(["cat", "latest", "passwords", "--store", try copyOfFixtureStore()], env: env)
        #expect(r.status == 64)
        #expect(r.stderr.contains("member \"passwords\"") && r.stderr.contains("users, groups, memberships or pool"), "\(r.stderr)")
        // secrets.enc is a member, but one cat never prints (issue 21).
        let secrets = try snap(["cat", "latest", "secrets", "--store", try copyOfFixtureStore()], env: env)
        #expect(secrets.status == 64 && secrets.stderr.contains("secrets are never printed"), "\(secrets.stderr)")
    }

    @Test func unknownManifestFormatIsRefused() throws {
        let store = try copyOfFixtureStore()
        let path = "\(store)/us-east-1_Fixture01/\(id).json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"format\":1", with: "\"format\":9")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try snap(["show", "latest", "--store", store], env: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("format 9") && r.stderr.contains(path), "stderr: \(r.stderr)")
    }

    /// Format 2 (issue 20, item 4): the same snapshot with config.json, written by tar and zstd
    /// (scripts/make_fixture_store.py --format2), is verified and read; the format-1 fixture above still is.
    @Test func aFormat2ArchiveWithConfigIsRead() throws {
        let dir = try tempFolder("fixture2")
        try FileManager.default.copyItem(atPath: Repo.root + "/fixtures/store-format2", toPath: dir + "/store")
        let store = dir + "/store"
        let verify = try snap(["verify", "--store", store, "--user-pool-id", "us-east-1_Fixture01"], env: env)
        #expect(verify.status == 0, "stdout: \(verify.out) stderr: \(verify.stderr)")
        let show = try snap(["show", "latest", "--store", store, "--user-pool-id", "us-east-1_Fixture01"], env: env)
        let manifest = try JSONSerialization.jsonObject(with: show.stdout) as? [String: Any]
        #expect(manifest?["format"] as? Int == 2)
        let cat = try snap(["cat", "latest", "config", "--store", store, "--user-pool-id", "us-east-1_Fixture01"], env: env)
        #expect(cat.status == 0, "stderr: \(cat.stderr)")
        #expect(
            cat.out
                == #"{"domain":{"CloudFrontDistribution":"d111111abcdef8.cloudfront.net","Domain":"fixture-prefix","Status":"ACTIVE","UserPoolId":"us-east-1_Fixture01"},"mfa":{"MfaConfiguration":"OFF"}}"#
        )
        #expect((manifest?["counts"] as? [String: Any])?["clients"] as? Int == 1)
        // Issue 21: the app clients, identity providers and resource servers, as written by tar, are read and printed.
        for (member, expected) in [
            ("clients", #""ClientName":"web","ClientSecret":{"redacted":true}"#),
            ("providers", #""client_secret":{"redacted":true},"oidc_issuer":"https://example.okta.com""#),
            ("resource-servers", #""Identifier":"fixture-api""#),
        ] {
            let r = try snap(["cat", "latest", member, "--store", store, "--user-pool-id", "us-east-1_Fixture01"], env: env)
            #expect(r.status == 0, "\(member): \(r.stderr)")
            #expect(r.out.contains(expected) && r.out.hasSuffix("}\n") && r.out.split(separator: "\n").count == 1, "\(member): \(r.out)")
        }
        let users = try snap(["cat", "latest", "users", "--store", store, "--user-pool-id", "us-east-1_Fixture01"], env: env)
        #expect(users.status == 0 && users.out.contains("ann@example.com"))

        // A format-1 snapshot has no config member, and says so.
        let old = try snap(["cat", id, "config", "--store", try copyOfFixtureStore()], env: env)
        #expect(old.status == 1 && old.stderr.contains("is format 1: it has no config.json"), "\(old.stderr)")
        let oldClients = try snap(["cat", id, "clients", "--store", try copyOfFixtureStore()], env: env)
        #expect(oldClients.status == 1 && oldClients.stderr.contains("is format 1: it has no clients.jsonl"), "\(oldClients.stderr)")
    }

    /// A format-2 snapshot whose config.json is not a JSON object is damaged, and named.
    @Test func aConfigThatIsNotAnObjectIsNamed() throws {
        let dir = try tempFolder("fixture2-bad")
        try Data("[1]".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let made = try run(
            "python3",
            [
                Repo.root + "/scripts/make_fixture_store.py", "--pool", Repo.root + "/fixtures/pools/cli-example.json", "--config",
                dir + "/config.json", dir + "/store",
            ], env: env)
        #expect(made.status == 0, "\(made.stderr)")
        let r = try snap(["verify", "--store", dir + "/store", "--user-pool-id", "us-west-2_aaaaaaaaa"], env: env)
        #expect(r.status != 0)
        #expect((r.out + r.stderr).contains("config.json") && (r.out + r.stderr).contains("not a JSON object"), "\(r.out) \(r.stderr)")
    }
}
