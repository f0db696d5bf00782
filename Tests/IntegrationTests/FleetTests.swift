import Foundation
import Testing

/// `--all` against moto (signatures checked; moto also holds Cognito calls to IAM policies, so a role
/// without cognito-idp is a denied pool): every [[pool]] of snap.toml, each with its own stores,
/// credentials and settings; one account lookup per set of credentials; one pool's failure never stops
/// the others. Pace and scale across accounts and regions: SimulatorFleetTests and scripts/bench_fleet.sh.
@Suite(.serialized) struct FleetTests {
    static func role(_ name: String, actions: String, env: [String: String]) throws -> String {
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let created =
            try aws(["iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust], env: env) as! [String: Any]
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":\#(actions),"Resource":"*"}]}"#
        _ = try aws(["iam", "put-role-policy", "--role-name", name, "--policy-name", "p", "--policy-document", policy], env: env)
        return (created["Role"] as! [String: Any])["Arn"] as! String
    }

    static func users(_ pool: String, region: String, env: [String: String]) throws -> Int {
        let out = try aws(["cognito-idp", "list-users", "--user-pool-id", pool, "--region", region], env: env) as! [String: Any]
        return (out["Users"] as! [Any]).count
    }

    static func lines(_ out: String) throws -> [[String: Any]] {
        try out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func createAllTakesEveryPoolEachWithItsOwnStoresCredentialsAndFate() throws {
        let moto = try Moto.shared()
        var seedEnv = moto.environment
        let a = try seedPool(extraUsers: 5, env: seedEnv)
        let c = try seedPool(extraUsers: 2, env: seedEnv)
        let down = try seedPool(extraUsers: 0, env: seedEnv)
        let denied = try seedPool(extraUsers: 0, env: seedEnv)
        seedEnv["AWS_DEFAULT_REGION"] = "eu-west-1"
        let b = try seedPool(extraUsers: 3, env: seedEnv)
        let tag = UUID().uuidString.prefix(8)
        let reader = try Self.role("snap-fleet-all-\(tag)", actions: #""*""#, env: moto.environment)
        let s3Only = try Self.role("snap-fleet-s3-\(tag)", actions: #"["s3:*","sts:GetCallerIdentity"]"#, env: moto.environment)

        let work = try tempFolder("fleet")
        FileManager.default.createFile(atPath: work + "/notadir", contents: Data())
        try "[fleet]\naws_access_key_id = \(moto.accessKeyId)\naws_secret_access_key = \(moto.secretAccessKey)\n"
            .write(toFile: work + "/credentials", atomically: true, encoding: .utf8)
        let config = """
            stores = ["\(work)/store"]
            [[pool]]
            id = "\(a)"
            stores = ["\(work)/store-a"]
            [pool.prune]
            keep_last = 1
            [[pool]]
            id = "\(b)"
            role_arn = "\(reader)"
            [[pool]]
            id = "\(c)"
            profile = "fleet"
            [[pool]]
            id = "us-east-1_nosuchpool"
            [[pool]]
            id = "\(down)"
            stores = ["\(work)/notadir/store"]
            [[pool]]
            id = "\(denied)"
            role_arn = "\(s3Only)"
            """
        try config.write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let proxy = try AWSProxy(["--no-quota"], upstream: moto)
        defer { proxy.stop() }
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        env["AWS_SHARED_CREDENTIALS_FILE"] = work + "/credentials"

        let r = try snap(["create", "--all", "--json"], env: env, cwd: work)
        #expect(r.status == 3, "some pools succeeded: \(r.stderr)")
        let objects = try Self.lines(r.out)
        #expect(objects.count == 7, "one object per pool and the summary: \(r.out)")
        let byPool = Dictionary(uniqueKeysWithValues: objects.dropLast().map { ($0["pool"] as! String, $0) })
        for (pool, region, store) in [(a, "us-east-1", "store-a"), (b, "eu-west-1", "store"), (c, "us-east-1", "store")] {
            let o = try #require(byPool[pool], "\(pool) reported")
            #expect(o["status"] as? String == "ok", "\(o)")
            #expect(o["account"] as? String == "123456789012", "the account from STS")
            #expect(o["region"] as? String == region)
            let id = try #require(o["id"] as? String)
            let archive = "\(work)/\(store)/\(pool)/\(id).tar.zst"
            #expect(FileManager.default.fileExists(atPath: archive), "\(pool) in its own store")
            let dir = try tempFolder("fleet-\(pool)")
            try untar(archive, into: dir)
            #expect(try jsonLines(dir + "/users.jsonl").count == Self.users(pool, region: region, env: moto.environment), "\(pool) exact")
        }
        for (pool, says) in [
            ("us-east-1_nosuchpool", "not found"), (down, "notadir/store"),
            (denied, "not authorized to perform: cognito-idp:DescribeUserPool"),
        ] {
            let o = try #require(byPool[pool])
            #expect(o["status"] as? String == "failed", "\(o)")
            #expect((o["errors"] as? [String])?.contains { $0.contains(says) } == true, "\(o)")
            #expect(r.stderr.contains("snap: error: \(pool): "), "its error line names it: \(r.stderr)")
        }
        let summary = try #require(objects.last?["summary"] as? [String: Any])
        #expect(summary["ok"] as? Int == 3 && summary["failed"] as? Int == 3 && summary["exitCode"] as? Int == 3, "\(summary)")
        // One account lookup per set of credentials (the run's own, the reader role, the profile, the S3-only role).
        let calls = try proxy.operationCounts()
        #expect(calls["GetCallerIdentity"] == 4, "\(calls)")
        #expect(calls["AssumeRole"] == 2, "\(calls)")

        // Text: one line per pool and the total.
        let text = try snap(["create", "--all"], env: env, cwd: work)
        #expect(text.status == 3)
        #expect(text.out.split(separator: "\n").count == 6, "\(text.out)")
        #expect(text.out.contains("\(denied) (us-east-1, 123456789012) failed: cognito-idp DescribeUserPool failed"), "\(text.out)")
        #expect(text.stderr.contains("6 pools: 3 ok, 0 partial, 3 failed"), "\(text.stderr)")

        // The other commands take --all the same way, each pool in its own stores.
        let list = try snap(["list", "--all"], env: env, cwd: work)
        #expect(list.status == 3, "the down store: \(list.stderr)")
        #expect(list.out.contains("# \(a) (us-east-1)") && list.out.contains("# \(b) (eu-west-1)"), "\(list.out)")
        #expect(list.out.components(separatedBy: a).count - 1 >= 3, "pool a's header and its two snapshots: \(list.out)")
        let verify = try snap(["verify", "--all", "--json"], env: env, cwd: work)
        #expect(verify.status == 3, "\(verify.stderr)")
        #expect(verify.out.contains(#""pool":"\#(b)""#), "JSON lines name their pool: \(verify.out)")
        // Pool a has its own [pool.prune] (keep_last = 1); the others have none, and say so.
        let prune = try snap(["prune", "--all"], env: env, cwd: work)
        #expect(prune.status == 3, "\(prune.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(work)/store-a/\(a)").filter { $0.hasSuffix(".tar.zst") }.count == 1)
        #expect(prune.stderr.contains("snap: error: \(b): no retention policy"), "\(prune.stderr)")
        let check = try snap(["check", "--all", "--max-age", "1h"], env: env, cwd: work)
        #expect(check.status == 3, "\(check.stderr)")
    }

    /// One pool named with --user-pool-id takes its [[pool]] table as --all would: its stores, prune policy and
    /// role; --store on the command line still wins; a table whose profile is missing fails, naming it.
    @Test func aPoolNamedByUserPoolIdTakesItsTable() throws {
        let moto = try Moto.shared()
        let a = try seedPool(extraUsers: 2, env: moto.environment)
        let denied = try seedPool(extraUsers: 0, env: moto.environment)
        let s3Only = try Self.role("snap-fleet-one-\(UUID().uuidString.prefix(8))", actions: #"["s3:*"]"#, env: moto.environment)
        let work = try tempFolder("fleet-one")
        try """
        stores = ["\(work)/store"]
        [[pool]]
        id = "\(a)"
        stores = ["\(work)/store-a"]
        [pool.prune]
        keep_last = 1
        [[pool]]
        id = "\(denied)"
        role_arn = "\(s3Only)"
        [[pool]]
        id = "us-east-1_noprofile"
        profile = "nosuch"
        """.write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        func archives(_ folder: String) throws -> [String] {
            guard FileManager.default.fileExists(atPath: folder) else { return [] }
            return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tar.zst") }
        }

        for _ in 0..<2 {
            let r = try snap(["create", "--user-pool-id", a], env: moto.environment, cwd: work)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try archives("\(work)/store-a/\(a)").count == 2, "the table's store")
        #expect(try archives("\(work)/store/\(a)").isEmpty, "not the file's default store")
        let given = try snap(["create", "--user-pool-id", a, "--store", work + "/given"], env: moto.environment, cwd: work)
        #expect(given.status == 0, "\(given.stderr)")
        #expect(try archives("\(work)/given/\(a)").count == 1, "--store wins over the table")
        let list = try snap(["list", "--user-pool-id", a, "--json"], env: moto.environment, cwd: work)
        let listed = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [Any]
        #expect(list.status == 0 && listed?.count == 2, "two snapshots in store-a: \(list.out) \(list.stderr)")
        let prune = try snap(["prune", "--user-pool-id", a], env: moto.environment, cwd: work)
        #expect(prune.status == 0, "the table's [pool.prune]: \(prune.stderr)")
        #expect(try archives("\(work)/store-a/\(a)").count == 1, "keep_last = 1")

        // The table's role signs the pool's calls: a role without cognito-idp is denied.
        let role = try snap(["create", "--user-pool-id", denied], env: moto.environment, cwd: work)
        #expect(role.status == 1, "\(role.stderr)")
        #expect(role.stderr.contains("not authorized to perform: cognito-idp:DescribeUserPool"), "\(role.stderr)")
        let profile = try snap(["list", "--user-pool-id", "us-east-1_noprofile"], env: moto.environment, cwd: work)
        #expect(profile.status != 0, "\(profile.stderr)")
        #expect(
            profile.stderr.contains("the [[pool]] table of us-east-1_noprofile (\(work)/snap.toml:10)")
                && profile.stderr.contains("profile \"nosuch\""),
            "\(profile.stderr)")
    }

    /// sync --all: each pool's own two stores brought level (a snapshot deleted from one store is copied back
    /// from the other); a pool whose second store cannot be written is reported and the other still synced.
    @Test func syncAllLevelsEachPoolsOwnStores() throws {
        let moto = try Moto.shared()
        let a = try seedPool(extraUsers: 1, env: moto.environment)
        let b = try seedPool(extraUsers: 2, env: moto.environment)
        let work = try tempFolder("fleet-sync")
        try """
        [[pool]]
        id = "\(a)"
        stores = ["\(work)/a1", "\(work)/a2"]
        [[pool]]
        id = "\(b)"
        stores = ["\(work)/b1", "\(work)/b2"]
        """.write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let created = try snap(["create", "--all"], env: moto.environment, cwd: work)
        #expect(created.status == 0, "\(created.stderr)")
        func snapshots(_ store: String, _ pool: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "\(work)/\(store)/\(pool)").filter { $0.hasSuffix(".tar.zst") }
        }
        let lost = try #require(try snapshots("a2", a).first)
        try FileManager.default.removeItem(atPath: "\(work)/a2/\(a)/\(lost)")
        let synced = try snap(["sync", "--all"], env: moto.environment, cwd: work)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(try snapshots("a2", a) == [lost], "copied back into a2")
        #expect(synced.out.contains("# \(a) (us-east-1)") && synced.out.contains("# \(b) (us-east-1)"), "\(synced.out)")
        #expect(synced.stderr.contains("2 pools: 2 ok, 0 partial, 0 failed"), "\(synced.stderr)")

        // Pool b's second store becomes a file: b is reported, a is still checked and left level.
        try FileManager.default.removeItem(atPath: "\(work)/b2")
        FileManager.default.createFile(atPath: "\(work)/b2", contents: Data())
        let partial = try snap(["sync", "--all"], env: moto.environment, cwd: work)
        #expect(partial.status == 3, "\(partial.stderr)")
        #expect(partial.stderr.contains("snap: error: \(b): store \(work)/b2 cannot be read"), "names pool b's store: \(partial.stderr)")
        #expect(partial.stderr.contains("2 pools: 1 ok, 1 partial, 0 failed"), "pool a still synced: \(partial.stderr)")
    }

    @Test func discoverTakesEveryPoolOfTheRegions() throws {
        let moto = try Moto.shared()
        var seedEnv = moto.environment
        // A region no other test uses: the shared moto holds every other suite's pools.
        seedEnv["AWS_DEFAULT_REGION"] = "ca-central-1"
        let p1 = try seedPool(extraUsers: 1, env: seedEnv)
        let p2 = try seedPool(extraUsers: 2, env: seedEnv)
        let work = try tempFolder("discover")
        let r = try snap(["create", "--all", "--discover", "ca-central-1", "--store", work + "/store"], env: moto.environment, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("--discover: 2 pool(s) in ca-central-1"), "\(r.stderr)")
        for p in [p1, p2] {
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(work)/store/\(p)")
            #expect(files.filter { $0.hasSuffix(".tar.zst") }.count == 1, "\(p): \(files)")
        }
        // A region that cannot be listed is reported, and the rest still run.
        var noEndpoint = moto.environment
        noEndpoint["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = "http://127.0.0.1:9"
        let bad = try snap(["create", "--all", "--discover", "ca-central-1", "--store", work + "/store"], env: noEndpoint, cwd: work)
        #expect(bad.status == 1, "\(bad.stderr)")
        #expect(bad.stderr.contains("--discover ca-central-1: ListUserPools failed"), "\(bad.stderr)")
    }

    @Test func usageErrorsNameTheFix() throws {
        let moto = try Moto.shared()
        let work = try tempFolder("fleet-usage")
        let noPools = try snap(["create", "--all"], env: moto.environment, cwd: work)
        #expect(noPools.status == 64, "\(noPools.stderr)")
        #expect(noPools.stderr.contains("--all takes the pools of snap.toml's [[pool]] tables"), "\(noPools.stderr)")
        let discoverAlone = try snap(["create", "--discover", "us-east-1"], env: moto.environment, cwd: work)
        #expect(discoverAlone.status == 64 && discoverAlone.stderr.contains("--discover goes with --all"), "\(discoverAlone.stderr)")
        let both = try snap(["create", "--all", "--user-pool-id", "us-east-1_X"], env: moto.environment, cwd: work)
        #expect(both.status == 64 && both.stderr.contains("give one or the other"), "\(both.stderr)")
        try "[[pool]]\nid = \"us-east-1_A\"\nprofile = \"nosuch\"\n".write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        let profile = try snap(["create", "--all"], env: moto.environment, cwd: work)
        #expect(profile.status == 1, "\(profile.stderr)")
        #expect(profile.stderr.contains("profile \"nosuch\" is in neither shared file"), "\(profile.stderr)")
        #expect(profile.stderr.contains("snap.toml:1"), "names where the pool is set: \(profile.stderr)")
    }
}
