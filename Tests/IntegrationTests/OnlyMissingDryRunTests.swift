import Foundation
import Testing

/// `restore --only-missing --dry-run` (issue 19) says what the real run will
/// find: a dry run exits 1 exactly when the run would, for a username another
/// user holds and for a sign-in value (email) a user re-created by hand holds.
@Suite(.serialized) struct OnlyMissingDryRunTests {
    /// Runs the dry run, then the real run; both exit 1 and the dry run names the conflict.
    static func expectDryRunTellsTheRun(
        id: String, pool: String, store: String, work: String, env: [String: String], names: String
    ) throws {
        let base = ["restore", id, "--user-pool-id", pool, "--store", store, "--only-missing"]
        let before = try OnlyMissingTests.state(pool, env: env)
        let dry = try snap(base + ["--dry-run"], env: env, cwd: work)
        #expect(try OnlyMissingTests.state(pool, env: env) == before, "the dry run wrote")
        let dryJSON = try snap(base + ["--dry-run", "--json"], env: env, cwd: work)
        let real = try snap(base, env: env, cwd: work)
        #expect(real.status == 1, "the real run: \(real.stderr)")
        #expect(dry.status == real.status, "dry run exit \(dry.status), real run exit \(real.status): \(dry.stderr)")
        #expect(!dry.stderr.contains("all checks passed") && !dry.out.contains("all checks passed"), "\(dry.stderr)\(dry.out)")
        #expect(dry.stderr.contains(names), "the dry run names \(names): \(dry.stderr)")
        let dryDoc = try OnlyMissingTests.json(dryJSON)
        #expect(dryJSON.status == 1 && dryDoc["ok"] as? Bool == false, "\(dryJSON.out)")
    }

    /// (a) The username is held by another user (deleted, then a new user made under the same name).
    @Test func aUsernameAnotherUserHoldsFailsTheDryRunAsItFailsTheRun() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let work = try tempFolder("only-missing-dry-taken")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        try OnlyMissingTests.night(pool, ["recreate": [["bob", "someone-else@example.com"]], "deleteUsers": ["carol"]], env: env)
        try Self.expectDryRunTellsTheRun(id: id, pool: pool, store: store, work: work, env: env, names: "bob")
    }

    /// (b) A pool that signs in by email: a deleted user re-created by hand with the same email (and other attributes).
    @Test func anEmailAReCreatedUserHoldsFailsTheDryRunAsItFailsTheRun() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env, spec: RestoreTests.emailSpec)
        let work = try tempFolder("only-missing-dry-email")
        let store = work + "/store"
        let id = try RestoreTests.createID(pool, store: store, env: env)
        let snapshot = try RestoreTests.unpack(store: store, pool: pool, id: id)
        let ann = snapshot.users.first { ($0["attributes"] as! [String: String])["email"] == "ann@example.com" }!["username"] as! String
        let region = String(pool.prefix { $0 != "_" })
        _ = try RestoreTests.cli(["admin-delete-user", "--user-pool-id", pool, "--username", ann], region: region, env: env)
        _ = try RestoreTests.cli(
            [
                "admin-create-user", "--user-pool-id", pool, "--username", "ann@example.com", "--message-action", "SUPPRESS",
                "--user-attributes", "Name=email,Value=ann@example.com",
            ], region: region, env: env)
        try Self.expectDryRunTellsTheRun(id: id, pool: pool, store: store, work: work, env: env, names: "ann@example.com")
    }
}
