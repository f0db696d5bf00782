import Foundation
import Testing

/// Issue 21: `snap create` keeps the pool's app clients, identity providers, resource servers and
/// domain (format 2), read back with zstd and tar and compared with the AWS CLI's view of the pool;
/// no secret reaches the archive or any output.
@Suite(.serialized) struct ConfigurationCaptureTests {
    static let spec = Repo.root + "/fixtures/demo/configured-pool.json"
    static let oidcSecret = "OIDC-SECRET-do-not-store-7f3a9c"

    /// The AWS CLI's description of every app client of `pool`, by name.
    static func cliClients(_ pool: String, env: [String: String]) throws -> [String: [String: Any]] {
        let listed =
            (try aws(["cognito-idp", "list-user-pool-clients", "--user-pool-id", pool], env: env) as! [String: Any])["UserPoolClients"]
            as! [[String: Any]]
        var out: [String: [String: Any]] = [:]
        for c in listed {
            let d =
                try aws(
                    ["cognito-idp", "describe-user-pool-client", "--user-pool-id", pool, "--client-id", c["ClientId"] as! String], env: env)
                as! [String: Any]
            let client = d["UserPoolClient"] as! [String: Any]
            out[client["ClientName"] as! String] = client
        }
        return out
    }

    /// JSON text with sorted keys, to compare what two JSON readers made of the same values.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func clientsProvidersResourceServersAndDomainAreCapturedWithoutSecrets() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        let clients = try Self.cliClients(pool, env: env)
        try #require(clients.count == 3)
        let clientSecret = try #require(clients["web"]?["ClientSecret"] as? String, "moto gives the confidential client a secret")
        let secrets = [clientSecret, Self.oidcSecret]

        let work = try tempFolder("capture")
        let store = work + "/store"
        let created = try snap(["create", "--user-pool-id", pool, "--store", store, "--json", "-vv"], env: env)
        try #require(created.status == 0, "stderr: \(created.stderr)")
        expectNoSecrets(created, secrets, "create -vv")
        let id = try #require((try JSONSerialization.jsonObject(with: created.stdout) as? [String: Any])?["id"] as? String)
        let archive = "\(store)/\(pool)/\(id).tar.zst"

        // Members in format 2's order, read with the standard tools.
        let listing = try run("sh", ["-c", "zstd -dc \"$0\" | tar -t", archive], env: env).out
        #expect(
            listing.split(separator: "\n") == [
                "pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "clients.jsonl", "providers.jsonl",
                "resource-servers.jsonl", "config.json", "manifest.json",
            ])
        let out = work + "/x"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try untar(archive, into: out)

        // clients.jsonl: by ClientName, each as DescribeUserPoolClient gives it, less its secret.
        let clientLines = try jsonLines(out + "/clients.jsonl")
        #expect(clientLines.map { $0["ClientName"] as? String } == ["api-caller", "mobile", "web"])
        for record in clientLines {
            let name = record["ClientName"] as! String
            var expected = try #require(clients[name])
            expected["CreationDate"] = nil
            expected["LastModifiedDate"] = nil
            if expected["ClientSecret"] != nil { expected["ClientSecret"] = ["redacted": true] }
            #expect(try Self.canonical(record) == Self.canonical(expected), "\(name)")
        }
        let web = try #require(clientLines.last)
        #expect(web["ClientSecret"] as? [String: Bool] == ["redacted": true])
        let caller = clientLines[0]
        #expect(
            caller["AllowedOAuthScopes"] as? [String] == ["openid", "https://api.example.com/read", "https://api.example.com/write"])
        #expect(caller["CallbackURLs"] as? [String] == ["https://app.example.com/callback", "https://app.example.com/cb2"])
        #expect(caller["ClientSecret"] == nil && clientLines[1]["ClientSecret"] == nil, "public clients have no secret")

        // providers.jsonl: by ProviderName (bytewise), the OIDC client_secret redacted, no dates.
        let providers = try jsonLines(out + "/providers.jsonl")
        #expect(providers.map { $0["ProviderName"] as? String } == ["CorpSAML", "Okta"])
        let saml = providers[0]
        #expect(saml["ProviderType"] as? String == "SAML")
        #expect((saml["ProviderDetails"] as? [String: String])?["MetadataURL"] == "https://idp.example.com/saml/metadata.xml")
        #expect(saml["IdpIdentifiers"] as? [String] == ["corp"])
        let oidc = providers[1]
        let details = try #require(oidc["ProviderDetails"] as? [String: Any])
        #expect(details["client_secret"] as? [String: Bool] == ["redacted": true])
        #expect(details["client_id"] as? String == "okta-client-id" && details["oidc_issuer"] as? String == "https://example.okta.com")
        #expect(oidc["AttributeMapping"] as? [String: String] == ["email": "email", "username": "sub"])
        let cliOkta =
            (try aws(["cognito-idp", "describe-identity-provider", "--user-pool-id", pool, "--provider-name", "Okta"], env: env)
            as! [String: Any])["IdentityProvider"] as! [String: Any]
        #expect(cliOkta["CreationDate"] != nil, "moto dates its providers, so leaving dates out is checked")
        #expect(providers.allSatisfy { $0["CreationDate"] == nil && $0["LastModifiedDate"] == nil })

        // resource-servers.jsonl: ListResourceServers' entry, its two scopes.
        let servers = try jsonLines(out + "/resource-servers.jsonl")
        #expect(servers.count == 1)
        #expect(servers.first?["Identifier"] as? String == "https://api.example.com")
        #expect((servers.first?["Scopes"] as? [[String: String]])?.map { $0["ScopeName"] } == ["read", "write"])

        // config.json: the MFA configuration and the prefix domain.
        let config =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as! [String: Any]
        let prefix = "snap-test-" + pool.split(separator: "_")[1].lowercased()
        let domain = try #require(config["domain"] as? [String: Any])
        #expect(domain["Domain"] as? String == prefix && domain["UserPoolId"] as? String == pool)
        #expect(config["customDomain"] == nil && config["mfa"] != nil)

        // The pool-wide settings moto lacks, which the proxy keeps as the API reference describes them.
        let fixture = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.spec))) as? [String: Any])
        #expect(try Self.canonical(try #require(config["risk"])) == Self.canonical(try #require(fixture["risk"])))
        #expect((config["ui"] as? [String: Any])?["CSS"] as? String == (fixture["ui"] as? [String: Any])?["CSS"] as? String)
        #expect(try Self.canonical(try #require(config["logDelivery"])) == Self.canonical(try #require(fixture["logDelivery"])))
        let branding = try #require(config["branding"] as? [[String: Any]])
        #expect(
            branding.count == 1 && branding[0]["ClientName"] as? String == "web"
                && branding[0]["ClientId"] as? String == clients["web"]?["ClientId"] as? String)
        #expect(
            branding[0]["ManagedLoginBrandingId"] == nil && branding[0]["CreationDate"] == nil,
            "ids and dates the service makes are left out")
        let terms = try #require(config["terms"] as? [[String: Any]])
        #expect(terms.map { $0["TermsName"] as? String } == ["terms-of-use"] && terms[0]["TermsId"] == nil)

        // The manifest counts and lists the members.
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        let counts = manifest["counts"] as? [String: Int]
        #expect(counts?["clients"] == 3 && counts?["providers"] == 2 && counts?["resourceServers"] == 1, "\(counts ?? [:])")
        let files = try #require(manifest["files"] as? [String: [String: Any]])
        for (member, records) in [("clients.jsonl", 3), ("providers.jsonl", 2), ("resource-servers.jsonl", 1), ("config.json", 1)] {
            #expect(files[member]?["records"] as? Int == records, "\(member)")
            let sha = try run("sha256sum", [out + "/" + member], env: env).out.prefix(64)
            #expect(files[member]?["sha256"] as? String == String(sha), "\(member)")
        }

        // No secret anywhere: the decompressed archive, the stored manifest, and what cat, show and verify print.
        let tarBytes = try run("sh", ["-c", "zstd -dc \"$0\"", archive], env: env).out
        for s in secrets { #expect(!tarBytes.contains(s), "the archive holds a secret (\(s.prefix(4))…)") }
        let stored = try String(contentsOfFile: "\(store)/\(pool)/\(id).json", encoding: .utf8)
        for s in secrets { #expect(!stored.contains(s)) }
        for command in [
            ["cat", id, "clients"], ["cat", id, "providers"], ["cat", id, "resource-servers"], ["cat", id, "config"], ["show", id],
        ] {
            let r = try snap(command + ["--store", store, "--user-pool-id", pool], env: env)
            #expect(r.status == 0, "\(command): \(r.stderr)")
            expectNoSecrets(r, secrets, command.joined(separator: " "))
        }
        let cat = try snap(["cat", id, "clients", "--store", store, "--user-pool-id", pool], env: env)
        #expect(cat.out == (try String(contentsOfFile: out + "/clients.jsonl", encoding: .utf8)))
        let verify = try snap(["verify", "--all", "--store", store, "--user-pool-id", pool], env: env)
        #expect(verify.status == 0, "\(verify.out) \(verify.stderr)")

        // An unchanged pool snapshots to the same clients, providers and resource servers.
        let again = try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(again.status == 0, "\(again.stderr)")
        let id2 = try #require((try JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])?["id"] as? String)
        let m2 =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(store)/\(pool)/\(id2).json"))) as! [String: Any]
        let files2 = try #require(m2["files"] as? [String: [String: Any]])
        for member in ["clients.jsonl", "providers.jsonl", "resource-servers.jsonl"] {
            #expect(files2[member]?["sha256"] as? String == files[member]?["sha256"] as? String, "\(member) moved without a change")
        }
    }

    /// A refused configuration read fails the create naming the operation; nothing is stored.
    /// Issue 21's "done when", for the captured kinds: a diff between two snapshots taken around a
    /// change to one app client and a new resource server shows those and nothing else.
    @Test func aChangedClientAndANewResourceServerAreAllTheDiffShows() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        let store = try tempFolder("capture-diff") + "/store"
        let first = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        try #require(first.status == 0, "stderr: \(first.stderr)")

        // UpdateUserPoolClient resets what it is not given: send the client as described, less
        // what the call does not take, with one more callback URL.
        var client = try #require(try Self.cliClients(pool, env: env)["api-caller"])
        for readOnly in ["ClientSecret", "CreationDate", "LastModifiedDate"] { client[readOnly] = nil }
        let urls = (client["CallbackURLs"] as? [String] ?? []) + ["https://app.example.com/cb3"]
        client["CallbackURLs"] = urls
        _ = try aws(["cognito-idp", "update-user-pool-client", "--cli-input-json", try Self.canonical(client)], env: env)
        // As JSON: the AWS CLI fetches any parameter that looks like a URL, the identifier included.
        let server: [String: Any] = [
            "UserPoolId": pool, "Identifier": "https://billing.example.com", "Name": "Billing",
            "Scopes": [["ScopeName": "pay", "ScopeDescription": "Pay"]],
        ]
        _ = try aws(["cognito-idp", "create-resource-server", "--cli-input-json", try Self.canonical(server)], env: env)
        let second = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        try #require(second.status == 0, "stderr: \(second.stderr)")

        let diff = try snap(["diff", "--json", "--exit-code", "--user-pool-id", pool, "--store", store], env: env)
        #expect(diff.status == 1, "stderr: \(diff.stderr)")
        let lines = try diff.out.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let changes = lines.filter { $0["kind"] as? String != "summary" }
        #expect(changes.count == 2, "\(diff.out)")
        let changed = changes.first { $0["kind"] as? String == "client" }
        #expect(changed?["op"] as? String == "changed" && changed?["name"] as? String == "api-caller", "\(diff.out)")
        let fields = (changed?["changes"] as? [[String: Any]] ?? []).map { $0["field"] as? String ?? "" }
        #expect(fields == ["CallbackURLs"], "\(diff.out)")
        let added = changes.first { $0["kind"] as? String == "resource-server" }
        #expect(added?["op"] as? String == "added" && added?["name"] as? String == "https://billing.example.com", "\(diff.out)")
        let summary = try #require(lines.last)
        #expect((summary["config"] as? [String: Any])?["changed"] as? Int == 2, "\(diff.out)")
        for kind in ["users", "groups", "memberships"] {
            #expect(((summary[kind] as? [String: Int]) ?? [:]).values.allSatisfy { $0 == 0 }, "\(kind): \(diff.out)")
        }
        // The manifest's change summary counts them, and `list` shows it.
        let listed = try snap(["list", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        let entries = try #require(try JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]])
        let newest = try #require(entries.max { ($0["createdAt"] as? String ?? "") < ($1["createdAt"] as? String ?? "") })
        #expect(((newest["changes"] as? [String: Any])?["config"] as? [String: Any])?["changed"] as? Int == 2, "\(listed.out)")
        let table = try snap(["list", "--user-pool-id", pool, "--store", store], env: env)
        #expect(table.out.contains("+0 -0 ~0 config~2"), "\(table.out)")

        let text = try snap(["diff", "--user-pool-id", pool, "--store", store], env: env)
        #expect(text.out.contains("~ client: api-caller CallbackURLs"), "\(text.out)")
        #expect(text.out.contains("+ resource-server: https://billing.example.com"), "\(text.out)")

        // Against the live pool: a threat-protection change (served by the proxy) is all it shows.
        let risk: [String: Any] = [
            "UserPoolId": pool,
            "CompromisedCredentialsRiskConfiguration": ["EventFilter": ["SIGN_IN"], "Actions": ["EventAction": "NO_ACTION"]],
        ]
        _ = try aws(["cognito-idp", "set-risk-configuration", "--cli-input-json", try Self.canonical(risk)], env: env)
        let live = try snap(["diff", "latest", "pool:\(pool)", "--exit-code", "--user-pool-id", pool, "--store", store], env: env)
        #expect(live.status == 1, "stderr: \(live.stderr)")
        #expect(live.out.contains("~ pool: risk.AccountTakeoverRiskConfiguration"), "\(live.out)")
        #expect(
            live.out.contains("risk.CompromisedCredentialsRiskConfiguration.Actions.EventAction \"BLOCK\" -> \"NO_ACTION\""), "\(live.out)")
        #expect(!live.out.contains("client") && !live.out.contains("resource-server"), "\(live.out)")
    }

    @Test func aRefusedConfigurationReadFailsTheCreateNamingTheOperation() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        for operation in [
            "ListUserPoolClients", "DescribeUserPoolClient", "ListIdentityProviders", "DescribeIdentityProvider",
            "ListResourceServers", "DescribeUserPoolDomain",
        ] {
            let proxy = try AWSProxy(["--no-quota", "--fault", "\(operation):100:denied"], upstream: moto)
            defer { proxy.stop() }
            var faulty = env
            faulty["AWS_ENDPOINT_URL"] = proxy.endpoint
            let store = try tempFolder("capture-denied")
            let r = try snap(["create", "--user-pool-id", pool, "--store", store], env: faulty)
            #expect(r.status != 0, "\(operation)")
            #expect(r.stderr.contains(operation), "\(operation): \(r.stderr)")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(store)/\(pool)")) ?? []
            #expect(!left.contains { $0.hasSuffix(".json") }, "\(operation): \(left)")
        }
    }
}
