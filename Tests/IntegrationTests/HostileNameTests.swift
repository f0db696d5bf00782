import Foundation
import Testing

/// Issue 19, item 17: names that could forge or hide diff lines. A username
/// holding a line break printed a forged `+ member admins mallory` line, bidi
/// controls passed through, and a username holding U+0000 lost its
/// memberships at create ("deleted during the export").
@Suite struct HostileNameTests {
    /// Adds users (with boto3: the CLI's argv cannot carry U+0000) and their admins memberships.
    func addUsers(_ names: [String], pool: String, env: [String: String]) throws {
        let script = """
            import boto3, json, os, sys
            c = boto3.client("cognito-idp", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
            for name in json.loads(sys.argv[2]):
                c.admin_create_user(UserPoolId=sys.argv[1], Username=name, MessageAction="SUPPRESS")
                c.admin_add_user_to_group(UserPoolId=sys.argv[1], Username=name, GroupName="admins")
            """
        let names = String(decoding: try JSONSerialization.data(withJSONObject: names), as: UTF8.self)
        let r = try run("python3", ["-c", script, pool, names], env: env)
        guard r.status == 0 else { throw TestFailure("adding users failed: \(r.stderr)") }
    }

    @Test func textDiffEscapesNamesAndAUsernameWithNULIsRefusedByName() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("hostile") + "/s"
        let args = ["--user-pool-id", pool, "--store", store]
        let before = try snap(["create"] + args, env: env)
        #expect(before.status == 0, "\(before.stderr)")

        try addUsers(["eve\n+ member admins mallory", "bidi\u{202E}txt", "nul\u{0}user"], pool: pool, env: env)
        let after = try snap(["create"] + args, env: env)
        #expect(after.status == 0, "\(after.stderr)")
        // Refused by name, escaped; never "deleted during the export".
        #expect(after.stderr.contains("\"nul\\u0000user\"") && after.stderr.contains("U+0000"), "\(after.stderr)")
        #expect(!after.stderr.contains("deleted during the export"), "\(after.stderr)")

        let diff = try snap(["diff"] + args, env: env)
        let lines = diff.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(!lines.contains("+ member admins mallory"), "a forged line: \(diff.out)")
        #expect(lines.contains("+ user eve\\n+ member admins mallory"), "\(diff.out)")
        #expect(lines.contains("+ member admins eve\\n+ member admins mallory"), "\(diff.out)")
        #expect(lines.contains("+ user bidi\\u202etxt"), "\(diff.out)")
        #expect(!diff.out.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{0}" }, "\(diff.out)")
        // --json keeps the exact names (JSON escapes them itself).
        let json = try snap(["diff", "--json"] + args, env: env)
        let names = json.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["username"] as? String
        }
        #expect(names.contains("eve\n+ member admins mallory") && names.contains("bidi\u{202E}txt"), "\(json.out)")
    }
}
