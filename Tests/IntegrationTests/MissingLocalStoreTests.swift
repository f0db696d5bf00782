import Foundation
import Testing

/// Issue 19, item 16: a local store path that does not exist (an unmounted
/// backup disk) is an error for every command, never an empty store; only
/// `create` makes the folder, and says so.
@Suite struct MissingLocalStoreTests {
    @Test func aMissingStoreFolderIsAnError() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let missing = try tempFolder("unmounted") + "/backup"
        let store = ["--store", missing]
        for args in [
            ["verify", "--all"], ["verify", "--user-pool-id", pool], ["list"], ["list", "--user-pool-id", pool],
            ["prune", "--keep-last", "1", "--user-pool-id", pool], ["check", "--max-age", "1d", "--user-pool-id", pool],
        ] {
            let r = try snap(args + store, env: env)
            #expect(r.status == 1, "snap \(args.joined(separator: " ")): stdout: \(r.out) stderr: \(r.stderr)")
            // check reports on stdout, one line per pool; the others on stderr.
            let said = args[0] == "check" ? r.out : r.stderr
            #expect(said.contains(missing) && said.contains("does not exist"), "snap \(args.joined(separator: " ")): \(r.out) \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: missing), "snap \(args.joined(separator: " ")) made the folder")
        }
        // sync needs two stores: the one that is there is read, the missing one named (exit 3), and nothing is made.
        let there = try tempFolder("mounted")
        let s = try snap(["sync", "--user-pool-id", pool, "--store", there] + store, env: env)
        #expect(s.status == 3, "stdout: \(s.out) stderr: \(s.stderr)")
        #expect(s.stderr.contains(missing) && s.stderr.contains("does not exist"), "\(s.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing), "sync made the folder")

        let c = try snap(["create", "--user-pool-id", pool] + store, env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        #expect(c.stderr.contains("created the store folder \(missing)"), "\(c.stderr)")
        let v = try snap(["verify", "--user-pool-id", pool] + store, env: env)
        #expect(v.status == 0, "stdout: \(v.out) stderr: \(v.stderr)")
    }
}
