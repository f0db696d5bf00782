import Foundation
import Testing

/// `snap restore` against scripts/cognito_sim.py, which (unlike moto) runs
/// Cognito's CSV import jobs: the CSV parsed by Cognito's rules, users made
/// RESET_REQUIRED, jobs Created/Pending/InProgress/Succeeded, bad rows
/// counted as FailedUsers, the CSV PUT to a pre-signed URL.
@Suite(.serialized) struct SimulatorRestoreTests {
    /// Every quota times the simulators' time scale (100), as snap is told.
    static let quotas = [
        "UserList=3000", "UserPoolRead=1500", "UserPoolResourceRead=2000", "UserPoolClientRead=1500", "UserPoolResourceUpdate=1500",
        "UserRead=12000",
        "UserCreation=5000", "UserUpdate=2500", "UserResourceUpdate=2500",
    ].flatMap { ["--quota", $0] }
    static let role = "arn:aws:iam::123456789012:role/CognitoImportLogs"

    /// A snapshot of a simulated pool with hostile nicknames (commas, quotes, line breaks, leading =, Unicode).
    static func snapshot(users: Int, store: String, hostile: Bool = true, extra: [String] = []) throws -> (id: String, work: String) {
        let sim = try CognitoSim(["--users", "\(users)", "--groups", "3", "--no-quota"] + (hostile ? ["--hostile"] : []) + extra)
        defer { sim.stop() }
        let work = try tempFolder("sim-restore")
        let r = try snap(["create", "--user-pool-id", sim.poolId, "--store", store, "--work-dir", work], env: sim.environment)
        guard r.status == 0 else { throw TestFailure("snap create: \(r.stderr)") }
        let id = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try untar("\(store)/\(sim.poolId)/\(id).tar.zst", into: work)
        return (id, work)
    }

    static func target(_ extra: [String] = []) throws -> CognitoSim {
        try CognitoSim(
            ["--users", "0", "--groups", "0", "--pool-id", "us-east-1_SimTarget1", "--time-scale", "100", "--import-delay", "20"] + extra)
    }

    /// The pool equals the snapshot: every restorable user with its attributes (sub aside) and enabled
    /// state, in the state the method promises; every group and membership; the sub map matches the pool.
    static func expectPoolIsSnapshot(
        _ sim: CognitoSim, snapshot work: String, subMap: String, imported: Bool, minimumImported: Int? = nil,
        trimmed: Bool = false
    ) throws {
        let listed =
            (try aws(["cognito-idp", "list-users", "--user-pool-id", sim.poolId], env: sim.environment) as! [String: Any])["Users"]
            as! [[String: Any]]
        var pool: [String: [String: Any]] = [:]
        for u in listed { pool[u["Username"] as! String] = u }
        #expect(pool.count == listed.count, "a user is listed twice")
        let snapshotUsers = try jsonLines(work + "/users.jsonl").filter { $0["status"] as? String != "EXTERNAL_PROVIDER" }
        #expect(pool.count == snapshotUsers.count, "pool \(pool.count), snapshot \(snapshotUsers.count)")
        var subs: [String: String] = [:]
        for e in try jsonLines(subMap) { subs[e["username"] as! String] = e["newSub"] as? String }
        #expect(subs.count == snapshotUsers.count)
        var resetRequired = 0
        for record in snapshotUsers {
            let name = record["username"] as! String
            guard let got = pool[name] else {
                Issue.record("\(name) is missing")
                continue
            }
            var attrs: [String: String] = [:]
            for a in got["Attributes"] as! [[String: String]] { attrs[a["Name"]!] = a["Value"]! }
            let sub = attrs.removeValue(forKey: "sub")
            var want = record["attributes"] as! [String: String]
            want["sub"] = nil
            // An imported user's values are trimmed of leading and trailing white space (rule import-trims-white-space).
            if trimmed && got["UserStatus"] as? String == "RESET_REQUIRED" {
                want = want.mapValues { $0.trimmingCharacters(in: .whitespaces) }
            }
            #expect(attrs == want, "\(name): \(attrs) != \(want)")
            #expect(subs[name] == sub, "\(name): sub map \(subs[name] ?? "-") != pool \(sub ?? "-")")
            #expect(got["Enabled"] as? Bool == record["enabled"] as? Bool, "\(name) enabled")
            let status = got["UserStatus"] as! String
            switch record["status"] as! String {
            case "CONFIRMED", "RESET_REQUIRED", "COMPROMISED":
                #expect(status == "CONFIRMED" || (imported && status == "RESET_REQUIRED"), "\(name): \(status)")
                if status == "RESET_REQUIRED" { resetRequired += 1 }
            default: #expect(status == "FORCE_CHANGE_PASSWORD", "\(name): \(status)")
            }
        }
        // Four nicknames in ten hold a line break, quote or backslash: those users go through the API.
        if imported {
            let least = minimumImported ?? snapshotUsers.count / 3
            #expect(resetRequired >= least, "only \(resetRequired) users were imported")
        }
        let restorable = Set(snapshotUsers.map { $0["username"] as! String })
        let groups = try jsonLines(work + "/groups.jsonl").map { $0["name"] as! String }
        var want: Set<String> = []
        for m in try jsonLines(work + "/memberships.jsonl") where restorable.contains(m["username"] as! String) {
            want.insert("\(m["group"]!)/\(m["username"]!)")
        }
        var got: Set<String> = []
        for g in groups {
            let members = try aws(
                ["cognito-idp", "list-users-in-group", "--user-pool-id", sim.poolId, "--group-name", g], env: sim.environment)
            for u in (members as! [String: Any])["Users"] as! [[String: Any]] { got.insert("\(g)/\(u["Username"]!)") }
        }
        #expect(got == want)
    }

    @Test func anImportJobKilledAndResumedGivesExactlyTheSnapshot() throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 1500, store: store)
        let sim = try Self.target()
        defer { sim.stop() }
        let args =
            ["restore", id, "--user-pool-id", sim.poolId, "--store", store, "--method", "import-job", "--import-role-arn", Self.role]
            + Self.quotas

        let dry = try snap(args + ["--dry-run"], env: sim.environment, cwd: work)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("job 1:") && dry.stderr.contains("through the API"), "\(dry.stderr)")

        // Killed right after StartUserImportJob (writes: CreateUserImportJob, StartUserImportJob), before journaling more.
        var killEnv = sim.environment
        killEnv["SNAP_TEST_KILL_AFTER_WRITES"] = "2"
        let killed = try snapKilledByHook(args, env: killEnv, cwd: work)
        #expect(killed.status == 9 || killed.status == 137 || killed.status != 0, "not killed: \(killed.stderr)")

        let r = try snap(args + ["--resume", "--json"], env: sim.environment, cwd: work)
        #expect(r.status == 0, "resume: \(r.stderr)\nkilled run: \(killed.stderr)")
        let stats = try sim.stats()
        #expect(stats["CreateUserImportJob"]?["count"] == 1, "\(stats)")
        #expect(stats["StartUserImportJob"]?["count"] == 1, "a finished job was imported again: \(stats)")
        #expect((stats["AdminSetUserPassword"]?["count"] ?? 0) < 900, "imported users got passwords: \(stats)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(summary["ok"] as? Bool == true)
        try Self.expectPoolIsSnapshot(
            sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: true)
    }

    static func importArgs(_ id: String, _ sim: CognitoSim, store: String) -> [String] {
        ["restore", id, "--user-pool-id", sim.poolId, "--store", store, "--method", "import-job", "--import-role-arn", role] + quotas
    }

    /// Issue 20, item 8: the pre-signed URL lives 15 minutes (here 3 s: --time-scale 300). A run whose upload
    /// failed leaves a journaled job still Created; resumed after its URL expired, snap makes a fresh job for
    /// the file (S3 refuses the old URL as expired) and no row is lost or imported twice.
    @Test func aResumeAfterTheUploadURLExpiredMakesAFreshJob() throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 600, store: store)
        let sim = try CognitoSim(
            [
                "--users", "0", "--groups", "0", "--pool-id", "us-east-1_SimTarget3", "--time-scale", "300", "--import-delay", "20",
                "--refuse-uploads", "1",
            ])
        defer { sim.stop() }
        let args = Self.importArgs(id, sim, store: store)
        let first = try snap(args, env: sim.environment, cwd: work)
        #expect(first.status == 1 && first.stderr.contains("AccessDenied"), "first run: \(first.stderr)")
        Thread.sleep(forTimeInterval: 3.5)  // the URL's 15 minutes, at --time-scale 300
        let r = try snap(args + ["--resume", "--json"], env: sim.environment, cwd: work)
        #expect(r.status == 0, "resume: \(r.stderr)")
        #expect(r.stderr.contains("Request has expired") && r.stderr.contains("a new job for the file"), "\(r.stderr)")
        let stats = try sim.stats()
        #expect(stats["CreateUserImportJob"]?["count"] == 2 && stats["StartUserImportJob"]?["count"] == 1, "\(stats)")
        try Self.expectPoolIsSnapshot(sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: true)
    }

    /// Issue 20, item 8: a job can end Failed, Stopped or Expired. snap names the job, its status and its
    /// CloudWatch log; the users it imported are kept, the others go through the API; the pool ends exact.
    @Test(arguments: ["Failed", "Stopped", "Expired"])
    func anImportJobThatEndsUnsuccessfullyIsNamedAndTheRestGoesThroughTheAPI(end: String) throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 500, store: store)
        let sim = try Self.target(["--import-end", end])
        defer { sim.stop() }
        let r = try snap(Self.importArgs(id, sim, store: store) + ["--json"], env: sim.environment, cwd: work)
        #expect(r.status == 0, "\(end): \(r.stderr)")
        #expect(
            r.stderr.contains("ended \(end)") && r.stderr.contains("/aws/cognito/userpools/\(sim.poolId)/")
                && r.stderr.contains("go through the API"), "\(end): \(r.stderr)")
        if end == "Failed" { #expect(r.stderr.contains("Too many users have failed or been skipped"), "\(r.stderr)") }
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(summary["ok"] as? Bool == true)
        try Self.expectPoolIsSnapshot(
            sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: end != "Expired",
            minimumImported: 1)
    }

    /// Issue 20, item 8: one import job at a time per account and Region. Someone else's job is waited for and
    /// named; one that outlasts snap's bound ends the restore with an error that names it and says what to do.
    @Test func someoneElsesImportJobIsWaitedForNamedAndBounded() throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 300, store: store)
        let sim = try Self.target(["--foreign-job", "300"])  // 3 s at --time-scale 100
        defer { sim.stop() }
        let args = Self.importArgs(id, sim, store: store)
        let r = try snap(args, env: sim.environment, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("waiting for import job import-") && r.stderr.contains("someone-elses-import"), "\(r.stderr)")
        try Self.expectPoolIsSnapshot(sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: true)

        let busy = try CognitoSim(
            ["--users", "0", "--groups", "0", "--pool-id", "us-east-1_SimTarget4", "--time-scale", "100", "--foreign-job", "100000"])
        defer { busy.stop() }
        var env = busy.environment
        env["SNAP_TEST_IMPORT_WAIT_SECONDS"] = "2"
        let bounded = try snap(Self.importArgs(id, busy, store: store), env: env, cwd: work)
        #expect(bounded.status == 1)
        #expect(
            bounded.stderr.contains("someone-elses-import") && bounded.stderr.contains("still running after")
                && bounded.stderr.contains("stop-user-import-job"), "\(bounded.stderr)")
    }

    /// Issue 20, items 8 and 9: a refused pagination token in the post-import listing restarts that shard,
    /// whatever the refusal's words (Cognito's: "Paging marker … is invalid for request …").
    @Test func theListingAfterTheImportRestartsOnARefusedTokenWhateverItsWords() throws {
        let store = try tempFolder("sim-restore-store")
        // 18,000 users: about 70 a shard of 256, so the listing's shards run to a second page and carry tokens.
        let (id, work) = try Self.snapshot(users: 18_000, store: store, hostile: false)
        let sim = try Self.target(["--refuse-tokens", "2"])
        defer { sim.stop() }
        let r = try snap(Self.importArgs(id, sim, store: store), env: sim.environment, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try sim.stats()["ListUsers"]?["refused"] ?? 0) == 2)
        try Self.expectPoolIsSnapshot(sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: true)
    }

    /// Issue 20, item 8: an import job trims leading and trailing white space from values. snap adopts such a
    /// user (comparing as Cognito stored it) and says how many were trimmed.
    @Test func valuesTheImportTrimsAreAdoptedAndCounted() throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 400, store: store, hostile: false, extra: ["--padded"])
        let padded = try jsonLines(work + "/users.jsonl").filter {
            ($0["attributes"] as! [String: String])["middle_name"]?.hasPrefix(" ") == true
        }
        #expect(padded.count > 10)
        let sim = try Self.target()
        defer { sim.stop() }
        let r = try snap(Self.importArgs(id, sim, store: store), env: sim.environment, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        // The report names how many: "N imported user(s) had values Cognito's import trimmed ...".
        let line = r.stderr.split(separator: "\n").first { $0.contains("imported user(s) had values Cognito's import trimmed") }
        let trimmed = line.flatMap { Int($0.split(separator: " ").first { Int($0) != nil } ?? "") }
        #expect(trimmed != nil && trimmed! > 0 && trimmed! <= padded.count, "\(r.stderr)")
        try Self.expectPoolIsSnapshot(
            sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: true, trimmed: true)
    }

    /// Issue 20, item 8: in a pool that requires MFA, Cognito fails an import row whose cognito:mfa_enabled is
    /// not true; snap writes true there, so the users are imported, not failed and sent through the API.
    @Test func aPoolThatRequiresMFAGetsMFAEnabledRows() throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 300, store: store, hostile: false)
        let sim = try Self.target(["--mfa-configuration", "ON"])
        defer { sim.stop() }
        let r = try snap(Self.importArgs(id, sim, store: store), env: sim.environment, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("ended Failed"), "\(r.stderr)")
        try Self.expectPoolIsSnapshot(sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: true)
    }

    @Test func theAPIMethodThroughThrottlingFailsNoUser() throws {
        let store = try tempFolder("sim-restore-store")
        let (id, work) = try Self.snapshot(users: 400, store: store)
        // Real-time quotas (scale 1) while snap is told they are four times higher: it is throttled, slows, and retries.
        let sim = try CognitoSim(["--users", "0", "--groups", "0", "--pool-id", "us-east-1_SimTarget2"])
        defer { sim.stop() }
        let r = try snap(
            [
                "restore", id, "--user-pool-id", sim.poolId, "--store", store, "--method", "api", "--quota-share", "1",
                "--quota", "UserCreation=200", "--quota", "UserUpdate=100", "--quota", "UserResourceUpdate=100", "--json",
            ], env: sim.environment, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        let stats = try sim.stats()
        let throttled = ["AdminCreateUser", "AdminSetUserPassword", "AdminAddUserToGroup"].map { stats[$0]?["throttled"] ?? 0 }
        #expect(throttled.reduce(0, +) > 0, "never throttled: \(stats)")
        let summary = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        #expect(summary["ok"] as? Bool == true && (summary["failures"] as? [Any])?.isEmpty == true)
        try Self.expectPoolIsSnapshot(sim, snapshot: work, subMap: "\(work)/restore-\(id)-\(sim.poolId).submap.jsonl", imported: false)
    }
}
