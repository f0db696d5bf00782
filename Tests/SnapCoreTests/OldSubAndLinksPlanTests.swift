import AWS
import Foundation
import Testing

@testable import SnapCore

/// Issue 21, items 5 and 6, in the plan: `--keep-old-sub` (its form, the target's schema, the value
/// each user gets) and linked identities (read from `identities`, split by the target's providers,
/// journaled and read back).
@Suite struct OldSubAndLinksPlanTests {
    static func target(_ schema: [JSONValue]) -> PoolConfiguration {
        PoolConfiguration(pool: ["Id": "eu-west-1_Target", "SchemaAttributes": .array(schema)])
    }

    static func attribute(_ name: String, _ type: String = "String", mutable: Bool = true, maxLength: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["Name": .string(name), "AttributeDataType": .string(type), "Mutable": .bool(mutable)]
        if let maxLength { o["StringAttributeConstraints"] = ["MaxLength": .string(maxLength)] }
        return .object(o)
    }

    static let identities =
        #"[{"userId":"okta-1","providerName":"Okta","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":1700000000000},{"userId":"g-2","providerName":"Google","providerType":"Google","issuer":null,"primary":false,"dateCreated":1700000000000}]"#

    static func snapshot(_ users: [UserRecord]) -> SnapshotContents {
        SnapshotContents(pool: ["Id": "us-east-1_Source"], groups: [], users: users, memberships: [])
    }

    @Test func theFlagsFormIsChecked() {
        #expect(RestoreOptions.validateKeepOldSub("custom:old_sub") == nil)
        #expect(RestoreOptions.validateKeepOldSub("custom:" + String(repeating: "x", count: 20)) == nil)
        #expect(RestoreOptions.validateKeepOldSub("old_sub") != nil)
        #expect(RestoreOptions.validateKeepOldSub("custom:") != nil)
        #expect(RestoreOptions.validateKeepOldSub("custom:" + String(repeating: "x", count: 21)) != nil)
        #expect(RestoreOptions.validateKeepOldSub("custom:a b") != nil)
    }

    @Test func theOldSubGoesIntoTheAttributeOverTheUsersOwnValue() {
        let users = [
            UserRecord(username: "a", attributes: ["sub": "sub-a", "custom:old_sub": "mine"], enabled: true, status: "CONFIRMED"),
            UserRecord(username: "b", attributes: ["sub": "sub-b"], enabled: true, status: "CONFIRMED"),
        ]
        let plan = RestorePlan.make(
            snapshot: Self.snapshot(users), target: Self.target([Self.attribute("custom:old_sub")]),
            options: RestoreOptions(keepOldSub: "custom:old_sub"))
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.user(for: users[0])?.attributes.first { $0.name == "custom:old_sub" }?.value == "sub-a")
        #expect(plan.user(for: users[1])?.attributes.first { $0.name == "custom:old_sub" }?.value == "sub-b")
        #expect(plan.notes.contains { $0.contains("1 user(s) already have a value of their own in custom:old_sub") }, "\(plan.notes)")
        // Without the flag nothing is added.
        let plain = RestorePlan.make(snapshot: Self.snapshot([users[1]]), target: Self.target([]))
        #expect(plain.user(for: users[1])?.attributes.contains { $0.name.hasPrefix("custom:") } == false)
    }

    @Test func theTargetMustHoldTheAttribute() {
        let u = [UserRecord(username: "a", attributes: ["sub": "sub-a"], enabled: true, status: "CONFIRMED")]
        let options = RestoreOptions(keepOldSub: "custom:old_sub")
        let missing = RestorePlan.make(snapshot: Self.snapshot(u), target: Self.target([]), options: options)
        #expect(missing.problems.count == 1 && missing.problems[0].contains("aws cognito-idp add-custom-attributes"), "\(missing.problems)")
        let number = RestorePlan.make(
            snapshot: Self.snapshot(u), target: Self.target([Self.attribute("custom:old_sub", "Number")]), options: options)
        #expect(number.problems.count == 1 && number.problems[0].contains("Number"), "\(number.problems)")
        let short = RestorePlan.make(
            snapshot: Self.snapshot(u), target: Self.target([Self.attribute("custom:old_sub", maxLength: "35")]), options: options)
        #expect(short.problems.count == 1 && short.problems[0].contains("at most 35"), "\(short.problems)")
        let immutable = RestorePlan.make(
            snapshot: Self.snapshot(u), target: Self.target([Self.attribute("custom:old_sub", mutable: false, maxLength: "36")]),
            options: options)
        #expect(immutable.problems.isEmpty, "settable at create: \(immutable.problems)")
    }

    @Test func linksAreReadAndSplitByTheTargetsProviders() throws {
        let users = [
            UserRecord(username: "a", attributes: ["sub": "s", "identities": Self.identities], enabled: true, status: "CONFIRMED"),
            UserRecord(
                username: "fed", attributes: ["sub": "t", "identities": Self.identities], enabled: true, status: "EXTERNAL_PROVIDER"),
            UserRecord(username: "bad", attributes: ["sub": "u", "identities": "[{"], enabled: true, status: "CONFIRMED"),
        ]
        var plan = RestorePlan.make(snapshot: Self.snapshot(users), target: Self.target([]))
        #expect(plan.linksByProvider == ["Okta": 1, "Google": 1], "the federated user's links are not counted")
        #expect(plan.notes.contains { $0.contains("bad (") }, "\(plan.notes)")
        plan.resolveLinks(targetProviders: ["Okta"])
        #expect(plan.links == 1 && plan.pendingLinks == 1 && plan.pendingProviders == ["Google": 1])
        #expect(plan.pendingLinkNote?.contains("Google (1)") == true)
        #expect(plan.user(for: users[0])?.links.map(\.key) == ["Okta\u{0}okta-1", "Google\u{0}g-2"])
        #expect(plan.user(for: users[0])?.attributes.contains { $0.name == "identities" } == false, "identities is the service's")
        #expect(plan.calls[.userFederation] == 1)
    }

    @Test func theCommandIsExactAndQuoted() {
        let l = LinkedIdentity(providerName: "Okta", userId: "it's")
        #expect(
            l.command(poolId: "eu-west-1_X", targetUsername: "alice")
                == #"aws cognito-idp admin-link-provider-for-user --region eu-west-1 --user-pool-id 'eu-west-1_X' --destination-user '{"ProviderAttributeValue":"alice","ProviderName":"Cognito"}' --source-user '{"ProviderAttributeName":"Cognito_Subject","ProviderAttributeValue":"it'\''s","ProviderName":"Okta"}'"#
        )
    }

    @Test func aLinkIsJournaledAndReadBack() throws {
        let e = JournalEntry.link(username: "alice", provider: "Okta", userId: "okta-1")
        #expect(JournalEntry(json: e.json) == e)
        var state = JournalState()
        state.apply(e)
        #expect(state.links == ["alice\u{0}Okta\u{0}okta-1"])
    }

    @Test func theNewPoolGetsTheAttributeOnce() {
        var b = PoolBlueprint.make(from: ["Id": "us-east-1_S", "SchemaAttributes": []], name: "n", region: "eu-west-1")
        b.addOldSubAttribute("custom:old_sub")
        b.addOldSubAttribute("custom:old_sub")
        let schema = b.request["Schema"]?.arrayValue ?? []
        #expect(schema.count == 1 && schema[0]["Name"]?.stringValue == "old_sub" && schema[0]["Mutable"] == true, "\(schema)")
        let pool = PoolBlueprint.withOldSubAttribute(["Id": "x"], "custom:old_sub")
        #expect(PoolConfiguration(pool: pool).schema["custom:old_sub"]?.maxLength == 2048)
    }
}
