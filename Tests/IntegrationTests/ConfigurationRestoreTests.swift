import Foundation
import Testing

/// Issue 21, item 4: `restore --create-pool` rebuilds a format-2 snapshot's resource servers, identity
/// providers, app clients and domain in another region, against moto behind the rules proxy; what it
/// cannot carry is listed with its command; the client map names every client; `--resume` makes what
/// an interrupted run had not, and never makes anything twice.
@Suite(.serialized) struct ConfigurationRestoreTests {
    static let spec = Repo.root + "/fixtures/demo/configured-pool.json"

    /// Fields that belong to one pool, never carried: ids, dates, the pool's own id, the secret.
    static let ownFields: Set<String> = ["ClientId", "UserPoolId", "CreationDate", "LastModifiedDate", "ClientSecret"]

    struct Snapshot {
        var pool: String
        var id: String
        var store: String
        var work: String
    }

    static func snapshot(_ env: [String: String]) throws -> Snapshot {
        let pool = try seedPool(extraUsers: 0, env: env, spec: spec)
        let work = try tempFolder("config-restore")
        let store = work + "/store"
        let created = try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        try #require(created.status == 0, "stderr: \(created.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: created.stdout) as? [String: Any])?["id"] as? String)
        return Snapshot(pool: pool, id: id, store: store, work: work)
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The pool's prefix domain (seed_pool.py makes the fixture's unique).
    static func domain(_ pool: String, env: [String: String]) throws -> String? {
        ((try aws(["cognito-idp", "describe-user-pool", "--user-pool-id", pool], env: env) as! [String: Any])["UserPool"] as! [String: Any])[
            "Domain"]
            as? String
    }

    static func withoutOwnFields(_ o: [String: Any]) -> [String: Any] { o.filter { !ownFields.contains($0.key) } }

    @Test func createPoolRebuildsResourceServersProvidersClientsAndDomainInAnotherRegion() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let s = try Self.snapshot(env)
        let name = "rebuilt-\(UUID().uuidString.prefix(6))"
        let r = try snap(
            ["restore", s.id, "--source-pool", s.pool, "--create-pool", name, "--region", "eu-west-1", "--store", s.store, "--json"],
            env: env, cwd: s.work)
        try #require(r.status == 0, "stderr: \(r.stderr)")
        let summary = try Self.object(r.stdout)
        let target = try #require(summary["targetPool"] as? String)
        #expect(target.hasPrefix("eu-west-1_"))
        var west = env
        west["AWS_DEFAULT_REGION"] = "eu-west-1"
        #expect(!r.stderr.contains("failed ("), "no call failed: \(r.stderr)")

        // Resource servers: identical but for the pool id.
        let servers =
            (try aws(["cognito-idp", "list-resource-servers", "--user-pool-id", target, "--max-results", "50"], env: west) as! [String: Any])[
                "ResourceServers"] as! [[String: Any]]
        let oldServers =
            (try aws(["cognito-idp", "list-resource-servers", "--user-pool-id", s.pool, "--max-results", "50"], env: env) as! [String: Any])[
                "ResourceServers"] as! [[String: Any]]
        #expect(
            try ConfigurationCaptureTests.canonical(servers.map(Self.withoutOwnFields))
                == ConfigurationCaptureTests.canonical(oldServers.map(Self.withoutOwnFields)))

        // Providers: the SAML one is made as it was; the OIDC one, whose secret the snapshot holds redacted, is listed.
        let providers =
            (try aws(["cognito-idp", "list-identity-providers", "--user-pool-id", target], env: west) as! [String: Any])["Providers"]
            as! [[String: Any]]
        #expect(providers.compactMap { $0["ProviderName"] as? String } == ["CorpSAML"])
        let saml =
            (try aws(["cognito-idp", "describe-identity-provider", "--user-pool-id", target, "--provider-name", "CorpSAML"], env: west)
            as! [String: Any])["IdentityProvider"] as! [String: Any]
        let oldSaml =
            (try aws(["cognito-idp", "describe-identity-provider", "--user-pool-id", s.pool, "--provider-name", "CorpSAML"], env: env)
            as! [String: Any])["IdentityProvider"] as! [String: Any]
        #expect(
            try ConfigurationCaptureTests.canonical(Self.withoutOwnFields(saml))
                == ConfigurationCaptureTests.canonical(Self.withoutOwnFields(oldSaml)))
        #expect(r.stderr.contains("identity provider Okta (OIDC): not created"), "\(r.stderr)")
        #expect(r.stderr.contains("create-identity-provider --user-pool-id \(target)"), "the command names the new pool: \(r.stderr)")
        #expect(!r.stderr.contains(ConfigurationCaptureTests.oidcSecret))

        // App clients: every setting as it was, but the confidential client's SupportedIdentityProviders lose
        // Okta (not made: a note), and its secret is new (listed).
        let old = try ConfigurationCaptureTests.cliClients(s.pool, env: env)
        let new = try ConfigurationCaptureTests.cliClients(target, env: west)
        #expect(Set(new.keys) == Set(old.keys))
        for (clientName, was) in old {
            var expected = Self.withoutOwnFields(was)
            if clientName == "web" {
                expected["SupportedIdentityProviders"] = ["COGNITO", "CorpSAML"]
                #expect(new[clientName]?["ClientSecret"] as? String != nil, "a confidential client stays confidential")
                #expect(new[clientName]?["ClientSecret"] as? String != was["ClientSecret"] as? String)
            }
            #expect(
                try ConfigurationCaptureTests.canonical(Self.withoutOwnFields(new[clientName] ?? [:]))
                    == ConfigurationCaptureTests.canonical(expected), "\(clientName)")
        }
        #expect(r.stderr.contains("app client web: its secret was not captured"), "\(r.stderr)")

        // The client map names every client, old id to new.
        let map = try jsonLines("\(s.work)/restore-\(s.id)-\(target).clients.jsonl")
        #expect(map.map { $0["clientName"] as? String } == ["api-caller", "mobile", "web"])
        for line in map {
            let n = line["clientName"] as! String
            #expect(line["oldClientId"] as? String == old[n]?["ClientId"] as? String, "\(n)")
            #expect(line["newClientId"] as? String == new[n]?["ClientId"] as? String, "\(n)")
        }

        // The prefix domain: free in eu-west-1, so the same prefix.
        let pool =
            (try aws(["cognito-idp", "describe-user-pool", "--user-pool-id", target], env: west) as! [String: Any])["UserPool"]
            as! [String: Any]
        let sourceDomain = try #require(try Self.domain(s.pool, env: env))
        #expect(pool["Domain"] as? String == sourceDomain)
        // The pool-wide settings: UI customization, branding and terms of the new web client, threat protection;
        // log delivery (to a log group in us-east-1) is listed.
        let ui =
            (try aws(["cognito-idp", "get-ui-customization", "--user-pool-id", target], env: west) as! [String: Any])["UICustomization"]
            as! [String: Any]
        let fixture = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.spec))) as? [String: Any])
        #expect(ui["CSS"] as? String == (fixture["ui"] as? [String: Any])?["CSS"] as? String)
        let newWeb = try #require(new["web"]?["ClientId"] as? String)
        let branding =
            (try aws(
                ["cognito-idp", "describe-managed-login-branding-by-client", "--user-pool-id", target, "--client-id", newWeb], env: west)
            as! [String: Any])["ManagedLoginBranding"] as! [String: Any]
        let oldBranding =
            (try aws(
                [
                    "cognito-idp", "describe-managed-login-branding-by-client", "--user-pool-id", s.pool, "--client-id",
                    old["web"]?["ClientId"] as! String,
                ], env: env) as! [String: Any])["ManagedLoginBranding"] as! [String: Any]
        #expect(
            try ConfigurationCaptureTests.canonical(branding["Settings"] ?? [:])
                == ConfigurationCaptureTests.canonical(oldBranding["Settings"] ?? [:]))
        let risk =
            (try aws(["cognito-idp", "describe-risk-configuration", "--user-pool-id", target], env: west) as! [String: Any])[
                "RiskConfiguration"] as! [String: Any]
        #expect(
            try ConfigurationCaptureTests.canonical(risk["AccountTakeoverRiskConfiguration"] ?? [:])
                == ConfigurationCaptureTests.canonical((fixture["risk"] as! [String: Any])["AccountTakeoverRiskConfiguration"]!))
        let terms =
            (try aws(["cognito-idp", "list-terms", "--user-pool-id", target], env: west) as! [String: Any])["Terms"] as! [[String: Any]]
        #expect(terms.map { $0["TermsName"] as? String } == ["terms-of-use"])
        #expect(r.stderr.contains("log delivery: its destinations (arn:aws:logs:us-east-1:"), "\(r.stderr)")

        let configuration = try #require((summary["createPool"] as? [String: Any])?["configuration"] as? [String: Any])
        #expect(configuration["made"] as? Int == 1 + 1 + 3 + 1 + 4)
        #expect(configuration["failed"] as? Int == 0)
    }

    @Test func aDryRunPrintsEveryCallInOrderAndMakesNothing() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let s = try Self.snapshot(env)
        let before =
            try aws(["cognito-idp", "list-user-pools", "--max-results", "60", "--region", "eu-west-1"], env: env) as! [String: Any]
        let r = try snap(
            ["restore", s.id, "--source-pool", s.pool, "--create-pool", "dry", "--region", "eu-west-1", "--store", s.store, "--dry-run"],
            env: env, cwd: s.work)
        try #require(r.status == 0, "stderr: \(r.stderr)")
        let calls = r.stderr.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { String($0.dropFirst(2).prefix { $0 != " " }) }
        let rebuilt = [
            "CreateResourceServer", "CreateIdentityProvider", "CreateUserPoolClient", "CreateUserPoolClient", "CreateUserPoolClient",
            "CreateUserPoolDomain", "SetUICustomization", "CreateManagedLoginBranding", "SetRiskConfiguration", "CreateTerms",
        ]
        #expect(
            calls == ["CreateUserPool", "SetUserPoolMfaConfig"] + rebuilt || calls == ["CreateUserPool"] + rebuilt, "\(r.stderr)")
        #expect(r.stderr.contains("not carried over: identity provider Okta"), "\(r.stderr)")
        let after = try aws(["cognito-idp", "list-user-pools", "--max-results", "60", "--region", "eu-west-1"], env: env) as! [String: Any]
        #expect(try ConfigurationCaptureTests.canonical(after) == ConfigurationCaptureTests.canonical(before), "a dry run makes nothing")
    }

    @Test func aTakenPrefixIsListedAndDomainPrefixGivesAnother() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let s = try Self.snapshot(env)
        // The same region: the snapshot's pool still holds its prefix.
        let taken = try snap(
            ["restore", s.id, "--source-pool", s.pool, "--create-pool", "same-region", "--store", s.store, "--json"], env: env, cwd: s.work)
        try #require(taken.status == 0, "stderr: \(taken.stderr)")
        let prefix0 = try #require(try Self.domain(s.pool, env: env))
        #expect(taken.stderr.contains("domain \(prefix0): not created, the prefix is taken (by \(s.pool))"), "\(taken.stderr)")
        #expect(taken.stderr.contains("--domain-prefix"), "\(taken.stderr)")

        let prefix = "snap-test-\(UUID().uuidString.prefix(6).lowercased())"
        let other = try snap(
            [
                "restore", s.id, "--source-pool", s.pool, "--create-pool", "other-prefix", "--store", s.store, "--domain-prefix", prefix,
                "--json",
            ],
            env: env, cwd: s.work)
        try #require(other.status == 0, "stderr: \(other.stderr)")
        let target = try #require(try Self.object(other.stdout)["targetPool"] as? String)
        let pool =
            (try aws(["cognito-idp", "describe-user-pool", "--user-pool-id", target], env: env) as! [String: Any])["UserPool"]
            as! [String: Any]
        #expect(pool["Domain"] as? String == prefix)
    }

    @Test func badDomainOptionsAreRefusedBeforeAnythingIsRead() throws {
        let env = try Moto.shared().environment
        for (args, expected) in [
            (["--create-pool", "x", "--domain-prefix", "Bad_Prefix"], "--domain-prefix Bad_Prefix"),
            (["--create-pool", "x", "--domain-prefix", "my-cognito-login"], "--domain-prefix my-cognito-login"),
            (["--create-pool", "x", "--custom-domain-certificate", "arn:aws:acm:eu-west-1:123456789012:certificate/abc"], "us-east-1"),
            (["--user-pool-id", "us-east-1_abc", "--domain-prefix", "fine"], "go with --create-pool"),
        ] {
            let r = try snap(["restore", "latest", "--source-pool", "us-east-1_src", "--store", "/nonexistent"] + args, env: env)
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
    }

    @Test func resumeMakesWhatAFailedRunDidNotAndNothingTwice() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let s = try Self.snapshot(env)
        // The second CreateUserPoolClient is refused once (a non-retryable answer): the run lists it and goes on.
        let proxy = try AWSProxy(["--no-quota", "--fault", "CreateUserPoolClient:1:cognito=InvalidParameterException"], upstream: moto)
        defer { proxy.stop() }
        var faulty = env
        faulty["AWS_ENDPOINT_URL"] = proxy.endpoint
        let first = try snap(
            ["restore", s.id, "--source-pool", s.pool, "--create-pool", "resumed", "--region", "eu-west-1", "--store", s.store, "--json"],
            env: faulty, cwd: s.work)
        try #require(first.status == 0, "stderr: \(first.stderr)")
        let target = try #require(try Self.object(first.stdout)["targetPool"] as? String)
        #expect(first.stderr.contains("client api-caller: CreateUserPoolClient failed"), "\(first.stderr)")
        let mapPath = "\(s.work)/restore-\(s.id)-\(target).clients.jsonl"
        #expect(try jsonLines(mapPath).first { $0["clientName"] as? String == "api-caller" }?["newClientId"] is NSNull)
        var west = env
        west["AWS_DEFAULT_REGION"] = "eu-west-1"
        #expect(try ConfigurationCaptureTests.cliClients(target, env: west).count == 2)

        let second = try snap(
            [
                "restore", s.id, "--source-pool", s.pool, "--user-pool-id", target, "--region", "eu-west-1", "--store", s.store, "--resume",
                "--json",
            ],
            env: env, cwd: s.work)
        try #require(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("client api-caller: made"), "\(second.stderr)")
        #expect(second.stderr.contains("client web: already in the pool"), "\(second.stderr)")
        #expect(second.stderr.contains("resource-server https://api.example.com: already in the pool"), "\(second.stderr)")
        let clients = try ConfigurationCaptureTests.cliClients(target, env: west)
        #expect(clients.count == 3, "nothing made twice: \(clients.keys.sorted())")
        let map = try jsonLines(mapPath)
        #expect(
            map.allSatisfy {
                ($0["newClientId"] as? String).map { id in clients.values.contains { $0["ClientId"] as? String == id } } ?? false
            }, "\(map)")
        let servers =
            (try aws(["cognito-idp", "list-resource-servers", "--user-pool-id", target, "--max-results", "50"], env: west) as! [String: Any])[
                "ResourceServers"] as! [[String: Any]]
        #expect(servers.count == 1)
    }
}
