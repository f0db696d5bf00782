import Foundation
import Testing

/// Pools whose usernames are case-insensitive (`UsernameConfiguration.CaseSensitive: false`,
/// issue 20, item 13): `Alice` and `alice` are one username to Cognito. moto keeps
/// them apart; the proxy's rule admin-create-user-case-insensitive refuses, as Cognito does.
@Suite struct CaseInsensitivePoolTests {
    static func pool(_ name: String, caseSensitive: Bool, env: [String: String]) throws -> String {
        let made =
            try aws(
                [
                    "cognito-idp", "create-user-pool", "--pool-name", name, "--username-configuration",
                    "CaseSensitive=\(caseSensitive)", "--schema", "Name=email,AttributeDataType=String,Mutable=true",
                ], env: env) as! [String: Any]
        return (made["UserPool"] as! [String: Any])["Id"] as! String
    }

    static func user(_ pool: String, _ name: String, email: String, env: [String: String]) throws {
        _ = try aws(
            [
                "cognito-idp", "admin-create-user", "--user-pool-id", pool, "--username", name, "--message-action", "SUPPRESS",
                "--user-attributes", "Name=email,Value=\(email)",
            ], env: env)
    }

    static func usernames(_ pool: String, env: [String: String]) throws -> [String] {
        let listed = try aws(["cognito-idp", "list-users", "--user-pool-id", pool], env: env) as! [String: Any]
        return ((listed["Users"] as? [[String: Any]]) ?? []).map { $0["Username"] as! String }.sorted()
    }

    @Test func onlyMissingTakesACaseVariantForTheSameUsername() throws {
        let env = try Moto.shared().environment
        let work = try tempFolder("ci-only-missing")
        let pool = try Self.pool("ci-\(UUID().uuidString.prefix(6))", caseSensitive: false, env: env)
        _ = try aws(["cognito-idp", "create-group", "--user-pool-id", pool, "--group-name", "staff"], env: env)
        try Self.user(pool, "Alice", email: "alice@example.com", env: env)
        try Self.user(pool, "bob", email: "bob@example.com", env: env)
        _ = try aws(
            ["cognito-idp", "admin-add-user-to-group", "--user-pool-id", pool, "--username", "Alice", "--group-name", "staff"],
            env: env)
        let store = ["--user-pool-id", pool, "--store", work + "/store"]
        let made = try snap(["create"] + store, env: env)
        #expect(made.status == 0, "stderr: \(made.stderr)")

        // The bad night: Alice deleted, and someone else signed up as "alice".
        _ = try aws(["cognito-idp", "admin-delete-user", "--user-pool-id", pool, "--username", "Alice"], env: env)
        try Self.user(pool, "alice", email: "someone-else@example.com", env: env)

        let dry = try snap(["restore", "latest", "--only-missing", "--dry-run"] + store, env: env, cwd: work)
        #expect(dry.status == 1, "stdout: \(dry.out) stderr: \(dry.stderr)")
        #expect(
            dry.stderr.contains("held: user Alice") && dry.stderr.contains("case-insensitive") && dry.stderr.contains("alice"),
            "stderr: \(dry.stderr)")
        let run = try snap(["restore", "latest", "--only-missing"] + store, env: env, cwd: work)
        #expect(run.status == 1, "stdout: \(run.out) stderr: \(run.stderr)")
        #expect(try Self.usernames(pool, env: env) == ["alice", "bob"], "no second user under the same username")
    }

    @Test func restoreNamesUsernamesThatDifferOnlyInCaseUpFront() throws {
        let env = try Moto.shared().environment
        let work = try tempFolder("ci-restore")
        let source = try Self.pool("cs-\(UUID().uuidString.prefix(6))", caseSensitive: true, env: env)
        try Self.user(source, "Ann", email: "ann@example.com", env: env)
        try Self.user(source, "ann", email: "ann2@example.com", env: env)
        let store = ["--store", work + "/store"]
        #expect(try snap(["create", "--user-pool-id", source] + store, env: env).status == 0)
        let target = try Self.pool("ci-\(UUID().uuidString.prefix(6))", caseSensitive: false, env: env)
        let r = try snap(["restore", "latest", "--source-pool", source, "--user-pool-id", target] + store, env: env, cwd: work)
        #expect(r.status != 0 && r.stderr.contains("differ only in case") && r.stderr.contains("\"Ann\""), "stderr: \(r.stderr)")
        #expect(try Self.usernames(target, env: env) == [], "nothing written")
    }
}
