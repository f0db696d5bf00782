import Foundation
import Testing

/// Issue 19, item 19: `--keep-within` in restic's units. `1m` meant one
/// minute here and one month in restic, so a policy carried over from restic
/// deleted nearly everything; `1y`, `2m2h` and `13d23h` were refused.
@Suite struct KeepWithinTests {
    func stamp(daysAgo: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: Date().addingTimeInterval(-daysAgo * 86_400))
    }

    @Test func oneMonthIsAMonthAsInRestic() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("within") + "/store"
        let folder = "\(store)/\(pool)"
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "\(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        // Copies of it, as if taken 10, 20, 45 and 400 days ago.
        let aged = [10.0, 20, 45, 400].enumerated().map { i, days in stamp(daysAgo: days) + String(format: "-0000ab%02x", i) }
        // Intact copies of that state (their manifests name them), so prune's
        // full verification of what it keeps passes.
        for newId in aged {
            let r = try run(
                "python3", [Repo.root + "/scripts/tamper_snapshot.py", folder, id, "--as", newId], env: ProcessInfo.processInfo.environment)
            guard r.status == 0 else { throw TestFailure("tamper_snapshot.py --as failed: \(r.stderr)") }
        }
        let args = ["--user-pool-id", pool, "--store", store]
        for span in ["1y", "2m2h", "13d23h", "1y2m3d", "2w"] {
            let r = try snap(["prune", "--keep-within", span, "--dry-run"] + args, env: env)
            #expect(r.status == 0, "--keep-within \(span): \(r.stderr)")
        }
        let minutes = try snap(["prune", "--keep-within", "30s"] + args, env: env)
        #expect(minutes.status == 64 && minutes.stderr.contains("m (months, not minutes)"), "\(minutes.stderr)")

        let p = try snap(["prune", "--keep-within", "1m"] + args, env: env)
        #expect(p.status == 0, "\(p.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.map {
            String($0.dropLast(5))
        }
        #expect(Set(left) == Set([id, aged[0], aged[1]]), "\(p.out)\n\(p.stderr)")
    }
}
