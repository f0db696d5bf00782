import Foundation
import Testing

/// Issue 10's last item: `verify` and `diff` read an S3 copy as it downloads
/// (`ArchiveStream`), never landing it on disk, and give what a local store
/// gives. `SNAP_TEST_NO_ARCHIVE_DOWNLOAD` makes any download-to-disk of an S3
/// archive fail, so a run that succeeds under it streamed. A damaged copy
/// and a GET cut mid-body fail over to the next store, or fail naming the
/// store, and print nothing of the diff.
@Suite(.serialized) struct StreamedReadTests {
    static let users = 20_000

    struct Stores {
        var work: String
        var intact: String
        var damaged: String
        var ids: [String]
        var pool: String
    }

    func bucket(_ label: String) -> String { "snap-\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// Multi-block snapshots in a local folder, the same damaged past their middle in another.
    func stores(pool: String, snapshots: Int, env: [String: String]) throws -> Stores {
        let work = try tempFolder("streamed")
        let intact = work + "/intact", damaged = work + "/damaged"
        let made = try run(
            "python3",
            [Repo.root + "/scripts/make_read_store.py", intact, pool, "--users", String(Self.users), "--snapshots", String(snapshots)],
            env: env)
        guard made.status == 0 else { throw TestFailure("make_read_store.py failed: \(made.stderr)") }
        let ids = made.out.split(separator: "\n").map(String.init)
        #expect(try run("cp", ["-R", intact, damaged], env: env).status == 0)
        for id in ids {
            let path = "\(damaged)/\(pool)/\(id).tar.zst"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.count > 300_000, "the archive must span many zstd blocks")
            let at = bytes.count * 3 / 4
            for k in at..<(at + 64) { bytes[k] ^= 0x5A }
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        return Stores(work: work, intact: intact, damaged: damaged, ids: ids, pool: pool)
    }

    /// A new bucket holding a copy of the local store `folder`.
    func upload(_ folder: String, env: [String: String]) throws -> String {
        let name = bucket("st")
        _ = try aws(["s3api", "create-bucket", "--bucket", name, "--region", "us-east-1"], env: env)
        let r = try run("aws", ["s3", "cp", "--recursive", "--only-show-errors", folder, "s3://\(name)/"], env: env)
        guard r.status == 0 else { throw TestFailure("aws s3 cp failed: \(r.stderr)") }
        return "s3://\(name)"
    }

    /// snap with no S3 archive downloaded to disk allowed, and a private TMPDIR checked for archives afterwards.
    func streamed(_ args: [String], env: [String: String], work: String) throws -> RunResult {
        var env = env
        env["SNAP_TEST_NO_ARCHIVE_DOWNLOAD"] = "1"
        let tmp = work + "/tmp-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        env["TMPDIR"] = tmp
        let r = try snap(args, env: env)
        let left = FileManager.default.enumerator(atPath: tmp)?.compactMap { $0 as? String } ?? []
        #expect(!left.contains { $0.hasSuffix(".tar.zst") }, "archives left in TMPDIR: \(left)")
        return r
    }

    @Test(.timeLimit(.minutes(5))) func verifyAndDiffStreamAndMatchALocalStore() throws {
        let env = try Moto.shared().environment
        let s = try stores(pool: "us-east-1_Stream1", snapshots: 2, env: env)
        let s3 = try upload(s.intact, env: env)

        let v = try streamed(["verify", "--all", "-v", "--user-pool-id", s.pool, "--store", s3], env: env, work: s.work)
        #expect(v.status == 0, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.stderr.contains("streaming \(s3)/\(s.pool)/\(s.ids[0])"), "stderr: \(v.stderr)")
        let local = try snap(["verify", "--all", "--user-pool-id", s.pool, "--store", s.intact], env: env)
        #expect(local.status == 0, "stderr: \(local.stderr)")
        #expect(v.out.replacingOccurrences(of: s3, with: "STORE") == local.out.replacingOccurrences(of: s.intact, with: "STORE"))

        for format in [["--json"], []] {
            let d = try streamed(
                ["diff", s.ids[0], s.ids[1], "-v", "--user-pool-id", s.pool, "--store", s3] + format, env: env, work: s.work)
            #expect(d.status == 0, "stderr: \(d.stderr)")
            #expect(d.stderr.contains("streaming \(s3)/\(s.pool)/\(s.ids[1])"), "stderr: \(d.stderr)")
            let l = try snap(["diff", s.ids[0], s.ids[1], "--user-pool-id", s.pool, "--store", s.intact] + format, env: env)
            #expect(l.status == 0, "stderr: \(l.stderr)")
            #expect(!d.stdout.isEmpty && d.stdout == l.stdout, "diff \(format): \(d.stdout.count) bytes from S3, \(l.stdout.count) local")
        }
    }

    @Test(.timeLimit(.minutes(5))) func aCopyDamagedPastItsMiddleIsReportedOrFailedOver() throws {
        let env = try Moto.shared().environment
        let s = try stores(pool: "us-east-1_Stream2", snapshots: 2, env: env)
        let bad = try upload(s.damaged, env: env), good = try upload(s.intact, env: env)

        let v = try streamed(["verify", "--all", "--user-pool-id", s.pool, "--store", bad, "--store", good], env: env, work: s.work)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        for id in s.ids {
            #expect(v.out.contains("\(bad)  \(s.pool)/\(id)  FAILED"), "stdout: \(v.out)")
            #expect(v.out.contains("\(good)  \(s.pool)/\(id)  ok"), "stdout: \(v.out)")
        }

        let d = try streamed(
            ["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", bad, "--store", good], env: env, work: s.work)
        let l = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s.intact], env: env)
        #expect(d.status == 0, "stderr: \(d.stderr)")
        #expect(d.stdout == l.stdout, "\(d.stdout.count) bytes failed over, \(l.stdout.count) local")
        #expect(d.stderr.contains("warning") && d.stderr.contains(bad), "stderr: \(d.stderr)")
    }

    @Test(.timeLimit(.minutes(5))) func aGetCutMidBodyFailsOverOrFailsNamingTheStore() throws {
        let moto = try Moto.shared()
        let s = try stores(pool: "us-east-1_Stream3", snapshots: 2, env: moto.environment)
        let first = try upload(s.intact, env: moto.environment), second = try upload(s.intact, env: moto.environment)
        let firstBucket = String(first.dropFirst(5))
        // Every archive GET of the first bucket is cut half way; its .json files and the second bucket are whole.
        let proxy = try AWSProxy(["--no-quota", "--fault-path", "\(firstBucket)/.*\\.tar\\.zst:1000:truncate"], upstream: moto)
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        env["SNAP_TEST_LOW_SPEED_SECONDS"] = "5"

        // A broken stream's copy is read again from the same store, downloaded first (cut too here), then from the next store.
        let l = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s.intact], env: env)
        let d = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", first, "--store", second], env: env)
        #expect(d.status == 0, "stderr: \(d.stderr)")
        #expect(d.stdout == l.stdout, "\(d.stdout.count) bytes failed over, \(l.stdout.count) local")
        #expect(d.stderr.contains(first) && d.stderr.contains("broke after"), "stderr: \(d.stderr)")
        // The streamed GET was not sent again once its body had begun.
        #expect(d.stderr.contains("GetObject of s3://") && d.stderr.contains(".tar.zst failed after 1 attempt"), "stderr: \(d.stderr)")

        let only = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", first], env: env)
        #expect(only.status != 0, "stdout: \(only.out)")
        #expect(only.stdout.isEmpty, "a partial diff was printed: \(only.stdout.count) bytes")
        #expect(only.stderr.contains(first) && only.stderr.contains("broke after"), "stderr: \(only.stderr)")
        let last = only.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("error") && last.contains(first), "the error names the store: \(last)")

        // verify reads a broken stream's copy again, downloaded first; cut every time, that fails too, naming the fault.
        let v = try snap(["verify", "--all", "--user-pool-id", s.pool, "--store", first], env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.out.contains("\(first)  \(s.pool)/\(s.ids[0])  FAILED") && v.out.contains("transfer closed"), "stdout: \(v.out)")
        #expect(v.stderr.contains("broke after") && v.stderr.contains("reading it again, downloaded first"), "stderr: \(v.stderr)")
    }

    @Test(.timeLimit(.minutes(5))) func aStreamCutOnceIsReadAgainDownloadedFirst() throws {
        let moto = try Moto.shared()
        let s = try stores(pool: "us-east-1_Stream5", snapshots: 2, env: moto.environment)
        let s3 = try upload(s.intact, env: moto.environment)
        // Each archive's first GET is cut half way: the network, not the copy, so each is read again, downloaded first.
        let proxy = try AWSProxy(["--no-quota", "--fault-path", "\(s3.dropFirst(5))/.*\\.tar\\.zst:2:truncate"], upstream: moto)
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let v = try snap(["verify", "--all", "--user-pool-id", s.pool, "--store", s3], env: env)
        #expect(v.status == 0, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.stderr.contains("broke after") && v.stderr.contains("downloaded first"), "stderr: \(v.stderr)")
        #expect(try proxy.injectedCount() == 2)

        let cutDiff = try AWSProxy(["--no-quota", "--fault-path", "\(s3.dropFirst(5))/.*\\.tar\\.zst:1:truncate"], upstream: moto)
        env["AWS_ENDPOINT_URL"] = cutDiff.endpoint
        let d = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s3], env: env)
        let l = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s.intact], env: env)
        #expect(d.status == 0, "stderr: \(d.stderr)")
        #expect(d.stdout == l.stdout)
        #expect(d.stderr.contains("broke after") && d.stderr.contains("downloaded first"), "stderr: \(d.stderr)")
    }

    @Test(.timeLimit(.minutes(5))) func aGetRefusedBeforeItsBodyBeganIsRetried() throws {
        let moto = try Moto.shared()
        let s = try stores(pool: "us-east-1_Stream4", snapshots: 2, env: moto.environment)
        let s3 = try upload(s.intact, env: moto.environment)
        // The first two archive GETs answer 500 before any body: retried as any request, then streamed.
        let proxy = try AWSProxy(["--no-quota", "--fault-path", "\(s3.dropFirst(5))/.*\\.tar\\.zst:2:500"], upstream: moto)
        var env = moto.environment
        env["AWS_ENDPOINT_URL"] = proxy.endpoint

        let v = try streamed(["verify", "--all", "--user-pool-id", s.pool, "--store", s3], env: env, work: s.work)
        #expect(v.status == 0, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(try proxy.injectedCount() == 2)
        let d = try streamed(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s3], env: env, work: s.work)
        let l = try snap(["diff", s.ids[0], s.ids[1], "--json", "--user-pool-id", s.pool, "--store", s.intact], env: env)
        #expect(d.status == 0, "stderr: \(d.stderr)")
        #expect(d.stdout == l.stdout)
    }
}
