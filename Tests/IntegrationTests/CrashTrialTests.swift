import Foundation
import Testing

/// kill -9 at random moments (issue 11, item 2). Each scenario measures one
/// undisturbed run, then kills runs at moments drawn uniformly from that
/// span, and checks afterwards, reading moto directly: `snap list` shows only
/// complete snapshots, `snap verify --all` passes, the next command of the
/// same kind and the next `create` succeed, and a killed restore ends exact
/// with `--resume`. The short version runs a few trials per scenario; with
/// `SNAP_TRIALS=full`, 50 each.
@Suite(.serialized) struct CrashTrialTests {
    static let trials = Trials.count(short: 2, full: 50)

    /// What one scenario saw, printed for RELIABILITY.md.
    struct Tally {
        var name: String
        var trials = 0
        var killed = 0
        var finished = 0
        /// The span kills are drawn from: the first undisturbed run's length,
        /// then the length of the latest run that finished before its kill
        /// (the first run is the slowest, cold), so kills keep landing inside runs.
        var span: Double

        init(name: String, span: Double) {
            self.name = name
            self.span = span
        }

        mutating func add(_ r: RunResult, _ bg: Background, delay: Double) {
            trials += 1
            let wasKilled = r.status == SIGKILL && r.stdout.isEmpty
            if wasKilled { killed += 1 } else { finished += 1 }
            if !wasKilled { span = bg.elapsed }
            Swift.print(
                "trials: crash \(name) trial \(trials): \(wasKilled ? "killed" : "finished") at \(String(format: "%.3f", delay))s")
        }
        func print() {
            Swift.print("trials: crash \(name): \(trials) trials, \(killed) killed mid-run, \(finished) finished first")
        }
    }

    /// A slow road to moto (round trips of 15 ms), so a run lasts long enough to be cut anywhere.
    static func slowRoad(_ moto: Moto) throws -> (AWSProxy, [String: String]) {
        let proxy = try AWSProxy(["--no-quota", "--latency-ms", "15"], upstream: moto)
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        return (proxy, env)
    }

    /// Seconds one undisturbed run takes.
    static func timed(_ args: [String], env: [String: String], cwd: String? = nil) throws -> Double {
        let start = Date()
        let r = try snap(args, env: env, cwd: cwd)
        guard r.status == 0 else { throw TestFailure("untimed run of \(args.first ?? "") failed: \(r.stderr)") }
        return Date().timeIntervalSince(start)
    }

    static func createID(_ pool: String, stores: [String], env: [String: String]) throws -> String {
        let r = try snap(["create", "--user-pool-id", pool] + stores.flatMap { ["--store", $0] }, env: env)
        guard r.status == 0 else { throw TestFailure("create failed: \(r.stderr)") }
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A copy of a local store's pool folder in a new bucket.
    static func bucketCopy(of store: String, pool: String, env: [String: String]) throws -> String {
        let bucket = try newBucket("crash", env: env)
        let r = try run("aws", ["s3", "cp", "--recursive", "--quiet", "\(store)/\(pool)", "s3://\(bucket)/\(pool)"], env: env)
        guard r.status == 0 else { throw TestFailure("aws s3 cp: \(r.stderr)") }
        return "s3://\(bucket)"
    }

    static func localCopy(of store: String) throws -> String {
        let copy = try tempFolder("crash-copy") + "/store"
        guard try run("cp", ["-a", store, copy], env: ProcessInfo.processInfo.environment).status == 0 else {
            throw TestFailure("cp -a \(store)")
        }
        return copy
    }

    @Test(arguments: ["local", "s3"]) func createKilledAtRandom(kind: String) throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 30, env: env)
        let (proxy, slow) = try Self.slowRoad(moto)
        defer { proxy.stop() }
        // One snapshot already there, so the killed create also reads a previous one.
        let template = try tempFolder("crash-create") + "/store"
        _ = try Self.createID(pool, stores: [template], env: env)
        let fresh = { kind == "local" ? try Self.localCopy(of: template) : try Self.bucketCopy(of: template, pool: pool, env: env) }
        let span = try Self.timed(["create", "--user-pool-id", pool, "--store", try fresh()], env: slow)
        var rng = Trials.generator("crash-create-\(kind)")
        var tally = Tally(name: "create (\(kind) store)", span: span)
        for n in 0..<Self.trials {
            let store = try fresh()
            let delay = Double.random(in: 0...tally.span, using: &rng)
            let extra = kind == "s3" && n % 2 == 1 ? ["--multipart-threshold", "1"] : []
            let bg = try Background(["create", "--user-pool-id", pool, "--store", store] + extra, env: slow)
            let r = bg.kill9(after: delay)
            tally.add(r, bg, delay: delay)
            let context = "create \(kind) trial \(n), kill at \(String(format: "%.3f", delay))s of \(String(format: "%.3f", tally.span))s"
            #expect(r.status == 0 || r.status == SIGKILL, "\(context): exit \(r.status): \(r.stderr)")
            let before = try expectStoresConsistent(pool: pool, stores: [store], env: env, context)
            #expect(before.count == 1 || before.count == 2, "\(context): listed \(before)")
            let next = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
            #expect(next.status == 0, "\(context): next create: \(next.stderr)")
            let after = try expectStoresConsistent(
                pool: pool, stores: [store], env: env, context + ", after the next create", verify: false)
            #expect(after.count == before.count + 1, "\(context): \(before) then \(after)")
        }
        tally.print()
    }

    @Test func pruneKilledAtRandom() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 10, env: env)
        let (proxy, slow) = try Self.slowRoad(moto)
        defer { proxy.stop() }
        let template = try tempFolder("crash-prune") + "/store"
        var ids: [String] = []
        for _ in 0..<4 { ids.append(try Self.createID(pool, stores: [template], env: env)) }
        let fresh = { [try Self.localCopy(of: template), try Self.bucketCopy(of: template, pool: pool, env: env)] }
        let prune = { (stores: [String]) in ["prune", "--keep-last", "2", "--user-pool-id", pool] + stores.flatMap { ["--store", $0] } }
        let span = try Self.timed(prune(try fresh()), env: slow)
        var rng = Trials.generator("crash-prune")
        var tally = Tally(name: "prune (a local and an S3 store)", span: span)
        for n in 0..<Self.trials {
            let stores = try fresh()
            let delay = Double.random(in: 0...tally.span, using: &rng)
            let bg = try Background(prune(stores), env: slow)
            let r = bg.kill9(after: delay)
            tally.add(r, bg, delay: delay)
            let context = "prune trial \(n), kill at \(String(format: "%.3f", delay))s of \(String(format: "%.3f", tally.span))s"
            #expect(r.status == 0 || r.status == SIGKILL, "\(context): exit \(r.status): \(r.stderr)")
            let left = try expectStoresConsistent(pool: pool, stores: stores, env: env, context)
            #expect(Set(ids.suffix(2)).isSubset(of: left), "\(context): a kept snapshot is gone: \(left)")
            let again = try snap(prune(stores), env: env)
            #expect(again.status == 0, "\(context): next prune: \(again.stderr)")
            let kept = try expectStoresConsistent(pool: pool, stores: stores, env: env, context + ", after the next prune", verify: false)
            #expect(kept == Array(ids.suffix(2)), "\(context): the next prune left \(kept)")
            let next = try snap(["create", "--user-pool-id", pool] + stores.flatMap { ["--store", $0] }, env: env)
            #expect(next.status == 0, "\(context): next create: \(next.stderr)")
        }
        tally.print()
    }

    @Test func syncKilledAtRandom() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 10, env: env)
        let (proxy, slow) = try Self.slowRoad(moto)
        defer { proxy.stop() }
        let template = try tempFolder("crash-sync") + "/store"
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try Self.createID(pool, stores: [template], env: env)) }
        let fresh = { [try Self.localCopy(of: template), "s3://" + (try newBucket("crash-sync", env: env))] }
        let sync = { (stores: [String]) in ["sync", "--user-pool-id", pool] + stores.flatMap { ["--store", $0] } }
        let span = try Self.timed(sync(try fresh()), env: slow)
        var rng = Trials.generator("crash-sync")
        var tally = Tally(name: "sync (local to an empty S3 store)", span: span)
        for n in 0..<Self.trials {
            let stores = try fresh()
            let delay = Double.random(in: 0...tally.span, using: &rng)
            let bg = try Background(sync(stores), env: slow)
            let r = bg.kill9(after: delay)
            tally.add(r, bg, delay: delay)
            let context = "sync trial \(n), kill at \(String(format: "%.3f", delay))s of \(String(format: "%.3f", tally.span))s"
            #expect(r.status == 0 || r.status == SIGKILL, "\(context): exit \(r.status): \(r.stderr)")
            let listed = try expectStoresConsistent(pool: pool, stores: stores, env: env, context)
            #expect(listed == ids, "\(context): listed \(listed)")
            let again = try snap(sync(stores), env: env)
            #expect(again.status == 0, "\(context): next sync: \(again.stderr)")
            try expectStoresConsistent(pool: pool, stores: stores, env: env, context + ", after the next sync")
            let copied = Set(try storeKeys(stores[1], pool: pool, env: env).filter { $0.hasSuffix(".json") && !$0.contains("/") })
            #expect(copied == Set(ids.map { $0 + ".json" }), "\(context): after the next sync the bucket holds \(copied)")
            let next = try snap(["create", "--user-pool-id", pool] + stores.flatMap { ["--store", $0] }, env: env)
            #expect(next.status == 0, "\(context): next create: \(next.stderr)")
        }
        tally.print()
    }

    @Test func restoreKilledAtRandomThenResumedEndsExact() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let source = try seedPool(extraUsers: 40, env: env)
        let (proxy, slow) = try Self.slowRoad(moto)
        defer { proxy.stop() }
        let work = try tempFolder("crash-restore")
        let store = work + "/store"
        let id = try Self.createID(source, stores: [store], env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: source, id: id)
        let restore = { (target: String) in ["restore", id, "--user-pool-id", target, "--store", store] }
        let first = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
        let span = try Self.timed(restore(first), env: slow, cwd: work)
        var rng = Trials.generator("crash-restore")
        var tally = Tally(name: "restore", span: span)
        for n in 0..<Self.trials {
            let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: env)
            let delay = Double.random(in: 0...tally.span, using: &rng)
            let bg = try Background(restore(target), env: slow, cwd: work)
            let r = bg.kill9(after: delay)
            tally.add(r, bg, delay: delay)
            let context = "restore trial \(n), kill at \(String(format: "%.3f", delay))s of \(String(format: "%.3f", tally.span))s"
            #expect(r.status == 0 || r.status == SIGKILL, "\(context): exit \(r.status): \(r.stderr)")
            let resumed = try snap(restore(target) + ["--resume"], env: env, cwd: work)
            #expect(resumed.status == 0, "\(context): resume: \(resumed.stderr)")
            try RestoreTests.expectPool(
                target, region: "us-east-1", equals: snapshot, subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env)
        }
        try expectStoresConsistent(pool: source, stores: [store], env: env, "restore's store")
        tally.print()
    }
}
