import Foundation
import Testing

/// `snap restore --resume` proves what it claims against the pool (issue 19):
/// the journal says what was done, the pool says what is there; a journal of
/// another snapshot is never taken for this one's; a journal cut mid-append
/// is read up to its last whole line.
@Suite(.serialized) struct ResumeProofTests {
    /// `snap diff ID pool:TARGET` (sub and status aside): its summary line.
    static func diffSummary(_ id: String, source: String, target: String, store: String, env: [String: String]) throws -> [String: Any] {
        let d = try snap(
            [
                "diff", id, "pool:\(target)", "--user-pool-id", source, "--store", store, "--ignore", "attributes.sub", "--ignore",
                "status", "--json",
            ], env: env)
        #expect(d.status == 0, "diff: \(d.stderr)")
        let last = try #require(d.out.split(separator: "\n").last, "diff printed nothing: \(d.stderr)")
        return try JSONSerialization.jsonObject(with: Data(last.utf8)) as! [String: Any]
    }

    static func expectNoDifferences(_ summary: [String: Any], _ context: String) {
        #expect(summary["users"] as? [String: Int] == ["added": 0, "removed": 0, "changed": 0], "\(context): \(summary)")
        #expect(summary["groups"] as? [String: Int] == ["added": 0, "removed": 0, "changed": 0], "\(context): \(summary)")
        #expect(summary["memberships"] as? [String: Int] == ["added": 0, "removed": 0], "\(context): \(summary)")
    }

    /// Item 1: a group and a user deleted by hand after a finished restore are re-created by --resume
    /// (with the user's and the group's memberships), and its exit 0 is true of the pool.
    @Test func resumeChecksGroupsAndMembershipsInThePoolNotInTheJournal() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 30, env: env)
        let work = try tempFolder("resume-proof-pool")
        let store = work + "/store"
        let id = try RestoreTests.createID(source, store: store, env: env)
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "eu-west-1", env: env)
        let base = ["restore", id, "--user-pool-id", target, "--store", store]
        let first = try snap(base, env: env, cwd: work)
        try #require(first.status == 0, "restore: \(first.stderr)")

        _ = try RestoreTests.cli(["admin-delete-user", "--user-pool-id", target, "--username", "alice"], region: "eu-west-1", env: env)
        _ = try RestoreTests.cli(["delete-group", "--user-pool-id", target, "--group-name", "beta-testers"], region: "eu-west-1", env: env)
        let gone = try Self.diffSummary(id, source: source, target: target, store: store, env: env)
        #expect((gone["memberships"] as? [String: Int])?["removed"] == 12, "the set-up removed 12 memberships: \(gone)")

        let r = try snap(base + ["--resume", "--json"], env: env, cwd: work)
        #expect(r.status == 0, "resume: \(r.stderr)")
        let counts = (try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])?["counts"] as? [String: [String: Int]]
        #expect(counts?["groups"] == ["planned": 4, "written": 1, "existing": 3, "failed": 0], "\(r.stderr)")
        #expect(counts?["memberships"] == ["planned": 14, "written": 12, "existing": 2, "failed": 0], "\(r.stderr)")
        Self.expectNoDifferences(try Self.diffSummary(id, source: source, target: target, store: store, env: env), "after --resume")
        try RestoreTests.expectPool(
            target, region: "eu-west-1", equals: try RestoreTests.unpack(store: store, pool: source, id: id),
            subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env)
    }

    /// Item 2: a restore of `latest` killed, a nightly create making a new `latest`, then
    /// `restore latest --resume`: refused (the journal found is named), nothing written;
    /// `--resume` into a pool holding a stranger and no journal at all: refused too.
    @Test func resumeWithoutThisSnapshotsJournalIntoANonEmptyPoolIsRefused() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 5, env: env)
        let work = try tempFolder("resume-proof-journal")
        let store = work + "/store"
        let first = try RestoreTests.createID(source, store: store, env: env)
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "eu-west-1", env: env)
        let latest = ["restore", "latest", "--source-pool", source, "--user-pool-id", target, "--store", store]
        var killEnv = env
        killEnv["SNAP_TEST_KILL_AFTER_WRITES"] = "6"
        let killed = try snapKilledByHook(latest, env: killEnv, cwd: work)
        try #require(killed.status == 9, "not killed: \(killed.status) \(killed.stderr)")

        // The nightly create: a user more, a new latest.
        _ = try RestoreTests.cli(
            ["admin-create-user", "--user-pool-id", source, "--username", "nightly-newcomer", "--message-action", "SUPPRESS"],
            region: String(source.prefix { $0 != "_" }), env: env)
        Thread.sleep(forTimeInterval: 1.1)
        let second = try RestoreTests.createID(source, store: store, env: env)
        try #require(second != first)
        let before = try RestoreTests.subsOf(target, env: env)

        let r = try snap(latest + ["--resume"], env: env, cwd: work)
        #expect(r.status == 1, "a resume of another snapshot was not refused: \(r.stderr)")
        #expect(r.stderr.contains("restore-\(first)-\(target).journal.jsonl"), "the journal found is named: \(r.stderr)")
        #expect(r.stderr.contains("no journal") && r.stderr.contains(second), "\(r.stderr)")
        #expect(try RestoreTests.subsOf(target, env: env) == before, "the refused resume wrote")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/restore-\(second)-\(target).journal.jsonl"))

        // A journal under this snapshot's name that records another (copied or renamed): refused, naming both.
        let copied = "\(work)/restore-\(second)-\(target).journal.jsonl"
        try FileManager.default.copyItem(atPath: "\(work)/restore-\(first)-\(target).journal.jsonl", toPath: copied)
        let c = try snap(latest + ["--resume"], env: env, cwd: work)
        #expect(c.status == 1, "\(c.stderr)")
        #expect(
            c.stderr.contains("the journal \(copied) records a restore of snapshot \(first) into \(target), not of \(second)"),
            "\(c.stderr)")
        #expect(try RestoreTests.subsOf(target, env: env) == before, "the refused resume wrote")
        try FileManager.default.removeItem(atPath: copied)

        // A pool holding a stranger, no journal anywhere: refused, nothing written.
        let stranger = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "eu-west-1", env: env)
        _ = try RestoreTests.cli(
            ["admin-create-user", "--user-pool-id", stranger, "--username", "stranger", "--message-action", "SUPPRESS"],
            region: "eu-west-1", env: env)
        let s = try snap(["restore", first, "--user-pool-id", stranger, "--store", store, "--resume"], env: env, cwd: work)
        #expect(s.status == 1, "\(s.stderr)")
        #expect(s.stderr.contains("no journal") && s.stderr.contains("stranger"), "\(s.stderr)")
        #expect(try RestoreTests.subsOf(stranger, env: env).keys.sorted() == ["stranger"])

        // The killed restore itself resumes and ends exact.
        let ok = try snap(["restore", first, "--user-pool-id", target, "--store", store, "--resume"], env: env, cwd: work)
        #expect(ok.status == 0, "\(ok.stderr)")
        try RestoreTests.expectPool(
            target, region: "eu-west-1", equals: try RestoreTests.unpack(store: store, pool: source, id: first),
            subMap: "\(work)/restore-\(first)-\(target).submap.jsonl", env: env)
    }

    /// Item 3: a journal whose last line was cut (a kill mid-append, a full disk) is read up to it,
    /// with a warning naming the file; a damaged line in the middle is an error naming file and line.
    @Test func aJournalCutMidLineIsReadUpToItAndAMiddleLineDamagedIsNamed() throws {
        let env = try Moto.shared().environment
        let source = try seedPool(extraUsers: 5, env: env)
        let work = try tempFolder("resume-proof-cut")
        let store = work + "/store"
        let id = try RestoreTests.createID(source, store: store, env: env)
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "eu-west-1", env: env)
        let base = ["restore", id, "--user-pool-id", target, "--store", store]
        var killEnv = env
        killEnv["SNAP_TEST_KILL_AFTER_WRITES"] = "8"
        let killed = try snapKilledByHook(base, env: killEnv, cwd: work)
        try #require(killed.status == 9, "not killed: \(killed.status) \(killed.stderr)")
        let journal = "\(work)/restore-\(id)-\(target).journal.jsonl"
        let whole = try Data(contentsOf: URL(fileURLWithPath: journal))
        let lines = whole.split(separator: 0x0A).count
        try #require(lines >= 3, "journal: \(String(decoding: whole, as: UTF8.self))")

        // A damaged line in the middle: an error that names the file and the line, nothing written.
        var damaged = whole.split(separator: 0x0A).map { Data($0) }
        damaged[1] = Data("{\"op\":\"gro".utf8)
        try (damaged.map { $0 + Data([0x0A]) }.reduce(Data(), +)).write(to: URL(fileURLWithPath: journal))
        let before = try RestoreTests.subsOf(target, env: env)
        let m = try snap(base + ["--resume"], env: env, cwd: work)
        #expect(m.status == 1, "\(m.stderr)")
        #expect(m.stderr.contains(journal) && m.stderr.contains("line 2"), "\(m.stderr)")
        #expect(try RestoreTests.subsOf(target, env: env) == before, "a refused resume wrote")

        // The last line cut: a warning that names the file, the line dropped, the restore finished.
        try (whole + Data("{\"group\":\"support\",\"op\":\"mem".utf8)).write(to: URL(fileURLWithPath: journal))
        let r = try snap(base + ["--resume"], env: env, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: ") && r.stderr.contains(journal) && r.stderr.contains("line \(lines + 1)"), "\(r.stderr)")
        #expect(!r.stderr.contains("use another copy"), "\(r.stderr)")
        try RestoreTests.expectPool(
            target, region: "eu-west-1", equals: try RestoreTests.unpack(store: store, pool: source, id: id),
            subMap: "\(work)/restore-\(id)-\(target).submap.jsonl", env: env)
        let after = try Data(contentsOf: URL(fileURLWithPath: journal))
        #expect(
            after.last == 0x0A && !String(decoding: after, as: UTF8.self).contains("\"op\":\"mem\n"), "the cut line stays in the journal")
    }
}
