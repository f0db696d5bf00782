import AWS
import Foundation
import Testing

@testable import SnapCore

/// Issue 7, item 5: locks that are ETag-conditional (S3, against moto, which
/// honours `If-Match` and `If-None-Match: *`) or lease-based (a local folder),
/// and a writer that loses its lock stops before committing.
@Suite(.serialized) struct LockTests {
    struct Log: Sendable {
        let lines = Lines()
        final class Lines: @unchecked Sendable {
            private let queue = DispatchQueue(label: "log")
            private var items: [String] = []
            func append(_ s: String) { queue.sync { items.append(s) } }
            var all: [String] { queue.sync { items } }
        }
        var sink: @Sendable (String) -> Void { { [lines] in lines.append($0) } }
    }

    func s3Store(_ moto: Moto, bucket: String, lockTTL: Duration = .seconds(600)) -> S3Store {
        S3Store(
            url: "s3://\(bucket)", bucket: bucket, prefix: "", region: "us-east-1",
            environment: AWSEnvironment(["AWS_ENDPOINT_URL": moto.endpoint]), http: HTTPClient(),
            credentials: StaticCredentialsProvider(Credentials(accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey)),
            lockTTL: lockTTL)
    }

    func newBucket(_ env: [String: String]) throws -> String {
        let b = "snap-lock-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", b], env: env)
        return b
    }

    func owner(_ host: String, pid: Int32 = 4242) -> LockOwner {
        LockOwner(
            host: host, bootId: "boot-\(host)", pid: pid, nonce: UUID().uuidString.lowercased(), started: "2026-01-01T00:00:00Z")
    }

    func putObject(_ bucket: String, _ key: String, _ data: Data, env: [String: String]) throws {
        let file = try tempFolder("lockbody") + "/body"
        try data.write(to: URL(fileURLWithPath: file))
        _ = try aws(["s3api", "put-object", "--bucket", bucket, "--key", key, "--body", file], env: env)
    }

    func getObject(_ bucket: String, _ key: String, env: [String: String]) throws -> Data {
        let file = try tempFolder("lockget") + "/o"
        _ = try aws(["s3api", "get-object", "--bucket", bucket, "--key", key, file], env: env)
        return try Data(contentsOf: URL(fileURLWithPath: file))
    }

    /// Several waiters race to take over an expired lock, many times: each
    /// time exactly one holds it. (Delete-then-put let two believe they did.)
    @Test func waitersRacingForAnS3LockNeverBothHoldIt() async throws {
        let moto = try Moto.shared()
        let bucket = try newBucket(moto.environment)
        let store = s3Store(moto, bucket: bucket)
        // Six rounds; scripts/sanitizers.sh asks for one (SNAP_LOCK_RACE_ROUNDS): under TSan each takes
        // about a minute, and a race there shows in the first round it happens in.
        let rounds = ProcessInfo.processInfo.environment["SNAP_LOCK_RACE_ROUNDS"].flatMap(Int.init) ?? 6
        for round in 0..<rounds {
            let pool = "us-east-1_race\(round)"
            // A one-second lease, run out by S3's clock.
            let stale = LockRecord(owner: owner("gone-host"), expires: Date(timeIntervalSinceNow: -60), leaseSeconds: 1)
            try putObject(bucket, "\(pool)/lock", stale.data, env: moto.environment)
            try await Task.sleep(for: .seconds(2.2))
            let waiters = (0..<4).map { owner("waiter-\($0)") }
            let results = await withTaskGroup(of: (Int, (any StoreLock)?).self) { group in
                for (i, w) in waiters.enumerated() {
                    group.addTask {
                        let lock = try? await store.lock(pool: pool, owner: w, wait: .zero, log: { _ in })  // lockHeld is the expected loss
                        return (i, lock)
                    }
                }
                var out: [(Int, (any StoreLock)?)] = []
                for await r in group { out.append(r) }
                return out
            }
            let winners = results.filter { $0.1 != nil }
            #expect(winners.count == 1, "round \(round): \(winners.count) waiters hold the lock")
            let held = try LockRecord(data: getObject(bucket, "\(pool)/lock", env: moto.environment), source: "lock")
            if let w = winners.first {
                #expect(held.owner.nonce == waiters[w.0].nonce)
                try await w.1!.checkHeld()
            }
            for r in results { await r.1?.release() }
            #expect(!(try keys(bucket, env: moto.environment).contains("\(pool)/lock")), "the winner's release removes its lock")
        }
    }

    /// A put whose first attempt succeeded but whose answer was lost meets our
    /// own lock on retry (412): recognised by the nonce, not taken for a rival.
    @Test func ownLockMetOnRetryIsRecognised() async throws {
        let moto = try Moto.shared()
        let bucket = try newBucket(moto.environment)
        let store = s3Store(moto, bucket: bucket)
        let me = LockOwner.current()
        let client = try await store.client()
        let first = LockRecord(owner: me, expires: Date(timeIntervalSinceNow: 600)).data
        // The first attempt, as S3 saw it; the answer never arrived.
        let tag = try await client.putObject(bucket: bucket, key: "p/lock", data: first, condition: .absent)
        #expect(tag != nil)
        // The retry meets it: 412, as S3 answers.
        #expect(try await client.putObject(bucket: bucket, key: "p/lock", data: first, condition: .absent) == nil)
        #expect(try await client.putObject(bucket: bucket, key: "p/lock", data: first, condition: .etag("0123abcd")) == nil)
        #expect(try await !client.deleteObject(bucket: bucket, key: "p/lock", ifMatch: "0123abcd"))

        let log = Log()
        let lock = try await store.lock(pool: "p", owner: me, wait: .zero, log: log.sink)
        try await lock.checkHeld()
        await lock.release()
        #expect(!(try keys(bucket, env: moto.environment).contains("p/lock")))
        #expect(log.lines.all.isEmpty, "\(log.lines.all)")

        // A live rival's lock is not ours, whatever its host and pid.
        var twin = me
        twin.nonce = "another-process"
        try putObject(bucket, "p/lock", LockRecord(owner: twin, expires: Date(timeIntervalSinceNow: 600)).data, env: moto.environment)
        await #expect(throws: SnapError.self) { _ = try await store.lock(pool: "p", owner: me, wait: .zero, log: { _ in }) }
    }

    /// A lock left by a process on another host: waited for while its lease
    /// runs, taken over (with a message) once it ran out, by the store's clock
    /// (S3's Date less Last-Modified; the file's modification time). The
    /// record's own expiry, written by a clock that may be wrong, decides
    /// nothing (issue 19, item 9). S3 and local.
    @Test func expiredLockFromAnotherHostIsTakenOver() async throws {
        let moto = try Moto.shared()
        let bucket = try newBucket(moto.environment)
        let folder = try tempFolder("locallease") + "/store"
        let stores: [any SnapshotStore] = [s3Store(moto, bucket: bucket), LocalStore(root: folder)]
        for store in stores {
            let live = LockRecord(owner: owner("other-host", pid: getpid()), expires: Date(timeIntervalSinceNow: 600), leaseSeconds: 600)
            // Written just now by a host whose clock is 15 minutes behind: its lease is young.
            let skewed = LockRecord(
                owner: owner("other-host", pid: getpid()), expires: Date(timeIntervalSinceNow: -300), leaseSeconds: 600)
            // A two-second lease, left to run out.
            let gone = LockRecord(owner: owner("other-host", pid: getpid()), expires: Date(timeIntervalSinceNow: 3600), leaseSeconds: 2)
            func place(_ r: LockRecord) throws {
                if let s3 = store as? S3Store {
                    try putObject(s3.bucket, "pool/lock", r.data, env: moto.environment)
                } else {
                    try FileManager.default.createDirectory(atPath: "\(folder)/pool", withIntermediateDirectories: true)
                    try r.data.write(to: URL(fileURLWithPath: "\(folder)/pool/lock"))
                }
            }
            try place(live)
            do {
                _ = try await store.lock(pool: "pool", owner: .current(), wait: .seconds(1), log: { _ in })
                Issue.record("\(store.url): a live lease on another host was taken over")
            } catch SnapError.lockHeld(_, let holder) {
                #expect(holder.contains("other-host") && holder.contains("until"), "\(holder)")
            }
            try place(skewed)
            do {
                _ = try await store.lock(pool: "pool", owner: .current(), wait: .seconds(1), log: { _ in })
                Issue.record("\(store.url): a young lease was taken over because its writer's clock ran behind")
            } catch SnapError.lockHeld(_, let holder) {
                #expect(holder.contains("other-host"), "\(holder)")
            }
            try place(gone)
            try await Task.sleep(for: .seconds(3.5))
            let log = Log()
            let lock = try await store.lock(pool: "pool", owner: .current(), wait: .zero, log: log.sink)
            #expect(
                log.lines.all.contains {
                    $0.contains("taking over the lock of pid \(getpid()) on other-host") && $0.contains("past its 2s lease")
                },
                "\(log.lines.all)")
            try await lock.checkHeld()
            await lock.release()
        }
    }

    /// Another writer replaces the lock: the holder's `checkHeld` fails, it
    /// neither renews nor removes the other's lock. S3 and local.
    @Test func aStolenLockIsNoticedAndLeftAlone() async throws {
        let moto = try Moto.shared()
        let bucket = try newBucket(moto.environment)
        let folder = try tempFolder("localsteal")  // a store folder that exists: only create makes one
        let stores: [any SnapshotStore] = [s3Store(moto, bucket: bucket), LocalStore(root: folder)]
        for store in stores {
            let lock = try await store.lock(pool: "pool", owner: .current(), wait: .zero, log: { _ in })
            try await lock.checkHeld()
            let thief = LockRecord(owner: owner("thief-host"), expires: Date(timeIntervalSinceNow: 600)).data
            if let s3 = store as? S3Store {
                try putObject(s3.bucket, "pool/lock", thief, env: moto.environment)
            } else {
                try thief.write(to: URL(fileURLWithPath: "\(folder)/pool/lock"))
            }
            await #expect(throws: SnapError.self) { try await lock.checkHeld() }
            await lock.release()
            let left =
                if let s3 = store as? S3Store { try getObject(s3.bucket, "pool/lock", env: moto.environment) } else {
                    try Data(contentsOf: URL(fileURLWithPath: "\(folder)/pool/lock"))
                }
            #expect(left == thief, "\(store.url): the thief's lock was changed")
        }
    }

    /// End to end: a slow `snap create` whose lock is replaced by another
    /// writer mid-export stops before committing: no `.json`, a clear message.
    @Test(arguments: ["s3", "local"])
    func createThatLosesItsLockCommitsNothing(kind: String) async throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let bucket = try newBucket(env)
        let folder = try tempFolder("stolen") + "/store"
        let store = kind == "s3" ? "s3://\(bucket)" : folder
        let proxy = try AWSProxy(["--no-quota", "--latency-ms", "1000"], upstream: moto)
        defer { proxy.stop() }
        var slow = env
        slow["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = proxy.endpoint

        let create = Process()
        create.executableURL = URL(fileURLWithPath: Repo.snapBinary)
        create.arguments = ["create", "--user-pool-id", pool, "--store", store, "--shards", "1"]
        create.environment = slow
        let err = Pipe()
        create.standardOutput = FileHandle.nullDevice
        create.standardError = err
        try create.run()
        // Our own client, not the AWS CLI: the theft must land well inside
        // the export (each Cognito call takes 1 s through the proxy; an export makes more than ten).
        let client = try await s3Store(moto, bucket: bucket).client()
        func lockExists() async throws -> Bool {
            kind == "s3"
                ? try await client.headObject(bucket: bucket, key: "\(pool)/lock") != nil
                : FileManager.default.fileExists(atPath: "\(folder)/\(pool)/lock")
        }
        var locked = false
        for _ in 0..<200 where !locked {
            try await Task.sleep(for: .milliseconds(50))
            locked = try await lockExists()
        }
        #expect(locked)
        let thief = LockRecord(owner: owner("thief-host"), expires: Date(timeIntervalSinceNow: 600)).data
        if kind == "s3" {
            try await client.putObject(bucket: bucket, key: "\(pool)/lock", data: thief)
        } else {
            try thief.write(to: URL(fileURLWithPath: "\(folder)/\(pool)/lock"))
        }
        #expect(create.isRunning, "create ended before the lock was stolen: the test proves nothing")
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        create.waitUntilExit()
        #expect(create.terminationStatus == 1, "stderr: \(stderr)")
        #expect(stderr.contains("lost the lock") && stderr.contains("thief-host"), "stderr: \(stderr)")
        let names =
            kind == "s3"
            ? try keys(bucket, env: env)
            : try FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(pool)").map { "\(pool)/\($0)" }
        #expect(!names.contains { $0.hasSuffix(".json") }, "\(names)")
        #expect(names.contains("\(pool)/lock"), "the thief's lock must stay")
    }

    func keys(_ bucket: String, env: [String: String]) throws -> [String] {
        let out = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: env) as! [String: Any]
        return ((out["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }.sorted()
    }

    /// Issue 19, item 12: two creates naming the same two stores in opposite
    /// orders deadlocked (each held its first store and waited for the other)
    /// until one gave up with exit 4. Locks are taken in one order (by URL),
    /// so the second waits for the first and both succeed.
    @Test func storesInOppositeOrderNeverDeadlock() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        // S3 stores behind a slow proxy: taking each lock takes a while, so two
        // runs started together each hold their first store before asking for the second.
        let s1 = "s3://\(try newBucket(env))", s2 = "s3://\(try newBucket(env))"
        let proxy = try AWSProxy(["--no-quota", "--latency-ms", "400"], upstream: moto)
        defer { proxy.stop() }
        var slow = env
        slow["AWS_ENDPOINT_URL"] = proxy.endpoint
        let common = ["create", "--user-pool-id", pool, "--wait-lock", "100s", "--shards", "1"]
        let first = try Background(common + ["--store", s1, "--store", s2], env: slow)
        let second = try Background(common + ["--store", s2, "--store", s1], env: slow)
        let a = first.kill9(after: 150), b = second.kill9(after: 150)
        #expect(a.status == 0 && b.status == 0, "first: \(a.status) \(a.stderr)\nsecond: \(b.status) \(b.stderr)")
        #expect(!first.killed && !second.killed)
        let listed = try snap(["list", "--user-pool-id", pool, "--store", s1, "--store", s2, "--json"], env: env)
        #expect((try JSONSerialization.jsonObject(with: listed.stdout) as? [Any])?.count == 2, "\(listed.out)")
    }

    /// Issue 19, item 9: a lock whose holder runs in another pid namespace
    /// (a container with this host's name and boot id) was taken over as "no
    /// longer running" because its pid is not visible here. Only a holder in
    /// this pid namespace can be proved gone.
    @Test func aHolderInAnotherPidNamespaceIsNotTakenForGone() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("pidns") + "/store"
        try FileManager.default.createDirectory(atPath: "\(store)/\(pool)", withIntermediateDirectories: true)
        let me = LockOwner.current()
        func place(ns: String) throws {
            let holder = LockOwner(
                host: me.host, bootId: me.bootId, pid: 999_999, nonce: "other", started: "2026-12-01T00:00:00Z", pidNamespace: ns)
            let record = LockRecord(owner: holder, expires: Date(timeIntervalSinceNow: 600), leaseSeconds: 600)
            try record.data.write(to: URL(fileURLWithPath: "\(store)/\(pool)/lock"))
        }
        try place(ns: "pid:[4026599999]")
        let container = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(container.status == 4, "\(container.stderr)")
        #expect(container.stderr.contains("pid 999999"), "\(container.stderr)")
        try place(ns: me.pidNamespace)
        let here = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(here.status == 0, "\(here.stderr)")
        #expect(here.stderr.contains("taking over the lock of pid 999999") && here.stderr.contains("no longer running"), "\(here.stderr)")
    }
}
