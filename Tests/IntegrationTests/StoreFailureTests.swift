import Foundation
import Testing

/// A store that cannot be read is an error naming it, never an empty store
/// (issue 7, items 1, 6 and 9): list, verify, sync and show with stores whose
/// listing is denied or whose signature is refused, a malformed `<ID>.json`,
/// and one ID holding two different archives.
@Suite(.serialized) struct StoreFailureTests {
    func bucket(_ label: String) -> String { "snap-\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

    func makeBucket(_ name: String, env: [String: String]) throws {
        _ = try aws(["s3api", "create-bucket", "--bucket", name, "--region", "us-east-1"], env: env)
    }

    /// An IAM user who may use `allowed` (and Cognito) but no other bucket.
    func userAllowedOnly(_ allowed: String, admin: [String: String]) throws -> [String: String] {
        let policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"cognito-idp:*","Resource":"*"},
              {"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::\(allowed)","arn:aws:s3:::\(allowed)/*"]}]}
            """
        let user = "one-bucket-\(UUID().uuidString.prefix(6))"
        _ = try aws(["iam", "create-user", "--user-name", user], env: admin)
        _ = try aws(["iam", "put-user-policy", "--user-name", user, "--policy-name", "one", "--policy-document", policy], env: admin)
        let key = (try aws(["iam", "create-access-key", "--user-name", user], env: admin) as! [String: Any])["AccessKey"] as! [String: Any]
        var env = admin
        env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"] as? String
        env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"] as? String
        return env
    }

    @Test func unreadableStoresAreErrorsNotEmptiness() throws {
        let moto = try Moto.shared()
        let admin = moto.environment
        let pool = try seedPool(extraUsers: 5, env: admin)
        let a = bucket("a"), b = bucket("b")
        try makeBucket(a, env: admin)
        try makeBucket(b, env: admin)
        let both = ["--user-pool-id", pool, "--store", "s3://\(a)", "--store", "s3://\(b)"]
        let c = try snap(["create"] + both, env: admin)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)

        // Every listing refused (a wrong secret: a signature error). verify
        // used to print nothing and exit 0.
        var wrong = admin
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let v = try snap(["verify", "--all"] + both, env: wrong)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(v.stderr.contains("s3://\(a)") && v.stderr.contains("s3://\(b)"), "stderr: \(v.stderr)")
        #expect(v.stderr.contains("signature"), "stderr: \(v.stderr)")
        let l = try snap(["list"] + both, env: wrong)
        #expect(l.status == 1, "stdout: \(l.out) stderr: \(l.stderr)")
        #expect(!l.stderr.contains("no snapshots"), "an unreadable store taken for an empty one: \(l.stderr)")

        // One of two stores denied to the caller: exit 3, the store named.
        let one = try userAllowedOnly(a, admin: admin)
        let list = try snap(["list"] + both, env: one)
        #expect(list.status == 3, "stdout: \(list.out) stderr: \(list.stderr)")
        #expect(list.out.contains(id), "the readable store's snapshot is listed: \(list.out)")
        #expect(list.stderr.contains("s3://\(b)") && list.stderr.contains("AccessDenied"), "stderr: \(list.stderr)")
        #expect(!list.stderr.contains("s3://\(a) cannot"), "stderr: \(list.stderr)")

        let verify = try snap(["verify"] + both, env: one)
        #expect(verify.status == 3, "stdout: \(verify.out) stderr: \(verify.stderr)")
        #expect(verify.out.split(separator: "\n").contains { $0.hasPrefix("s3://\(a)") && $0.hasSuffix("ok") }, "\(verify.out)")
        #expect(verify.out.split(separator: "\n").contains { $0.hasPrefix("s3://\(b)") && $0.contains("FAILED") }, "\(verify.out)")
        #expect(verify.stderr.contains("checked 1 copy of 1 snapshot"), "stderr: \(verify.stderr)")

        let sync = try snap(["sync"] + both, env: one)
        #expect(sync.status == 3, "stdout: \(sync.out) stderr: \(sync.stderr)")
        #expect(sync.stderr.contains("s3://\(b)") && sync.stderr.contains("AccessDenied"), "stderr: \(sync.stderr)")

        // Show still finds the snapshot in the readable store, and says which store it could not read.
        let show = try snap(["show", "latest"] + both, env: one)
        #expect(show.status == 0, "stderr: \(show.stderr)")
        #expect(show.out.contains(id) && show.stderr.contains("s3://\(b)"), "stderr: \(show.stderr)")

        // Without a configured pool, the pools come from listings too.
        let all = try snap(["list", "--store", "s3://\(a)", "--store", "s3://\(b)"], env: one)
        #expect(all.status == 3, "stdout: \(all.out) stderr: \(all.stderr)")
        #expect(all.out.contains(id))

        // An empty readable store: nothing to verify, and it says so.
        let empty = bucket("empty")
        try makeBucket(empty, env: admin)
        let nothing = try snap(["verify", "--user-pool-id", pool, "--store", "s3://\(empty)"], env: admin)
        #expect(nothing.status == 0, "stderr: \(nothing.stderr)")
        #expect(nothing.stderr.contains("nothing to verify"), "stderr: \(nothing.stderr)")
    }

    @Test func unreadableLocalFolderIsAnError() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("notdir") + "/store"
        #expect(try snap(["create", "--user-pool-id", pool, "--store", store], env: env).status == 0)
        // The pool's folder replaced by a file: it cannot be listed (ENOTDIR,
        // even for root, unlike a mode-000 folder). It used to list as empty.
        try FileManager.default.removeItem(atPath: "\(store)/\(pool)")
        #expect(FileManager.default.createFile(atPath: "\(store)/\(pool)", contents: Data("x".utf8)))
        let l = try snap(["list", "--user-pool-id", pool, "--store", store], env: env)
        #expect(l.status == 1 && l.stderr.contains("cannot list the folder"), "stdout: \(l.out) stderr: \(l.stderr)")
        let v = try snap(["verify", "--user-pool-id", pool, "--store", store], env: env)
        #expect(v.status == 1 && v.stderr.contains("cannot list the folder"), "stdout: \(v.out) stderr: \(v.stderr)")
    }

    @Test func malformedManifestIsSkippedReportedAndRepaired() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 3, env: env)
        let work = try tempFolder("badjson")
        let (s1, s2) = (work + "/one", work + "/two")
        let stores = ["--user-pool-id", pool, "--store", s1, "--store", s2]
        let first = try snap(["create"] + stores, env: env)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        Thread.sleep(forTimeInterval: 1.1)
        let second = try snap(["create"] + stores, env: env)
        let (id1, id2) = (
            first.out.trimmingCharacters(in: .whitespacesAndNewlines), second.out.trimmingCharacters(in: .whitespacesAndNewlines)
        )
        try Data("{\"format\":1,".utf8).write(to: URL(fileURLWithPath: "\(s1)/\(pool)/\(id1).json"))

        // One store alone: list skips it with a warning; the rest still lists.
        let l = try snap(["list", "--user-pool-id", pool, "--store", s1], env: env)
        #expect(l.status == 0, "stderr: \(l.stderr)")
        #expect(l.out.contains(id2) && !l.out.contains(id1), "\(l.out)")
        #expect(l.stderr.contains("warning") && l.stderr.contains("\(id1).json"), "stderr: \(l.stderr)")

        let v = try snap(["verify"] + stores, env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        #expect(
            v.out.split(separator: "\n").contains { $0.hasPrefix(s1) && $0.contains(id1) && $0.contains(".json cannot be read") },
            "\(v.out)")

        let sync = try snap(["sync"] + stores, env: env)
        #expect(sync.status == 0, "stdout: \(sync.out) stderr: \(sync.stderr)")
        #expect(sync.out.contains("\(s1)  \(pool)/\(id1)  copied from \(s2)"), "\(sync.out)")
        let again = try snap(["verify"] + stores, env: env)
        #expect(again.status == 0, "stdout: \(again.out) stderr: \(again.stderr)")
        #expect(again.stderr.contains("checked 4 copies of 2 snapshots: all intact"), "stderr: \(again.stderr)")
    }

    @Test func oneIdWithTwoArchivesIsReported() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 3, env: env)
        let work = try tempFolder("twoarch")
        let (s1, s2) = (work + "/one", work + "/two")
        let stores = ["--user-pool-id", pool, "--store", s1, "--store", s2]
        let c = try snap(["create"] + stores, env: env)
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        // The second store's copy recompressed at another level: the same
        // members (so the copy is intact against its own .json), another archive.
        let archive = "\(s2)/\(pool)/\(id).tar.zst"
        let r = try run(
            "sh", ["-c", "zstd -dc \"$0\" | zstd -q -19 --check -o \"$0.new\" && mv \"$0.new\" \"$0\"", archive],
            env: ProcessInfo.processInfo.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: archive))
        let sha = try run256(archive)
        let jsonPath = "\(s2)/\(pool)/\(id).json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as! [String: Any]
        manifest["archive"] = ["sha256": sha, "bytes": data.count]
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(to: URL(fileURLWithPath: jsonPath))

        let v = try snap(["verify"] + stores, env: env)
        #expect(v.status == 1, "stdout: \(v.out) stderr: \(v.stderr)")
        let lines = v.out.split(separator: "\n")
        #expect(lines.filter { $0.hasSuffix("ok") }.count == 2, "each copy is intact on its own: \(v.out)")
        #expect(lines.contains { $0.contains("different archives under one ID") && $0.contains(sha) }, "\(v.out)")
        // sync never overwrites the other snapshot.
        let sync = try snap(["sync"] + stores, env: env)
        #expect(sync.status == 1 && sync.out.contains("two different snapshots under one ID"), "\(sync.out) \(sync.stderr)")
        #expect(try run256(archive) == sha)
    }

    func run256(_ path: String) throws -> String {
        let r = try run("sha256sum", [path], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("sha256sum \(path): \(r.stderr)") }
        return String(r.out.prefix(64))
    }
}
