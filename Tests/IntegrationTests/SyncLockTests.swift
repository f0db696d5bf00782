import Foundation
import Testing

/// Issue 19, item 8: sync took no lock, and a create running meanwhile
/// aborted sync's multipart upload as "stale" debris; sync then failed. Sync
/// now holds each store's lock: the create is refused (exit 4, naming the
/// holder) and sync ends with the copy made.
@Suite struct SyncLockTests {
    @Test func createMeetsSyncsLockInsteadOfItsUploads() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 5, env: env)
        let local = try tempFolder("synclock") + "/store"
        let bucket = try newBucket("synclock", env: env)
        let c = try snap(["create", "--user-pool-id", pool, "--store", local], env: env)
        #expect(c.status == 0, "\(c.stderr)")
        // S3 behind a slow proxy, with every archive a multipart upload: sync takes a while.
        let proxy = try AWSProxy(["--no-quota", "--latency-ms", "1500"], upstream: moto)
        defer { proxy.stop() }
        var slow = env
        slow["AWS_ENDPOINT_URL_S3"] = proxy.endpoint
        let stores = ["--user-pool-id", pool, "--store", local, "--store", "s3://\(bucket)?region=us-east-1"]
        let sync = try Background(["sync", "--multipart-threshold", "1"] + stores, env: slow)
        // Its first lock (the local store sorts first) shows that it runs.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: "\(local)/\(pool)/lock") && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let create = try snap(["create", "--multipart-threshold", "1"] + stores, env: env)
        let synced = sync.kill9(after: 120)
        #expect(create.status == 4, "create: \(create.status) \(create.stderr)")
        #expect(create.stderr.contains("locked"), "\(create.stderr)")
        #expect(synced.status == 0, "sync: \(synced.status) \(synced.out) \(synced.stderr)")
        #expect(synced.out.contains("copied from \(local)"), "\(synced.out)")
        try expectStoresConsistent(pool: pool, stores: [local, "s3://\(bucket)"], env: env, "after sync")
    }
}
