import AWS
import Foundation
import Testing

@testable import SnapCore

/// `--only-missing`'s sign-in conflicts: a user to re-create whose sign-in value (email pools) or
/// active alias (alias pools) a pool user holds, as AdminCreateUser will refuse it.
@Suite struct OnlyMissingConflictsTests {
    static func user(_ name: String, _ attrs: [String: String]) -> UserRecord {
        UserRecord(username: name, attributes: attrs, enabled: true, status: "CONFIRMED")
    }

    /// The conflicts of re-creating `restoring` into a pool configured by `pool` that holds `live`.
    static func conflicts(pool: JSONValue, restoring: [UserRecord], live: [UserRecord]) throws -> [OnlyMissingPlan.Conflict] {
        let dir = try TempDir()
        let target = PoolConfiguration(pool: pool)
        let liveFile = try dir.write(
            "live-users.jsonl",
            live.sorted { JSONValue.utf8Less($0.username, $1.username) }.map { $0.json.canonicalString() + "\n" }.joined())
        let plan = RestorePlan(targetPoolId: "us-east-1_T", target: target, groups: [])
        let found = try OnlyMissingConflicts(directory: dir.path, target: target).find(
            users: { each in for u in restoring { if let p = plan.user(for: u) { try each(p) } } }, live: liveFile)
        #expect(found.count == found.first.count)
        return found.first
    }

    @Test func anEmailHeldWithOtherAttributesIsAConflictAndTheSameUserIsNot() throws {
        let pool: JSONValue = ["Id": "us-east-1_T", "UsernameAttributes": ["email"]]
        let ann = Self.user("uuid-ann", ["sub": "s1", "email": "ann@example.com", "given_name": "Ann"])
        let ben = Self.user("uuid-ben", ["sub": "s2", "email": "ben@example.com", "given_name": "Ben"])
        let cy = Self.user("uuid-cy", ["sub": "s3", "email": "cy@example.com"])
        let found = try Self.conflicts(
            pool: pool, restoring: [ann, ben, cy],
            live: [
                // ann re-created by hand, other attributes, the email in capitals (Cognito ignores case)
                Self.user("uuid-new", ["sub": "n1", "email": "Ann@Example.com"]),
                // ben re-created with every attribute the snapshot gives him: the run takes him
                Self.user("uuid-ben2", ["sub": "n2", "email": "ben@example.com", "given_name": "Ben"]),
                Self.user("uuid-dee", ["sub": "n3", "email": "dee@example.com"]),
            ])
        #expect(
            found == [
                OnlyMissingPlan.Conflict(
                    username: "uuid-ann", value: "ann@example.com", holder: "uuid-new", alias: nil, differing: ["email", "given_name"])
            ])
    }

    @Test func anActiveAliasAnotherUserHoldsIsAConflictAnUnverifiedOneIsNot() throws {
        let pool: JSONValue = ["Id": "us-east-1_T", "AliasAttributes": ["email", "preferred_username"]]
        let ann = Self.user("ann", ["sub": "s1", "email": "ann@example.com", "email_verified": "true"])
        let ben = Self.user("ben", ["sub": "s2", "email": "ben@example.com", "email_verified": "true", "preferred_username": "benny"])
        let cy = Self.user("cy", ["sub": "s3", "email": "cy@example.com", "email_verified": "false"])
        let found = try Self.conflicts(
            pool: pool, restoring: [ann, ben, cy],
            live: [
                Self.user("ann2", ["sub": "n1", "email": "ann@example.com", "email_verified": "true"]),
                Self.user("bo", ["sub": "n2", "preferred_username": "benny"]),
                // cy's email is not verified: not an alias, whoever holds it
                Self.user("cy2", ["sub": "n3", "email": "cy@example.com", "email_verified": "true"]),
            ])
        #expect(
            found == [
                OnlyMissingPlan.Conflict(username: "ann", value: "ann@example.com", holder: "ann2", alias: "email", differing: []),
                OnlyMissingPlan.Conflict(username: "ben", value: "benny", holder: "bo", alias: "preferred_username", differing: []),
            ])
    }

    @Test func aPoolWithoutSignInAttributesOrAliasesHasNone() throws {
        let ann = Self.user("ann", ["sub": "s1", "email": "ann@example.com", "email_verified": "true"])
        let found = try Self.conflicts(
            pool: ["Id": "us-east-1_T"], restoring: [ann],
            live: [Self.user("ann2", ["sub": "n1", "email": "ann@example.com", "email_verified": "true"])])
        #expect(found.isEmpty)
    }
}
