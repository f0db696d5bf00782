import AWS
import Foundation
import Testing

@testable import SnapCore

private func pool(
    id: String = "eu-west-1_Target", usernameAttributes: [String]? = nil, aliases: [String]? = nil, caseSensitive: Bool? = nil,
    schema: [JSONValue] = [], policy: JSONValue? = nil
) -> JSONValue {
    var o: [String: JSONValue] = ["Id": .string(id), "SchemaAttributes": .array(schema)]
    if let usernameAttributes { o["UsernameAttributes"] = .array(usernameAttributes.map { .string($0) }) }
    if let aliases { o["AliasAttributes"] = .array(aliases.map { .string($0) }) }
    if let caseSensitive { o["UsernameConfiguration"] = ["CaseSensitive": .bool(caseSensitive)] }
    if let policy { o["Policies"] = ["PasswordPolicy": policy] }
    return .object(o)
}

private func attr(_ name: String, _ type: String = "String", mutable: Bool = true, required: Bool = false, maxLength: String? = nil)
    -> JSONValue
{
    var o: [String: JSONValue] = [
        "Name": .string(name), "AttributeDataType": .string(type), "Mutable": .bool(mutable), "Required": .bool(required),
    ]
    if let maxLength { o["StringAttributeConstraints"] = ["MaxLength": .string(maxLength)] }
    return .object(o)
}

private func user(_ name: String, _ attrs: [String: String], status: String = "CONFIRMED", enabled: Bool = true) -> UserRecord {
    UserRecord(username: name, attributes: attrs, enabled: enabled, status: status)
}

private let tier = attr("custom:tier")

private func snapshot(users: [UserRecord], memberships: [MembershipRecord] = [], groups: [GroupRecord] = [], schema: [JSONValue] = [tier])
    -> SnapshotContents
{
    SnapshotContents(pool: pool(id: "us-east-1_Source", schema: schema), groups: groups, users: users, memberships: memberships)
}

@Suite("Restore planning and pre-checks")
struct RestorePlanTests {
    @Test func plansEveryKindAndSkipsFederatedUsers() {
        let s = snapshot(
            users: [
                user(
                    "alice",
                    [
                        "sub": "s-a", "email": "a@x.com", "email_verified": "true", "custom:tier": "gold", "cognito:mfa_enabled": "false",
                        "identities": "[]",
                    ]),
                user("bob", ["sub": "s-b", "phone_number_verified": "false"], status: "CONFIRMED", enabled: false),
                user("carol", ["sub": "s-c"], status: "FORCE_CHANGE_PASSWORD"),
                user("dave", ["sub": "s-d"], status: "RESET_REQUIRED"),
                user("Google_123", ["sub": "s-g"], status: "EXTERNAL_PROVIDER"),
            ],
            memberships: [
                MembershipRecord(group: "admins", username: "alice"), MembershipRecord(group: "admins", username: "Google_123"),
                MembershipRecord(group: "support", username: "bob"),
            ],
            groups: [GroupRecord(name: "admins", precedence: 0), GroupRecord(name: "support")])
        let plan = RestorePlan.make(snapshot: s, target: PoolConfiguration(pool: pool(schema: [tier])))
        #expect(plan.problems.isEmpty)
        let users = s.users.compactMap(plan.user(for:))
        #expect(users.map(\.record.username) == ["alice", "bob", "carol", "dave"])
        #expect(plan.userCount == 4)
        #expect(plan.skipped.map(\.username) == ["Google_123"] && plan.skippedCount == 1)
        #expect(plan.skippedMemberships == 1)
        #expect(plan.membershipCount == 2)
        let alice = users[0]
        #expect(alice.attributes.map(\.name) == ["custom:tier", "email", "email_verified"])
        #expect(alice.createUsername == "alice")
        #expect(alice.oldSub == "s-a")
        #expect(users.map(\.setPassword) == [true, true, false, true])
        #expect(users.map(\.disable) == [false, true, false, false])
        #expect(plan.passwords == 3 && plan.disables == 1)
        #expect(users[1].attributes.map(\.name) == ["phone_number_verified"])
        #expect(plan.notes.contains { $0.contains("1 FORCE_CHANGE_PASSWORD") })
        #expect(plan.notes.contains { $0.contains("RESET_REQUIRED") })
        // Passwords count against UserAccountRecovery, the disable against UserUpdate (issue 20, item 11); no links here.
        #expect(
            plan.calls == [
                .userPoolResourceUpdate: 2, .userCreation: 4, .userAccountRecovery: 3, .userUpdate: 1, .userResourceUpdate: 2,
                .userFederation: 0,
            ])
    }

    @Test func estimateIsTheSlowestCategory() {
        let users = (0..<100).map { user(String(format: "u%03d", $0), ["sub": "\($0)"]) }
        let plan = RestorePlan.make(
            snapshot: snapshot(
                users: users, memberships: users.map { MembershipRecord(group: "g", username: $0.username) },
                groups: [GroupRecord(name: "g")]),
            target: PoolConfiguration(pool: pool(schema: [tier])))
        let rates: [QuotaCategory: Double] = [
            .userPoolResourceUpdate: 12, .userCreation: 40, .userAccountRecovery: 20, .userUpdate: 20, .userResourceUpdate: 20,
        ]
        // 100 users / 40 = 2.5 s; 100 passwords / 20 = 5 s; 100 memberships / 20 = 5 s.
        #expect(plan.estimatedSeconds { rates[$0]! } == 5)
    }

    @Test func everyProblemIsListedNotJustTheFirst() {
        let s = snapshot(
            users: [
                user("a", ["sub": "1", "custom:tier": "gold", "custom:level": "x", "custom:code": "toolong"]),
                user("b", ["sub": "2", "custom:level": "7"]),
            ],
            schema: [tier, attr("custom:level", "Number"), attr("custom:code"), attr("custom:gone")])
        let target = PoolConfiguration(
            pool: pool(schema: [
                attr("custom:tier", mutable: false), attr("custom:level", "String"), attr("custom:code", maxLength: "3"),
                attr("name", required: true), attr("sub", required: true),
            ]))
        let plan = RestorePlan.make(snapshot: s, target: target, targetUsers: ["zed"], targetGroups: ["admins"])
        let p = plan.problems
        #expect(p.contains { $0.contains("holds users") && $0.contains("\"zed\"") && $0.contains("--resume") })
        #expect(p.contains { $0.contains("holds groups") && $0.contains("\"admins\"") })
        #expect(p.contains { $0.contains("custom:tier is immutable in the target") })
        #expect(p.contains { $0.contains("custom:level is String in the target but Number") })
        #expect(p.contains { $0.contains("custom:code") && $0.contains("7 characters, the target allows 3") })
        #expect(p.contains { $0.contains("2 user(s) lack name") })
        #expect(!p.contains { $0.contains("lack sub") })
        #expect(p.count == 6)
    }

    @Test func missingCustomAttributeIsNamedWithAFix() {
        let s = snapshot(users: [user("a", ["custom:tier": "gold"]), user("b", ["custom:tier": "x"])])
        let plan = RestorePlan.make(snapshot: s, target: PoolConfiguration(pool: pool()))
        #expect(plan.problems.count == 1)
        #expect(plan.problems[0].contains("custom attribute custom:tier (String, mutable, used by 2 user(s)"))
        #expect(
            plan.problems[0].contains(
                "add-custom-attributes --user-pool-id eu-west-1_Target --custom-attributes Name=tier,AttributeDataType=String"))
    }

    @Test func resumeAllowsANonEmptyTarget() {
        let plan = RestorePlan.make(
            snapshot: snapshot(users: [user("a", [:])]), target: PoolConfiguration(pool: pool()), targetUsers: ["a"], resume: true)
        #expect(plan.problems.isEmpty)
    }

    @Test func emailSignInNeedsAUniqueEmailForEveryUser() {
        let good = snapshot(users: [
            user("0b1c-uuid", ["sub": "1", "email": "a@x.com"]),
            user("9f2e-uuid", ["sub": "2", "email": "b@x.com", "phone_number": "+1555"]),
        ])
        let target = PoolConfiguration(pool: pool(usernameAttributes: ["email"]))
        let plan = RestorePlan.make(snapshot: good, target: target)
        #expect(plan.problems.isEmpty)
        #expect(good.users.compactMap(plan.user(for:)).map(\.createUsername) == ["a@x.com", "b@x.com"])
        #expect(plan.notes.contains { $0.contains("new UUID usernames") })

        let bad = snapshot(users: [
            user("u1", ["email": "A@x.com"]), user("u2", ["email": "a@X.com"]), user("u3", ["phone_number": "+1555"]),
        ])
        let problems = RestorePlan.make(snapshot: bad, target: target).problems
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("signs in by email, but 1 user(s) have none") && $0.contains("\"u3\"") })
        #expect(problems.contains { $0.contains("sign-in email") && $0.contains("a@x.com (\"u1\", \"u2\")") })

        let phoneOrEmail = PoolConfiguration(pool: pool(usernameAttributes: ["email", "phone_number"]))
        let both = RestorePlan.make(snapshot: bad, target: phoneOrEmail)
        #expect(bad.users.compactMap(both.user(for:)).map(\.createUsername) == ["A@x.com", "a@X.com", "+1555"])
        #expect(both.problems.count == 1)
    }

    @Test func aliasesAndCaseInsensitiveUsernames() {
        let s = snapshot(users: [
            user("Ann", ["email": "a@x.com", "email_verified": "true", "preferred_username": "annie"]),
            user("ann", ["email": "a@x.com", "email_verified": "false", "preferred_username": "annie"]),
            user("c@x.com", ["email": "c@x.com", "email_verified": "true"]),
        ])
        let sensitive = RestorePlan.make(snapshot: s, target: PoolConfiguration(pool: pool(aliases: ["email", "preferred_username"])))
        // a@x.com is verified only once: no clash; "annie" is always an active alias.
        #expect(sensitive.problems.count == 2)
        #expect(sensitive.problems.contains { $0.contains("preferred_username alias") && $0.contains("annie") })
        #expect(sensitive.problems.contains { $0.contains("cannot be in email format") && $0.contains("c@x.com") })

        let insensitive = RestorePlan.make(snapshot: s, target: PoolConfiguration(pool: pool(caseSensitive: false)))
        #expect(
            insensitive.problems == [
                "the target's usernames are case-insensitive, and 1 username(s) differ only in case: \"Ann\" and \"ann\""
            ])
    }

    @Test func randomPasswordsSatisfyThePolicyAndDiffer() {
        let policy = PasswordPolicy(json: [
            "MinimumLength": 40, "RequireUppercase": true, "RequireLowercase": true, "RequireNumbers": true, "RequireSymbols": true,
        ])
        var seen = Set<String>()
        for _ in 0..<200 {
            let p = policy.randomPassword()
            #expect(p.count == 40)
            #expect(policy.accepts(p))
            seen.insert(p)
        }
        #expect(seen.count == 200)
        #expect(PasswordPolicy().randomPassword().count == 32)
        #expect(!PasswordPolicy().accepts("alllowercase1!"))
    }

    @Test func targetConfigurationIsRead() {
        let c = PoolConfiguration(
            pool: pool(
                usernameAttributes: ["email"], caseSensitive: false, schema: [attr("custom:code", maxLength: "2048")],
                policy: ["MinimumLength": 12, "RequireSymbols": false]))
        #expect(c.usernameAttributes == ["email"])
        #expect(!c.caseSensitive)
        #expect(c.schema["custom:code"]?.maxLength == 2048)
        #expect(c.passwordPolicy.minimumLength == 12 && !c.passwordPolicy.requireSymbols)
        #expect(PoolConfiguration(pool: pool()).caseSensitive)
    }

    @Test func existingGroupMustMatch() {
        let g = GroupRecord(name: "admins", description: "Full", precedence: 0, roleArn: "arn:r")
        #expect(
            RestoreExecutor.groupDifferences(g, ["GroupName": "admins", "Description": "Full", "Precedence": 0, "RoleArn": "arn:r"]).isEmpty
        )
        #expect(RestoreExecutor.groupDifferences(GroupRecord(name: "e"), ["GroupName": "e", "Description": ""]).isEmpty)
        #expect(
            RestoreExecutor.groupDifferences(g, ["GroupName": "admins", "Description": "Other", "Precedence": 3]) == [
                "description", "precedence", "role ARN",
            ])
    }
}
