import Foundation
import Testing

/// Faults injected at random into a share of every Cognito and S3 call
/// (issue 11, item 1): 500 and 503 answers, connections reset mid-body,
/// truncated bodies, stalls longer than the client's timeout, throttling.
/// Under each, `create`, `verify`, `sync`, `prune` and `restore` either
/// finish with exactly the right content or fail cleanly, naming the fault,
/// with nothing half-visible. The after-checks read moto directly.
@Suite(.serialized) struct FaultTrialTests {
    static let kinds = ["500", "503", "reset", "truncate", "stall", "throttle"]

    /// The short version mixes every kind into one round; the full one tries each kind alone, two rounds each.
    static let rounds = Trials.full ? kinds : ["mixed"]

    /// Words by which a failure's message names the fault.
    static func named(_ kind: String) -> [String] {
        switch kind {
        case "500": return ["500", "internalerror"]
        case "503": return ["503", "serviceunavailable"]
        case "reset": return ["reset", "receiving from", "dropped", "recv failure"]
        case "truncate": return ["transfer closed", "receiving from", "dropped", "partial"]
        case "stall": return ["timed out", "timeout"]
        case "throttle": return ["toomanyrequests", "rate exceeded", "slowdown", "throttl"]
        default: return kinds.flatMap(named)
        }
    }

    /// A failed command says which fault stopped it; a successful one is checked by the caller.
    static func expectCleanOrNamed(_ r: RunResult, kind: String, _ what: String, allowed: Set<Int32> = [0]) {
        expectNoSecrets(r, secrets, what)
        if allowed.contains(r.status) && r.status == 0 { return }
        let text = r.stderr.lowercased() + r.out.lowercased()
        #expect([1, 3].contains(r.status) || allowed.contains(r.status), "\(what) under \(kind): exit \(r.status): \(r.stderr)")
        #expect(named(kind).contains { text.contains($0) }, "\(what) under \(kind) failed without naming the fault: \(r.stderr)")
    }

    nonisolated(unsafe) static var secrets: [String] = []

    /// One pool, and its content as a fault-free create writes it.
    struct Fixture {
        let pool: String
        let digests: [String: String]
    }

    static let fixture: Result<Fixture, TestFailure> = {
        do {
            let moto = try Moto.shared()
            let pool = try seedPool(extraUsers: 30, env: moto.environment)
            let store = try tempFolder("fault-base")
            let r = try snap(["create", "--user-pool-id", pool, "--store", store], env: moto.environment)
            guard r.status == 0 else { throw TestFailure("baseline create: \(r.stderr)") }
            let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
            return .success(Fixture(pool: pool, digests: try memberDigests(store: store, pool: pool, id: id)))
        } catch {
            return .failure(error as? TestFailure ?? TestFailure("\(error)"))
        }
    }()

    @Test(arguments: rounds) func everyCommandUnderRandomFaults(kind: String) throws {
        let moto = try Moto.shared()
        let env = moto.environment
        Self.secrets = [moto.secretAccessKey]
        let fixture = try Self.fixture.get()
        let pool = fixture.pool
        var rng = Trials.generator("faults-\(kind)")
        for round in 0..<Trials.count(short: 1, full: 2) {
            let seed = rng.next() % 1_000_000
            // Stalls cost the client's whole timeout, so fewer of them.
            let rates =
                kind == "mixed"
                ? Self.kinds.flatMap { ["--fault-rate", "*:\($0 == "stall" ? "0.01" : "0.025"):\($0)"] }
                : ["--fault-rate", "*:\(kind == "stall" ? "0.04" : "0.12"):\(kind)"]
            let proxy = try AWSProxy(
                ["--no-quota", "--seed", String(seed), "--stall-seconds", "4", "--record-secrets"] + rates, upstream: moto)
            defer { proxy.stop() }
            var faulty = env
            faulty["AWS_ENDPOINT_URL"] = proxy.endpoint
            faulty["SNAP_TEST_LOW_SPEED_SECONDS"] = "2"
            let context = "\(kind) round \(round) seed \(seed)"

            let local = try tempFolder("fault-local")
            let bucket = try newBucket("fault", env: env)
            let stores = [local, "s3://\(bucket)"]
            let storeArgs = stores.flatMap { ["--store", $0] }

            // create: exactly the pool's content in every store written, or a named failure.
            let c = try snap(["create", "--user-pool-id", pool] + storeArgs, env: faulty)
            Self.expectCleanOrNamed(c, kind: kind, "create (\(context))", allowed: [0, 3])
            var ids = try expectStoresConsistent(pool: pool, stores: stores, env: env, "create (\(context))")
            if c.status == 0 {
                let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(ids == [id], "\(context): list after create")
                #expect(try memberDigests(store: local, pool: pool, id: id) == fixture.digests, "\(context): content differs")
            }
            // Later commands need something to work on.
            if c.status != 0 || ids.isEmpty {
                let clean = try snap(["create", "--user-pool-id", pool] + storeArgs, env: env)
                try #require(clean.status == 0, "clean create: \(clean.stderr)")
                ids = try expectStoresConsistent(pool: pool, stores: stores, env: env, "clean create (\(context))")
            }

            // verify: every copy ok, or a named failure (never a good copy called damaged).
            let v = try snap(["verify", "--all", "--user-pool-id", pool] + storeArgs, env: faulty)
            Self.expectCleanOrNamed(v, kind: kind, "verify (\(context))", allowed: [0, 3])
            if v.status != 0 {
                #expect(!v.out.lowercased().contains("sha256"), "\(context): a fault taken for damage: \(v.out)")
            }

            // sync into a new empty bucket: complete copies only.
            let extra = try newBucket("fault-sync", env: env)
            let three = stores + ["s3://\(extra)"]
            let s = try snap(["sync", "--user-pool-id", pool] + three.flatMap { ["--store", $0] }, env: faulty)
            Self.expectCleanOrNamed(s, kind: kind, "sync (\(context))", allowed: [0, 3])
            try expectStoresConsistent(pool: pool, stores: three, env: env, "sync (\(context))")
            if s.status == 0 {
                let copied = Set(try storeKeys("s3://\(extra)", pool: pool, env: env).filter { $0.hasSuffix(".json") && !$0.contains("/") })
                #expect(copied == Set(ids.map { $0 + ".json" }), "\(context): sync reported success but copied \(copied)")
            }

            // prune to the newest of two: the newest stays everywhere, nothing half-deleted is listed.
            let second = try snap(["create", "--user-pool-id", pool] + storeArgs, env: env)
            try #require(second.status == 0, "second create: \(second.stderr)")
            let newest = second.out.trimmingCharacters(in: .whitespacesAndNewlines)
            let p = try snap(["prune", "--keep-last", "1", "--user-pool-id", pool] + storeArgs, env: faulty)
            Self.expectCleanOrNamed(p, kind: kind, "prune (\(context))", allowed: [0, 3])
            let left = try expectStoresConsistent(pool: pool, stores: stores, env: env, "prune (\(context))")
            #expect(left.contains(newest), "\(context): prune lost the newest snapshot")
            if p.status == 0 { #expect(left == [newest], "\(context): prune reported success but left \(left)") }

            // restore from the S3 store: exact, or a named failure that --resume (no faults) completes exactly.
            let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
            let work = try tempFolder("fault-restore")
            let restoreArgs = ["restore", newest, "--user-pool-id", target, "--store", "s3://\(bucket)"]
            let r = try snap(restoreArgs, env: faulty, cwd: work)
            Self.expectCleanOrNamed(r, kind: kind, "restore (\(context))")
            if r.status != 0 {
                let resumed = try snap(restoreArgs + ["--resume"], env: env, cwd: work)
                #expect(resumed.status == 0, "\(context): resume: \(resumed.stderr)")
            }
            let unpackStore = try tempFolder("fault-unpack")
            let fetched = try run(
                "aws", ["s3", "cp", "s3://\(bucket)/\(pool)/\(newest).tar.zst", "\(unpackStore)/\(pool)/\(newest).tar.zst"], env: env)
            try #require(fetched.status == 0, "aws s3 cp: \(fetched.stderr)")
            try RestoreTests.expectPool(
                target, region: "us-east-1", equals: try RestoreTests.unpack(store: unpackStore, pool: pool, id: newest),
                subMap: "\(work)/restore-\(newest)-\(target).submap.jsonl", env: env)

            // Nothing the proxy saw signed may appear in any output.
            let seen = try proxy.secrets()
            for out in [c, v, s, p, r] { expectNoSecrets(out, seen, "\(context): signatures and tokens") }
            let injected = try proxy.injectedCount()
            print(
                "trials: faults \(context): injected \(injected); exits create \(c.status) verify \(v.status) sync \(s.status) prune \(p.status) restore \(r.status)"
            )
        }
    }

    /// Every call of one operation fails: the command fails cleanly, naming the fault, and leaves nothing half-visible.
    @Test(arguments: Trials.full ? ["500", "503", "reset", "truncate", "throttle"] : ["503", "reset"]) func everyUploadFailing(kind: String)
        throws
    {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try Self.fixture.get().pool
        let proxy = try AWSProxy(["--no-quota", "--fault-rate", "PutObject:1:\(kind)"], upstream: moto)
        defer { proxy.stop() }
        var faulty = env
        faulty["AWS_ENDPOINT_URL"] = proxy.endpoint
        let local = try tempFolder("fault-hard")
        let bucket = try newBucket("fault-hard", env: env)
        let stores = [local, "s3://\(bucket)"]
        let c = try snap(["create", "--user-pool-id", pool] + stores.flatMap { ["--store", $0] }, env: faulty)
        #expect(c.status == 3, "\(kind): the local store is written, the bucket is not: \(c.stderr)")
        Self.expectCleanOrNamed(c, kind: kind, "create with every PutObject failing", allowed: [3])
        let ids = try expectStoresConsistent(pool: pool, stores: stores, env: env, "hard \(kind)")
        #expect(ids.count == 1)
        #expect(try storeKeys("s3://\(bucket)", pool: pool, env: env).filter { $0.hasSuffix(".json") && !$0.contains("/") }.isEmpty)
    }
}
