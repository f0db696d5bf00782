import AWS
import Foundation
import SnapCore
import Testing

/// Issue 21, item 2: `create --with-secrets --secrets-kms-key ARN` keeps the app client and identity
/// provider secrets in secrets.enc, sealed under a data key from moto's KMS (real SigV4 signatures);
/// the plaintext is nowhere in the archive's bytes nor in any output at -vv, readers without
/// kms:Decrypt still verify, and RestoreSource.secrets opens it again.
@Suite(.serialized) struct SecretsCaptureTests {
    static let spec = Repo.root + "/fixtures/demo/configured-pool.json"
    static let oidcSecret = ConfigurationCaptureTests.oidcSecret

    /// A symmetric key made in moto's KMS; its ARN.
    static func kmsKey(env: [String: String]) throws -> String {
        let made = try aws(["kms", "create-key", "--description", "snap secrets test"], env: env) as! [String: Any]
        return try #require((made["KeyMetadata"] as? [String: Any])?["Arn"] as? String)
    }

    /// The web client's id and secret as moto gave them.
    static func webClient(_ pool: String, env: [String: String]) throws -> (id: String, secret: String) {
        let web = try #require(try ConfigurationCaptureTests.cliClients(pool, env: env)["web"])
        return (try #require(web["ClientId"] as? String), try #require(web["ClientSecret"] as? String))
    }

    /// secrets.enc decrypted in this process, as restore --create-pool does it, with the credentials in `env`.
    static func decrypted(store: String, pool: String, id: String, env: [String: String]) async throws -> CapturedSecrets? {
        let catalog = Catalog(stores: [LocalStore(root: store)])
        let found = try await SnapshotLookup(catalog: catalog).find(SnapshotRef(id), pool: pool)
        let source = try await RestoreSource.open(catalog: catalog, entry: found.entry, pool: pool, log: { _ in })
        defer { source.remove() }
        let environment = AWSEnvironment(env)
        let kms = try KMSClient(
            region: "us-east-1", environment: environment, http: HTTPClient(), credentials: CredentialsChain(environment: environment))
        return try await source.secrets(kms: kms)
    }

    static func created(_ r: RunResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(r.status == 0, "stdout: \(r.out) stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return try #require((try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])?["id"] as? String)
    }

    @Test func secretsAreSealedInSecretsEncAndNowhereElse() async throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        let web = try Self.webClient(pool, env: env)
        let secrets = [web.secret, Self.oidcSecret]
        let key = try Self.kmsKey(env: env)
        let work = try tempFolder("secrets")
        let store = work + "/store"

        let made = try snap(
            ["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json", "-vv"], env: env)
        let id = try Self.created(made)
        expectNoSecrets(made, secrets, "create --with-secrets -vv")
        #expect(made.stderr.contains("GenerateDataKey"), "-vv logs the KMS request (its body never): \(made.stderr)")
        let archive = "\(store)/\(pool)/\(id).tar.zst"

        // secrets.enc after config.json, before manifest.json; format stays 2.
        let listing = try run("sh", ["-c", "zstd -dc \"$0\" | tar -t", archive], env: env).out
        #expect(
            listing.split(separator: "\n") == [
                "pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "clients.jsonl", "providers.jsonl",
                "resource-servers.jsonl", "config.json", "secrets.enc", "manifest.json",
            ])
        let x = work + "/x"
        try FileManager.default.createDirectory(atPath: x, withIntermediateDirectories: true)
        try untar(archive, into: x)
        let sealed = try Data(contentsOf: URL(fileURLWithPath: x + "/secrets.enc"))
        #expect(sealed.count > 12 + 16 + 40, "nonce, ciphertext, tag: \(sealed.count) bytes")

        // The manifest's secrets field: the key, the data key as KMS encrypted it, secrets.enc's digest.
        let stored =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(store)/\(pool)/\(id).json"))) as! [String: Any]
        #expect(stored["format"] as? Int == 2)
        let field = try #require(stored["secrets"] as? [String: String], "\(stored.keys.sorted())")
        #expect(field["kmsKeyArn"] == key)
        #expect(Data(base64Encoded: field["encryptedDataKey"] ?? "").map { !$0.isEmpty } == true)
        let sha = try run("sha256sum", [x + "/secrets.enc"], env: env).out.prefix(64)
        #expect(field["sha256"] == String(sha))
        #expect((stored["files"] as? [String: Any])?["secrets.enc"] == nil, "secrets.enc is described by the secrets field only")

        // The plaintext is nowhere: not in the decompressed archive, not in secrets.enc, not in the manifest.
        let tarBytes = try run("sh", ["-c", "zstd -dc \"$0\"", archive], env: env).stdout
        for s in secrets {
            #expect(tarBytes.range(of: Data(s.utf8)) == nil, "the archive holds a secret (\(s.prefix(4))…)")
            #expect(sealed.range(of: Data(s.utf8)) == nil)
        }
        let grep = try run("grep", ["-r", "-a", "-l", "-F", "-e", secrets[0], "-e", secrets[1], x, store], env: env)
        #expect(grep.status == 1, "grep found a secret in: \(grep.out)")

        // Readers check secrets.enc's digest and print no secret at -vv (diff: against a second such snapshot).
        let id2 = try Self.created(
            try snap(["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json"], env: env))
        for command in [
            ["verify", "--all"], ["show", id], ["cat", id, "clients"], ["cat", id, "providers"], ["list"], ["diff", id, id2],
        ] {
            let r = try snap(command + ["--store", store, "--user-pool-id", pool, "-vv"], env: env)
            #expect(r.status == 0, "\(command): \(r.stderr)")
            expectNoSecrets(r, secrets, command.joined(separator: " "))
        }

        // cat refuses the member, saying why.
        let cat = try snap(["cat", id, "secrets", "--store", store, "--user-pool-id", pool], env: env)
        #expect(cat.status == 64, "\(cat.stderr)")
        #expect(cat.stdout.isEmpty && cat.stderr.contains("never printed"), "\(cat.stderr)")

        // RestoreSource.secrets opens it again with KMS Decrypt: the secrets as moto gave them.
        let opened = try #require(try await Self.decrypted(store: store, pool: pool, id: id, env: env))
        #expect(opened.clients == [web.id: web.secret], "\(opened)")
        #expect(opened.providers == ["Okta": ["client_secret": Self.oidcSecret]], "\(opened)")
    }

    @Test func aSnapshotWithoutSecretsHasNoSecretsEnc() async throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        let store = try tempFolder("no-secrets") + "/store"
        let id = try Self.created(try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env))
        let listing = try run("sh", ["-c", "zstd -dc \"$0\" | tar -t", "\(store)/\(pool)/\(id).tar.zst"], env: env).out
        #expect(!listing.contains("secrets.enc"))
        #expect(try await Self.decrypted(store: store, pool: pool, id: id, env: env) == nil)
    }

    /// verify, cat, diff and list need no kms:Decrypt; RestoreSource.secrets does, and says so.
    @Test func aReaderWithoutDecryptStillVerifies() async throws {
        let admin = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: admin, spec: Self.spec)
        let key = try Self.kmsKey(env: admin)
        let store = try tempFolder("no-decrypt") + "/store"
        let id = try Self.created(
            try snap(
                ["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json"], env: admin))

        let policy = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},\
            {"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}
            """
        let env = try Self.user("reader", policy: policy, admin: admin)

        let id2 = try Self.created(
            try snap(
                ["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json"], env: admin))
        for command in [["verify", "--all"], ["cat", id, "clients"], ["list"], ["diff", id, id2], ["show", id]] {
            let r = try snap(command + ["--store", store, "--user-pool-id", pool], env: env)
            #expect(r.status == 0, "\(command): \(r.stderr)")
        }
        do {
            _ = try await Self.decrypted(store: store, pool: pool, id: id, env: env)
            Issue.record("decrypted without kms:Decrypt")
        } catch {
            let text = "\(error)"
            #expect(text.contains(key) && text.contains(id) && text.contains("kms:Decrypt"), "\(text)")
        }
    }

    /// The README's policy `marker` (iam:create, iam:restore), as moto can check it: moto checks Cognito and
    /// KMS actions against the resource "*" only (it determines no resource ARN for either; a statement on the
    /// key's own ARN is refused there), so those statements name "*"; the actions are still checked exactly.
    static func readmePolicy(_ marker: String) throws -> String {
        let readme = try String(contentsOfFile: Repo.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "<!-- \(marker) -->").dropFirst().first)
        return try #require(section.components(separatedBy: "```json").dropFirst().first?.components(separatedBy: "```").first)
            .replacingOccurrences(of: "arn:aws:kms:REGION:ACCOUNT:key/SECRETS_KEY_ID", with: "*")
            .replacingOccurrences(of: "REGION", with: "us-east-1").replacingOccurrences(of: "ACCOUNT", with: "123456789012")
            .replacingOccurrences(of: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/TARGET_POOL_ID", with: "*")
            .replacingOccurrences(of: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/POOL_ID", with: "*")
    }

    /// An IAM user holding exactly `policy`; the environment that signs as it.
    static func user(_ name: String, policy: String, admin: [String: String]) throws -> [String: String] {
        let user = "\(name)-\(UUID().uuidString.prefix(6))"
        _ = try aws(["iam", "create-user", "--user-name", user], env: admin)
        _ = try aws(["iam", "put-user-policy", "--user-name", user, "--policy-name", name, "--policy-document", policy], env: admin)
        let made =
            (try aws(["iam", "create-access-key", "--user-name", user], env: admin) as! [String: Any])["AccessKey"] as! [String: Any]
        var env = admin
        env["AWS_ACCESS_KEY_ID"] = made["AccessKeyId"] as? String
        env["AWS_SECRET_ACCESS_KEY"] = made["SecretAccessKey"] as? String
        return env
    }

    /// The README's create policy is enough for --with-secrets, and without its KMS statement create fails
    /// naming kms:GenerateDataKey; its restore policy's kms:Decrypt opens secrets.enc.
    @Test func theREADMEPoliciesCoverSecrets() async throws {
        let admin = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: admin, spec: Self.spec)
        let key = try Self.kmsKey(env: admin)
        let store = try tempFolder("secrets-iam") + "/store"
        let createPolicy = try Self.readmePolicy("iam:create")
        #expect(createPolicy.contains(#""Action": ["kms:GenerateDataKey"], "Resource": "*""#), "\(createPolicy)")
        let creator = try Self.user("creator", policy: createPolicy, admin: admin)
        let args = ["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json"]
        let id = try Self.created(try snap(args, env: creator))

        let withoutKMS = createPolicy.replacingOccurrences(of: "\"kms:GenerateDataKey\"", with: "\"kms:DescribeKey\"")
        let denied = try snap(args, env: try Self.user("creator-nokms", policy: withoutKMS, admin: admin))
        #expect(denied.status == 1, "\(denied.stderr)")
        #expect(denied.stderr.contains("kms:GenerateDataKey") && denied.stderr.contains(key), "\(denied.stderr)")

        let restorePolicy = try Self.readmePolicy("iam:restore")
        #expect(restorePolicy.contains(#""Action": ["kms:Decrypt"], "Resource": "*""#), "\(restorePolicy)")
        let restorer = try Self.user("restorer", policy: restorePolicy, admin: admin)
        let opened = try await Self.decrypted(store: store, pool: pool, id: id, env: restorer)
        #expect(opened?.providers["Okta"]?["client_secret"] == Self.oidcSecret)
    }

    /// restore --create-pool decrypts secrets.enc before it creates anything: without kms:Decrypt it stops,
    /// naming the key, the snapshot and the permission; with it the dry run goes on, and prints no secret.
    @Test func restoreCreatePoolNeedsDecryptAndPrintsNoSecret() throws {
        let admin = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: admin, spec: Self.spec)
        let web = try Self.webClient(pool, env: admin)
        let key = try Self.kmsKey(env: admin)
        let work = try tempFolder("secrets-restore")
        let store = work + "/store"
        let id = try Self.created(
            try snap(
                ["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json"], env: admin))
        let args = [
            "restore", id, "--source-pool", pool, "--create-pool", "rebuilt", "--region", "us-east-1", "--store", store, "--dry-run",
            "-vv",
        ]
        let policy = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},\
            {"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}
            """
        let denied = try snap(args, env: try Self.user("no-decrypt", policy: policy, admin: admin), cwd: work)
        #expect(denied.status == 1, "\(denied.stderr)")
        #expect(denied.stderr.contains(key) && denied.stderr.contains(id) && denied.stderr.contains("kms:Decrypt"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("CreateUserPool"), "nothing is planned or created before the secrets are read")

        let planned = try snap(args, env: admin, cwd: work)
        #expect(planned.status == 0, "\(planned.stderr)")
        expectNoSecrets(planned, [web.secret, Self.oidcSecret], "restore --create-pool --dry-run -vv")
        expectNoSecrets(denied, [web.secret, Self.oidcSecret], "restore --create-pool without kms:Decrypt")
    }

    @Test func withSecretsNeedsAKeyThatExists() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        let store = try tempFolder("bad-key") + "/store"

        // No key: a usage error naming the flag and the setting; nothing is read or stored.
        let none = try snap(["create", "--user-pool-id", pool, "--store", store, "--with-secrets"], env: env)
        #expect(none.status == 64, "\(none.stderr)")
        #expect(none.stderr.contains("--secrets-kms-key") && none.stderr.contains("secrets_kms_key"), "\(none.stderr)")

        // The same from snap.toml.
        let config = try tempFolder("bad-key-config") + "/snap.toml"
        try "secrets = true\n".write(toFile: config, atomically: true, encoding: .utf8)
        let fromFile = try snap(["create", "--user-pool-id", pool, "--store", store, "--config", config], env: env)
        #expect(fromFile.status == 64 && fromFile.stderr.contains("--secrets-kms-key"), "\(fromFile.stderr)")

        // A key that does not exist: the error names it; nothing is stored.
        let missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
        let bad = try snap(["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", missing], env: env)
        #expect(bad.status == 1, "\(bad.stderr)")
        #expect(bad.stderr.contains(missing) && bad.stderr.contains("GenerateDataKey"), "\(bad.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(store)/\(pool)")) ?? []  // no folder: nothing stored
        #expect(left.allSatisfy { !$0.hasSuffix(".json") && !$0.hasSuffix(".tar.zst") }, "\(left)")

        // secrets_kms_key in snap.toml is used.
        let key = try Self.kmsKey(env: env)
        try "secrets = true\nsecrets_kms_key = \"\(key)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let id = try Self.created(try snap(["create", "--user-pool-id", pool, "--store", store, "--config", config, "--json"], env: env))
        let stored =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(store)/\(pool)/\(id).json"))) as! [String: Any]
        #expect((stored["secrets"] as? [String: String])?["kmsKeyArn"] == key)
    }

    /// Packs `members` of folder `dir` with tar and zstd into `archive`, and restates the archive's sha256 and
    /// size in the store's `<id>.json` beside it: a copy whose container is consistent, so what verify finds
    /// is in the members (as with an archive from another writer).
    static func repack(from dir: String, _ members: [String], into archive: String, id: String, env: [String: String]) throws {
        let r = try run(
            "sh",
            ["-c", "out=\"$1\"; shift; cd \"$0\" && tar --format=pax -cf - \"$@\" | zstd -q --check -f -o \"$out\"", dir, archive]
                + members,
            env: env)
        try #require(r.status == 0, "\(r.stderr)")
        let jsonPath = (archive as NSString).deletingLastPathComponent + "/\(id).json"
        var stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as! [String: Any]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        let sha = String(try run("sha256sum", [archive], env: env).out.prefix(64))
        stored["archive"] = ["sha256": sha, "bytes": bytes.count]
        try JSONSerialization.data(withJSONObject: stored, options: [.sortedKeys]).write(to: URL(fileURLWithPath: jsonPath))
    }

    /// An altered, missing, extra or misplaced secrets.enc is a damaged snapshot naming the member.
    @Test func aTamperedSecretsEncIsRefusedNamingTheMember() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: Self.spec)
        let key = try Self.kmsKey(env: env)
        let work = try tempFolder("tamper")
        let store = work + "/store"
        let id = try Self.created(
            try snap(["create", "--user-pool-id", pool, "--store", store, "--with-secrets", "--secrets-kms-key", key, "--json"], env: env))
        let archive = "\(store)/\(pool)/\(id).tar.zst"
        let original = try Data(contentsOf: URL(fileURLWithPath: archive))
        let originalJSON = try Data(contentsOf: URL(fileURLWithPath: "\(store)/\(pool)/\(id).json"))
        let x = work + "/x"
        try FileManager.default.createDirectory(atPath: x, withIntermediateDirectories: true)
        try untar(archive, into: x)
        let sealed = try Data(contentsOf: URL(fileURLWithPath: x + "/secrets.enc"))
        let config =
            ["pool.json", "groups.jsonl", "users.jsonl", "memberships.jsonl", "clients.jsonl", "providers.jsonl"]
            + ["resource-servers.jsonl", "config.json"]

        func repack(_ members: [String]) throws {
            try Self.repack(from: x, members, into: archive, id: id, env: env)
        }
        func expectRefused(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try snap(["verify", id, "--store", store, "--user-pool-id", pool], env: env)
            #expect(r.status != 0, "\(what): \(r.out)", sourceLocation: sourceLocation)
            #expect(
                (r.out + r.stderr).contains("secrets.enc") && (r.out + r.stderr).contains(id), "\(what): \(r.out) \(r.stderr)",
                sourceLocation: sourceLocation)
        }

        var altered = sealed
        altered[altered.count / 2] ^= 0x01
        try altered.write(to: URL(fileURLWithPath: x + "/secrets.enc"))
        try repack(config + ["secrets.enc", "manifest.json"])
        try expectRefused("altered")
        try sealed.write(to: URL(fileURLWithPath: x + "/secrets.enc"))

        try repack(config + ["manifest.json"])
        try expectRefused("missing")

        try repack(Array(config.dropLast()) + ["secrets.enc", "config.json", "manifest.json"])
        try expectRefused("misplaced")

        // Put back as written (and its .json as written), it verifies: the checks above refused the change, not the repacking alone.
        try original.write(to: URL(fileURLWithPath: archive))
        try originalJSON.write(to: URL(fileURLWithPath: "\(store)/\(pool)/\(id).json"))
        let intact = try snap(["verify", id, "--store", store, "--user-pool-id", pool], env: env)
        #expect(intact.status == 0, "\(intact.out) \(intact.stderr)")

        // Extra: a snapshot taken without secrets, given a secrets.enc.
        let plainId = try Self.created(try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env))
        let plainArchive = "\(store)/\(pool)/\(plainId).tar.zst"
        let y = work + "/y"
        try FileManager.default.createDirectory(atPath: y, withIntermediateDirectories: true)
        try untar(plainArchive, into: y)
        try sealed.write(to: URL(fileURLWithPath: y + "/secrets.enc"))
        try Self.repack(from: y, config + ["secrets.enc", "manifest.json"], into: plainArchive, id: plainId, env: env)
        let extra = try snap(["verify", plainId, "--store", store, "--user-pool-id", pool], env: env)
        #expect(extra.status != 0 && (extra.out + extra.stderr).contains("secrets.enc"), "\(extra.out) \(extra.stderr)")
    }
}
