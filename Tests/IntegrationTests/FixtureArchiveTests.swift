import Foundation
import Testing

/// An archive written by `tar` and `zstd` (scripts/make_fixture_store.py) is
/// read by snap: our reader interoperates with the standard tools.
@Suite struct FixtureArchiveTests {
    let id = "20261101T000000Z-0badc0de"

    private func copyOfFixtureStore() throws -> String {
        let dir = try tempFolder("fixture")
        try FileManager.default.copyItem(atPath: Repo.root + "/fixtures/store", toPath: dir + "/store")
        return dir + "/store"
    }

    private var env: [String: String] {
        var e = ProcessInfo.processInfo.environment
        for k in e.keys where k.hasPrefix("SNAP_") { e[k] = nil }
        return e
    }

    @Test func showAndCatReadTheToolMadeArchive() throws {
        let store = try copyOfFixtureStore()
        let show = try snap(["show", "20261101", "--store", store], env: env)
        #expect(show.status == 0, "stderr: \(show.stderr)")
        let manifest = try JSONSerialization.jsonObject(with: show.stdout) as! [String: Any]
        #expect(manifest["id"] as? String == id)
        #expect((manifest["counts"] as? [String: Int])?["users"] == 2)

        let cat = try snap(["cat", "latest", "users", "--store", store], env: env)
        #expect(cat.status == 0, "stderr: \(cat.stderr)")
        let x = try tempFolder("fixture-x")
        try untar("\(store)/us-east-1_Fixture01/\(id).tar.zst", into: x)
        #expect(cat.stdout == (try Data(contentsOf: URL(fileURLWithPath: x + "/users.jsonl"))))
        #expect(cat.out.contains("b\u{e9}a \\\"q\\\" \\\\ \u{1F600}"))

        let pool = try snap(["cat", id, "pool", "--store", store], env: env)
        #expect(pool.status == 0)
        #expect(pool.stdout == (try Data(contentsOf: URL(fileURLWithPath: x + "/pool.json"))))

        let list = try snap(["list", "--store", store, "--json"], env: env)
        let rows = try JSONSerialization.jsonObject(with: list.stdout) as! [[String: Any]]
        #expect(rows.count == 1 && rows[0]["userPoolId"] as? String == "us-east-1_Fixture01")
    }

    @Test func unknownMemberIsAUsageError() throws {
        let r = try snap(["cat", "latest", "secrets", "--store", try copyOfFixtureStore()], env: env)
        #expect(r.status == 64)
        #expect(r.stderr.contains("users, groups, memberships or pool"))
    }

    @Test func unknownManifestFormatIsRefused() throws {
        let store = try copyOfFixtureStore()
        let path = "\(store)/us-east-1_Fixture01/\(id).json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"format\":1", with: "\"format\":9")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try snap(["show", "latest", "--store", store], env: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("format 9") && r.stderr.contains(path), "stderr: \(r.stderr)")
    }
}
