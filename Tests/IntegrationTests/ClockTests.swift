import Foundation
import Testing

@testable import SnapCore

/// Issue 7, item 7: a snapshot dated in the future (a machine whose clock
/// ran ahead) neither lets a new snapshot sort before it nor purges the
/// others through `--keep-within`.
@Suite struct ClockTests {
    @Test func futureSnapshotRefusesCreateAndCannotPurgeTheOthers() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("clock") + "/store"
        let folder = "\(store)/\(pool)"
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        // Written by a machine whose clock is years ahead.
        let future = "20991231T000000Z-0000abcd"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(id).json"))) as! [String: Any]
        json["id"] = future
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: "\(folder)/\(future).json"))
        try FileManager.default.copyItem(atPath: "\(folder)/\(id).tar.zst", toPath: "\(folder)/\(future).tar.zst")

        let refused = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(refused.status == 1, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("clock") && refused.stderr.contains(future), "\(refused.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names == ["\(id).json", "\(future).json"])

        let p = try snap(["prune", "--keep-within", "1h", "--user-pool-id", pool, "--store", store], env: env)
        #expect(p.status == 0, "stderr: \(p.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted() == names, "\(p.out)")
    }

    /// Issue 19, item 7: `check` read a future-dated newest snapshot as "0s old", exit 0.
    @Test func checkCallsAFutureDatedSnapshotAClockFault() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("clock-check") + "/store"
        let folder = "\(store)/\(pool)"
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        func copy(as newId: String) throws {
            var json =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(id).json"))) as! [String: Any]
            json["id"] = newId
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: "\(folder)/\(newId).json"))
            try FileManager.default.copyItem(atPath: "\(folder)/\(id).tar.zst", toPath: "\(folder)/\(newId).tar.zst")
        }
        func stamp(_ d: Date) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            return f.string(from: d)
        }
        // A minute ahead is drift, inside the tolerance.
        try copy(as: stamp(Date().addingTimeInterval(60)) + "-0000abcd")
        let drift = try snap(["check", "--max-age", "26h", "--user-pool-id", pool, "--store", store], env: env)
        #expect(drift.status == 0 && drift.out.hasPrefix("OK"), "\(drift.out) \(drift.stderr)")
        // Two hours ahead is a clock fault: exit 1, said so.
        let ahead = stamp(Date().addingTimeInterval(7200)) + "-0000abce"
        try copy(as: ahead)
        let future = try snap(["check", "--max-age", "26h", "--user-pool-id", pool, "--store", store], env: env)
        #expect(future.status == 1, "\(future.out) \(future.stderr)")
        #expect(future.out.hasPrefix("FUTURE \(pool)") && future.out.contains(ahead) && future.out.contains("clock"), "\(future.out)")
        let json = try snap(["check", "--max-age", "26h", "--json", "--user-pool-id", pool, "--store", store], env: env)
        #expect((try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])?["status"] as? String == "future")
    }

    @Test func newIdMustSortAfterTheNewest() async throws {
        let now = Timestamp.parse("2026-11-27T01:00:00Z")!
        let older = SnapshotID("20261127T005959Z-ffffffff")!
        #expect(try await CreateSnapshot.clockChecked(now, newest: older) == now)
        #expect(try await CreateSnapshot.clockChecked(now, newest: nil) == now)
        // The same second: wait for the next one, so the new ID sorts after it.
        let same = SnapshotID("20261127T010000Z-ffffffff")!
        let later = try await CreateSnapshot.clockChecked(now.addingTimeInterval(0.9), newest: same)
        #expect(SnapshotID.make(at: later) > same)
        await #expect(throws: SnapError.self) {
            _ = try await CreateSnapshot.clockChecked(now, newest: SnapshotID("20261127T010001Z-00000000")!)
        }
    }
}
