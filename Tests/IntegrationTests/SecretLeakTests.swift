import Foundation
import Testing

/// Secrets stay secret under faults (issue 11, item 5): with temporary
/// credentials (a session token) and every kind of fault, including refused
/// signatures and denied access, no output of any command holds the secret
/// access key, the session token, or a signature the proxy saw.
@Suite(.serialized) struct SecretLeakTests {
    /// Temporary credentials from moto's STS for a role allowed everything.
    static func temporaryCredentials(_ env: [String: String]) throws -> (id: String, secret: String, token: String) {
        let role = "snap-leak-\(UUID().uuidString.prefix(8).lowercased())"
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let created =
            try aws(["iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust], env: env) as! [String: Any]
        let arn = (created["Role"] as! [String: Any])["Arn"] as! String
        let allow = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try aws(["iam", "put-role-policy", "--role-name", role, "--policy-name", "all", "--policy-document", allow], env: env)
        let assumed = try aws(["sts", "assume-role", "--role-arn", arn, "--role-session-name", "leak"], env: env) as! [String: Any]
        let c = assumed["Credentials"] as! [String: Any]
        return (c["AccessKeyId"] as! String, c["SecretAccessKey"] as! String, c["SessionToken"] as! String)
    }

    @Test func noSecretInAnyOutputUnderFaults() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 10, env: env)
        let creds = try Self.temporaryCredentials(env)
        var temp = env
        temp["AWS_ACCESS_KEY_ID"] = creds.id
        temp["AWS_SECRET_ACCESS_KEY"] = creds.secret
        temp["AWS_SESSION_TOKEN"] = creds.token
        // The temporary credentials work at all (else this test proves nothing).
        let local = try tempFolder("leak")
        let bucket = try newBucket("leak", env: env)
        let stores = ["--store", local, "--store", "s3://\(bucket)"]
        let ok = try snap(["create", "--user-pool-id", pool] + stores, env: temp)
        try #require(ok.status == 0, "create with temporary credentials: \(ok.stderr)")
        let id = ok.out.trimmingCharacters(in: .whitespacesAndNewlines)
        // Issue 21: a pool with a confidential app client and an OIDC provider; their secrets are never stored or shown.
        let configured = try seedPool(extraUsers: 0, env: env, spec: ConfigurationCaptureTests.spec)
        let clientSecret = try #require(
            try ConfigurationCaptureTests.cliClients(configured, env: env)["web"]?["ClientSecret"] as? String)
        let poolSecrets = [clientSecret, ConfigurationCaptureTests.oidcSecret]
        let configuredOK = try snap(["create", "--user-pool-id", configured] + stores, env: temp)
        try #require(configuredOK.status == 0, "create of the configured pool: \(configuredOK.stderr)")
        let configuredID = configuredOK.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let archiveText = try run("sh", ["-c", "zstd -dc \"$0\"", "\(local)/\(configured)/\(configuredID).tar.zst"], env: env).out
        #expect(archiveText.contains("clients.jsonl") && archiveText.contains(#"{"redacted":true}"#))
        for s in poolSecrets { #expect(!archiveText.contains(s), "the archive holds a secret (\(s.prefix(4))…)") }
        // Verbose output too, once the CLI has it.
        let help = try snap(["create", "--help"], env: env).out
        let verbose = help.contains("-vv") || help.contains("--verbose") ? ["-vv"] : []

        var outputs: [(String, RunResult)] = [("create", ok), ("create of the configured pool", configuredOK)]
        var seen: [String] = []
        let refusals: [[String]] = [
            ["--fault-rate", "*:1:SignatureDoesNotMatch@403"], ["--fault-rate", "*:1:AccessDenied@403"],
            ["--fault-rate", "*:1:ExpiredToken@400"],
        ]
        // The short version mixes the retried faults into one set.
        let retried: [[String]] =
            Trials.full
            ? [
                ["--fault-rate", "*:0.3:500"], ["--fault-rate", "*:0.3:reset"], ["--fault-rate", "*:0.3:truncate"],
                ["--fault-rate", "cognito:0.5:throttle", "--fault-rate", "s3:0.3:503"],
            ]
            : [
                [
                    "--fault-rate", "*:0.1:500", "--fault-rate", "*:0.1:reset", "--fault-rate", "*:0.1:truncate",
                    "--fault-rate", "cognito:0.2:throttle", "--fault-rate", "s3:0.1:503",
                ]
            ]
        let faultSets = retried + (Trials.full ? refusals : Array(refusals.prefix(2)))
        for faults in faultSets {
            let proxy = try AWSProxy(["--no-quota", "--record-secrets", "--seed", "7"] + faults, upstream: moto)
            defer { proxy.stop() }
            var faulty = temp
            faulty["AWS_ENDPOINT_URL"] = proxy.endpoint
            let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
            let work = try tempFolder("leak-work")
            let commands: [[String]] = [
                ["create", "--user-pool-id", pool] + stores, ["list", "--user-pool-id", pool] + stores,
                ["verify", "--all", "--user-pool-id", pool] + stores, ["cat", id, "users", "--user-pool-id", pool] + stores,
                ["sync", "--user-pool-id", pool] + stores, ["prune", "--keep-last", "5", "--user-pool-id", pool] + stores,
                ["restore", id, "--user-pool-id", target, "--store", "s3://\(bucket)"],
                ["diff", id, "pool:\(pool)", "--user-pool-id", pool] + stores,
                ["create", "--user-pool-id", configured] + stores,
                ["cat", configuredID, "clients", "--user-pool-id", configured] + stores,
                ["cat", configuredID, "providers", "--user-pool-id", configured] + stores,
            ]
            for c in commands {
                outputs.append(("\(c[0]) under \(faults.joined(separator: " "))", try snap(c + verbose, env: faulty, cwd: work)))
            }
            seen += try proxy.secrets()
        }
        #expect(seen.contains(creds.token), "the proxy saw the session token")
        #expect(seen.count > 10, "the proxy saw signatures")
        let secrets = [creds.secret, creds.token, moto.secretAccessKey] + poolSecrets + seen
        for (what, r) in outputs { expectNoSecrets(r, secrets, what) }
        // Each refused call was reported, by name.
        let refused = outputs.filter { $0.0.contains("SignatureDoesNotMatch") && $0.1.status != 0 }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.1.stderr.contains("signature") || $0.1.stderr.contains("Signature") })
    }
}
