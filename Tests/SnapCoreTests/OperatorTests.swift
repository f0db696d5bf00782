import AWS
import Foundation
import Testing

@testable import SnapCore

/// REF parsing, notification targets and summaries, freshness formatting.
@Suite struct OperatorTests {
    @Test func refsAndTimes() {
        #expect(SnapshotRef("@2026-11-20") == .at("2026-11-20"))
        #expect(SnapshotRef("latest~2") == .ref("latest~2"))
        #expect(SnapshotRef(ref: nil, at: nil) == .ref("latest"))
        #expect(SnapshotRef(ref: nil, at: "2026-11-20T01:00:00Z") == .at("2026-11-20T01:00:00Z"))
        #expect(SnapshotRef(ref: "@2026-11-20", at: nil).description == "--at 2026-11-20")
        #expect(SnapshotRef.at("x").needsOnePool && SnapshotRef.ref("latest").needsOnePool)
        #expect(!SnapshotRef.ref("20261127T0123").needsOnePool)
    }

    @Test func notifyTargets() throws {
        let t = try NotifyTarget("sns:arn:aws:sns:eu-west-1:123456789012:snap-alerts")
        #expect(t == .sns(topicArn: "arn:aws:sns:eu-west-1:123456789012:snap-alerts", region: "eu-west-1"))
        #expect(throws: SnapError.self) { try NotifyTarget("arn:aws:sns:eu-west-1:123456789012:x") }
        #expect(throws: SnapError.self) { try NotifyTarget("sns:not-an-arn") }
    }

    @Test func notificationSummary() throws {
        var n = Notification(
            command: "create", exitCode: 3, userPoolId: "us-east-1_X", summary: ["id": "20261127T012345Z-3f9a1c2e"],
            errors: ["store s3://b: AccessDenied"], tool: "snap 0.1.0")
        #expect(n.status == .partial)
        #expect(n.subject == "snap create partly failed for us-east-1_X")
        let o = try #require(try JSONSerialization.jsonObject(with: n.json.canonicalData()) as? [String: Any])
        #expect(o["status"] as? String == "partial" && o["exitCode"] as? Int == 3)
        #expect((o["errors"] as? [String])?.first == "store s3://b: AccessDenied")
        n.exitCode = 0
        #expect(n.status == .success)
        n.exitCode = 4
        #expect(n.status == .failure && n.subject.contains("FAILED"))
    }

    @Test func configTakesNotify() throws {
        let one = try ConfigFile(text: "notify = \"sns:arn:aws:sns:us-east-1:123456789012:t\"\n", path: "snap.toml")
        #expect(one.notify == ["sns:arn:aws:sns:us-east-1:123456789012:t"])
        let two = try ConfigFile(text: "notify = [\"sns:a\", \"sns:b\"]\n", path: "snap.toml")
        #expect(two.notify == ["sns:a", "sns:b"])
    }

    @Test func ages() {
        #expect(FreshnessCheck.format(.seconds(45)) == "45s")
        #expect(FreshnessCheck.format(.seconds(3 * 3600 + 12 * 60 + 5)) == "3h12m")
        #expect(FreshnessCheck.format(.seconds(26 * 3600)) == "26h")
        #expect(FreshnessCheck.format(.seconds(3 * 86400 + 4 * 3600)) == "3d4h")
    }

    @Test func freshnessAcrossTwoLocalStores() async throws {
        let root = NSTemporaryDirectory() + "snap-check-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = LocalStore(root: root + "/a", url: root + "/a"), b = LocalStore(root: root + "/b", url: root + "/b")
        let check = FreshnessCheck(stores: [a, b], maxAge: .seconds(3600))
        let empty = await check.run(pool: "us-east-1_X", workDirectory: root)
        #expect(empty.status == .stale && empty.newest == nil)
    }
}

@Suite struct RestorePathsTests {
    @Test func journalSitsNextToTheSubMap() {
        let d = RestorePaths(snapshot: "ID", target: "eu-west-1_X", subMap: nil, cwd: "/work")
        #expect(d.subMap == "/work/restore-ID-eu-west-1_X.submap.jsonl")
        #expect(d.journal == "/work/restore-ID-eu-west-1_X.journal.jsonl")
        let g = RestorePaths(snapshot: "ID", target: "P", subMap: "out/map.jsonl", cwd: "/w")
        #expect(g.subMap == "/w/out/map.jsonl" && g.journal == "/w/out/restore-ID-P.journal.jsonl")
        let root = RestorePaths(snapshot: "ID", target: "P", subMap: "/m.jsonl", cwd: "/w")
        #expect(root.journal == "/restore-ID-P.journal.jsonl")
    }
}
