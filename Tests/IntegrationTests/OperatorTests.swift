import Foundation
import Testing

/// Operator experience against moto: logs (and that they keep secrets),
/// `--at` wherever a REF is taken, `snap check`, notifications through SNS
/// to SQS, and progress lines only on a terminal.
@Suite(.serialized) struct OperatorTests {
    // MARK: Helpers

    func bucket(_ label: String, env: [String: String]) throws -> String {
        let name = "snap-op-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", name, "--region", "us-east-1"], env: env)
        return name
    }

    /// Temporary credentials (key, secret, session token) from moto's STS for a role allowed everything.
    func temporaryCredentials(env: [String: String]) throws -> (id: String, secret: String, token: String) {
        let role = "snap-op-\(UUID().uuidString.prefix(8))"
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        let created =
            try aws(["iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust], env: env) as! [String: Any]
        let arn = (created["Role"] as! [String: Any])["Arn"] as! String
        let all = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try aws(["iam", "put-role-policy", "--role-name", role, "--policy-name", "all", "--policy-document", all], env: env)
        let assumed = try aws(["sts", "assume-role", "--role-arn", arn, "--role-session-name", "snap-op"], env: env) as! [String: Any]
        let c = assumed["Credentials"] as! [String: Any]
        return (c["AccessKeyId"] as! String, c["SecretAccessKey"] as! String, c["SessionToken"] as! String)
    }

    func createJSON(_ args: [String], env: [String: String]) throws -> [String: Any] {
        let r = try snap(["create", "--json"] + args, env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        return try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
    }

    /// A topic with an SQS queue subscribed to it (the AWS CLI's own calls); returns the topic ARN and queue URL.
    func topicWithQueue(env: [String: String]) throws -> (topic: String, queue: String) {
        let name = "snap-op-\(UUID().uuidString.prefix(8))"
        let topic = (try aws(["sns", "create-topic", "--name", name], env: env) as! [String: Any])["TopicArn"] as! String
        let sqs = ["sqs", "--endpoint-url", env["AWS_ENDPOINT_URL"]!]
        let queue = (try aws(sqs + ["create-queue", "--queue-name", name], env: env) as! [String: Any])["QueueUrl"] as! String
        let attrs =
            try aws(sqs + ["get-queue-attributes", "--queue-url", queue, "--attribute-names", "QueueArn"], env: env) as! [String: Any]
        let queueArn = (attrs["Attributes"] as! [String: Any])["QueueArn"] as! String
        _ = try aws(["sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", queueArn], env: env)
        return (topic, queue)
    }

    /// The notifications waiting in the queue (SNS's envelope opened).
    func notifications(_ queue: String, env: [String: String]) throws -> [[String: Any]] {
        let sqs = ["sqs", "--endpoint-url", env["AWS_ENDPOINT_URL"]!]
        var out: [[String: Any]] = []
        for _ in 0..<3 {
            let r =
                try aws(sqs + ["receive-message", "--queue-url", queue, "--max-number-of-messages", "10"], env: env) as! [String: Any]
            let messages = r["Messages"] as? [[String: Any]] ?? []
            for m in messages {
                let envelope = try JSONSerialization.jsonObject(with: Data((m["Body"] as! String).utf8)) as! [String: Any]
                out.append(try JSONSerialization.jsonObject(with: Data((envelope["Message"] as! String).utf8)) as! [String: Any])
                _ = try aws(sqs + ["delete-message", "--queue-url", queue, "--receipt-handle", m["ReceiptHandle"] as! String], env: env)
            }
            if !out.isEmpty { break }
        }
        return out
    }

    /// Runs snap under a pseudo-terminal (`script`), so stderr is a terminal; both streams come back together.
    func snapOnTerminal(_ args: [String], env: [String: String]) throws -> RunResult {
        let command = ([Repo.snapBinary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try run("script", ["-qec", command, "/dev/null"], env: env)
    }

    // MARK: Logs

    @Test func verboseLogsShowWhatHappensAndNeverASecret() throws {
        let moto = try Moto.shared()
        var env = moto.environment
        let pool = try seedPool(extraUsers: 30, env: env)
        let b = try bucket("logs", env: env)
        let creds = try temporaryCredentials(env: env)
        env["AWS_ACCESS_KEY_ID"] = creds.id
        env["AWS_SECRET_ACCESS_KEY"] = creds.secret
        env["AWS_SESSION_TOKEN"] = creds.token
        let proxy = try AWSProxy(["--no-quota", "--fault", "ListUsers:2:throttle", "--fault", "ListGroups:1:500"], upstream: moto)
        defer { proxy.stop() }
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        let local = try tempFolder("logs") + "/store"
        let stores = ["--store", "s3://\(b)?region=us-east-1", "--store", local]

        let text = try snap(["create", "-vv", "--user-pool-id", pool] + stores, env: env)
        #expect(text.status == 0, "stderr: \(text.stderr)")
        let json = try snap(["create", "-vv", "--log-format", "json", "--user-pool-id", pool] + stores, env: env)
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let verify = try snap(["verify", "-vv", "--user-pool-id", pool] + stores, env: env)
        #expect(verify.status == 0, "stderr: \(verify.stderr)")
        let sync = try snap(["sync", "-vv", "--log-format", "json", "--user-pool-id", pool] + stores, env: env)
        #expect(sync.status == 0, "stderr: \(sync.stderr)")

        // What -v and -vv promise.
        #expect(text.stderr.contains("throttled (TooManyRequestsException); UserList paced at"))
        #expect(text.stderr.contains("ListGroups: InternalError (HTTP 500)") || text.stderr.contains("ListGroups: "))
        #expect(text.stderr.contains("pacing Cognito at 0.8 of each quota"))
        #expect(text.stderr.contains("took the lock s3://\(b)/\(pool)/lock"))
        #expect(text.stderr.contains("released the lock"))
        #expect(text.stderr.contains(" ms"), "no per-request timing at -vv")
        #expect(text.stderr.contains("PutObject PUT"))
        #expect(verify.stderr.contains("ListObjectsV2 GET"))

        // --log-format json: every log line is one JSON object.
        let logLines = json.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(logLines.count > 10)
        for line in logLines {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(o?["level"] != nil && o?["message"] != nil && o?["time"] != nil, "\(line)")
        }

        // No secret anywhere: not the secret key, not the session token, not a signature.
        for r in [text, json, verify, sync] {
            let all = r.stderr + r.out
            #expect(!all.contains(creds.secret))
            #expect(!all.contains(creds.token))
            #expect(!all.contains(String(creds.token.prefix(24))))
            #expect(!all.contains(moto.secretAccessKey))
            #expect(all.range(of: "Signature=[0-9a-f]{64}", options: .regularExpression) == nil)
            #expect(all.range(of: "X-Amz-Signature=(?!\\[REDACTED\\])", options: .regularExpression) == nil)
            #expect(all.range(of: "X-Amz-Credential=(?!\\[REDACTED\\])", options: [.regularExpression, .caseInsensitive]) == nil)
            #expect(all.range(of: "X-Amz-Security-Token=(?!\\[REDACTED\\])", options: [.regularExpression, .caseInsensitive]) == nil)
            #expect(!all.contains("AWS4-HMAC-SHA256 Credential"))
        }
    }

    @Test func withoutVerboseTheLogsAreQuiet() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let r = try snap(["create", "--user-pool-id", pool, "--store", try tempFolder("quietlogs") + "/s"], env: moto.environment)
        #expect(r.status == 0)
        #expect(!r.stderr.contains("INFO") && !r.stderr.contains("DEBUG"), "stderr: \(r.stderr)")
        let bad = try snap(["list", "--log-format", "xml"], env: moto.environment)
        #expect(bad.status == 64)
    }

    // MARK: --at

    @Test func atWorksWhereverARefIsTaken() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 3, env: env)
        let store = try tempFolder("at") + "/s"
        let base = ["--user-pool-id", pool, "--store", store]
        let first = try createJSON(base, env: env)["id"] as! String
        Thread.sleep(forTimeInterval: 1.2)
        _ = try aws(
            ["cognito-idp", "admin-create-user", "--user-pool-id", pool, "--username", "late-joiner", "--message-action", "SUPPRESS"],
            env: env)
        let second = try createJSON(base, env: env)["id"] as! String
        let manifest = try JSONSerialization.jsonObject(with: try snap(["show", first] + base, env: env).stdout) as! [String: Any]
        let t1 = manifest["createdAt"] as! String

        func shownId(_ args: [String]) throws -> String? {
            let r = try snap(["show"] + args + base, env: env)
            #expect(r.status == 0, "stderr: \(r.stderr)")
            return (try? JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])?["id"] as? String
        }
        #expect(try shownId(["--at", t1]) == first)
        #expect(try shownId(["@" + t1]) == first)
        #expect(try shownId([]) == second)
        #expect(try shownId(["--at", String(t1.prefix(10))]) == second)  // a day means its end

        let catAt = try snap(["cat", "--at", t1, "users"] + base, env: env)
        #expect(catAt.status == 0 && !catAt.out.contains("late-joiner"), "stderr: \(catAt.stderr)")
        let catRef = try snap(["cat", "@" + t1, "users"] + base, env: env)
        #expect(catRef.stdout == catAt.stdout)

        let diff = try snap(["diff", "--json", "--old-at", t1] + base, env: env)
        #expect(diff.status == 0, "stderr: \(diff.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(diff.out.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect(summary["old"] as? String == first && summary["new"] as? String == second)
        #expect((summary["users"] as! [String: Int])["added"] == 1)
        let both = try snap(["diff", "--json", "--old-at", t1, "--new-at", t1] + base, env: env)
        #expect(both.out.contains("\"old\":\"\(first)\",\"users\"") || both.out.contains("\"new\":\"\(first)\""), "\(both.out)")
        let atRefs = try snap(["diff", "--stat", "@" + t1, second] + base, env: env)
        #expect(atRefs.out.contains("\(first) -> \(second)"), "\(atRefs.out) \(atRefs.stderr)")
        let live = try snap(["diff", "--stat", "--old-at", t1, "pool:\(pool)"] + base, env: env)
        #expect(live.out.contains("\(first) -> pool:\(pool)"), "\(live.out) \(live.stderr)")
        let tooMany = try snap(["diff", "--old-at", t1, first, second] + base, env: env)
        #expect(tooMany.status == 64)

        let verify = try snap(["verify", "--at", t1] + base, env: env)
        #expect(verify.status == 0 && verify.out.contains(first) && !verify.out.contains(second), "\(verify.out) \(verify.stderr)")

        let target = try RestoreTests.emptyPool(like: Repo.root + "/fixtures/demo/pool.json", region: "us-east-1", env: env)
        let restore = try snap(
            ["restore", "--at", t1, "--dry-run", "--json", "--source-pool", pool, "--user-pool-id", target, "--store", store],
            env: env)
        #expect(restore.status == 0, "stderr: \(restore.stderr)")
        let plan = try JSONSerialization.jsonObject(with: restore.stdout) as! [String: Any]
        #expect(plan["snapshot"] as? String == first)

        let none = try snap(["show", "--at", "2001-01-01"] + base, env: env)
        #expect(none.status == 1 && none.stderr.contains("no snapshot that old"))
    }

    // MARK: check

    @Test func checkSaysOkStaleMissingOrUnknown() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 2, env: env)
        let b = try bucket("check", env: env)
        let local = try tempFolder("check") + "/s"
        let stores = ["--user-pool-id", pool, "--store", local, "--store", "s3://\(b)?region=us-east-1"]
        let empty = try snap(["check", "--max-age", "26h"] + stores, env: env)
        #expect(empty.status == 1 && empty.out.hasPrefix("STALE"), "\(empty.out) \(empty.stderr)")

        let id = try createJSON(stores, env: env)["id"] as! String
        let ok = try snap(["check", "--max-age", "26h"] + stores, env: env)
        #expect(ok.status == 0, "\(ok.out) \(ok.stderr)")
        #expect(ok.out.hasPrefix("OK \(pool): newest intact snapshot \(id)") && ok.out.contains("in 2 of 2 store(s)"))
        let okJSON = try snap(["check", "--max-age", "26h", "--json"] + stores, env: env)
        let o = try JSONSerialization.jsonObject(with: okJSON.stdout) as! [String: Any]
        #expect(o["status"] as? String == "ok" && (o["newest"] as! [String: Any])["id"] as? String == id)
        #expect(o["maxAgeSeconds"] as? Int == 26 * 3600)
        #expect(ok.out.split(separator: "\n").count == 1)

        let deep = try snap(["check", "--max-age", "26h", "--deep"] + stores, env: env)
        #expect(deep.status == 0, "\(deep.out) \(deep.stderr)")

        Thread.sleep(forTimeInterval: 1.1)
        let stale = try snap(["check", "--max-age", "1s", "--json"] + stores, env: env)
        #expect(stale.status == 1)
        #expect((try JSONSerialization.jsonObject(with: stale.stdout) as! [String: Any])["status"] as? String == "stale")

        // A store that cannot be read is unknown (3), never "missing".
        let unreadable = ["--user-pool-id", pool, "--store", local, "--store", "s3://snap-op-no-such-bucket?region=us-east-1"]
        let unknown = try snap(["check", "--max-age", "26h"] + unreadable, env: env)
        #expect(unknown.status == 3 && unknown.out.hasPrefix("UNKNOWN"), "\(unknown.out) \(unknown.stderr)")

        // Same size, other bytes: only --deep sees it.
        let archive = "\(local)/\(pool)/\(id).tar.zst"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: archive))
        #expect(try snap(["check", "--max-age", "26h"] + stores, env: env).status == 0)
        let damaged = try snap(["check", "--max-age", "26h", "--deep"] + stores, env: env)
        #expect(
            damaged.status == 1 && damaged.out.hasPrefix("MISSING") && damaged.out.contains("store \(local) lacks \(id)"), "\(damaged.out)")

        // A missing archive: the store lacks the snapshot, without --deep.
        try FileManager.default.removeItem(atPath: archive)
        let missing = try snap(["check", "--max-age", "26h", "--json"] + stores, env: env)
        #expect(missing.status == 1)
        let m = try JSONSerialization.jsonObject(with: missing.stdout) as! [String: Any]
        #expect(m["status"] as? String == "missing")
        let rows = m["stores"] as! [[String: Any]]
        #expect(rows.first { $0["url"] as? String == local }?["ok"] as? Bool == false)
    }

    // MARK: Notifications

    @Test func notificationsReachAnSQSQueueThroughSNS() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 1, env: env)
        let (topic, queue) = try topicWithQueue(env: env)
        let store = try tempFolder("notify") + "/s"

        let good = try snap(["create", "--user-pool-id", pool, "--store", store, "--notify", "sns:\(topic)"], env: env)
        #expect(good.status == 0, "stderr: \(good.stderr)")
        let id = good.out.trimmingCharacters(in: .whitespacesAndNewlines)
        var got = try notifications(queue, env: env)
        #expect(got.count == 1)
        #expect(got.first?["command"] as? String == "create" && got.first?["status"] as? String == "success")
        #expect(got.first?["userPoolId"] as? String == pool)
        #expect((got.first?["summary"] as? [String: Any])?["id"] as? String == id)

        let bad = try snap(["create", "--user-pool-id", "us-east-1_NoSuchPool", "--store", store, "--notify", "sns:\(topic)"], env: env)
        #expect(bad.status == 1)
        got = try notifications(queue, env: env)
        #expect(got.count == 1 && got.first?["status"] as? String == "failure" && got.first?["exitCode"] as? Int == 1)
        #expect((got.first?["errors"] as? [String])?.first?.contains("us-east-1_NoSuchPool") == true)

        // From snap.toml, for prune too.
        let folder = try tempFolder("notify-toml")
        try "notify = \"sns:\(topic)\"\n".write(toFile: folder + "/snap.toml", atomically: true, encoding: .utf8)
        let prune = try snap(["prune", "--keep-last", "5", "--user-pool-id", pool, "--store", store], env: env, cwd: folder)
        #expect(prune.status == 0, "stderr: \(prune.stderr)")
        got = try notifications(queue, env: env)
        #expect(got.first?["command"] as? String == "prune" && got.first?["status"] as? String == "success")

        // A notification that fails is reported; the exit status is the command's.
        let lost = try snap(
            ["create", "--user-pool-id", pool, "--store", store, "--notify", "sns:arn:aws:sns:us-east-1:123456789012:snap-op-absent"],
            env: env)
        #expect(lost.status == 0)
        #expect(lost.stderr.contains("notification to sns:arn:aws:sns:us-east-1:123456789012:snap-op-absent failed"))
        let usage = try snap(["create", "--user-pool-id", pool, "--store", store, "--notify", "mailto:x"], env: env)
        #expect(usage.status == 64)
    }

    // MARK: Progress

    @Test func progressOnlyOnATerminal() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 5, env: env)
        let a = try tempFolder("progress") + "/a", b = try tempFolder("progress")
        let both = ["--user-pool-id", pool, "--store", a, "--store", b]
        _ = try createJSON(["--user-pool-id", pool, "--store", a], env: env)
        _ = try createJSON(["--user-pool-id", pool, "--store", a], env: env)

        let sync = try snapOnTerminal(["sync"] + both, env: env)
        #expect(sync.status == 0, "\(sync.out)")
        #expect(sync.out.contains("syncing: ") && sync.out.contains("/4 copies"), "\(sync.out)")
        let verify = try snapOnTerminal(["verify"] + both, env: env)
        #expect(verify.out.contains("verifying: ") && verify.out.contains("4/4 copies (100%)"), "\(verify.out)")

        let target = try RestoreTests.emptyPool(like: Repo.root + "/fixtures/demo/pool.json", region: "us-east-1", env: env)
        let work = try tempFolder("progress-restore")
        // A tenth of each quota: slow enough for the executor's progress reports (every 200 ms).
        let restore = try snapOnTerminal(
            [
                "restore", "latest", "--quota-share", "0.1", "--source-pool", pool, "--user-pool-id", target, "--store", a, "--sub-map",
                work + "/m.jsonl",
            ],
            env: env)
        #expect(restore.status == 0, "\(restore.out)")
        #expect(restore.out.contains("restoring: ") && restore.out.contains(" writes ("), "\(restore.out)")

        // Never with --json or --quiet, and never in a pipe.
        for args in [["verify", "--json"], ["verify", "--quiet"], ["sync", "--json"], ["sync", "-q"]] {
            let r = try snapOnTerminal(args + both, env: env)
            #expect(!r.out.contains("verifying: ") && !r.out.contains("syncing: "), "\(args): \(r.out)")
            #expect(!r.out.contains("\u{1B}[K"))
        }
        let piped = try snap(["verify"] + both, env: env)
        #expect(!piped.stderr.contains("verifying: ") && !piped.stderr.contains("\u{1B}[K"))
        let pipedSync = try snap(["sync"] + both, env: env)
        #expect(!pipedSync.stderr.contains("syncing: "))
    }
}
