import AWS
import Foundation
import Testing

@testable import SnapCore

@Suite struct ConfigurationDiffTests {
    private func docs(_ pool: String, config: String? = nil, lists: [String: String] = [:]) throws -> ConfigurationDocuments {
        var members: [String: [UInt8]] = ["pool.json": Array(pool.utf8)]
        if let config { members["config.json"] = Array(config.utf8) }
        for (name, text) in lists { members[name] = Array(text.utf8) }
        return try ConfigurationDocuments(source: "test", members: members)
    }

    private func lines(_ changes: [ConfigurationChange]) -> [String] { changes.map { $0.json.canonicalString() } }

    @Test func nestedFieldsAsDottedPathsAndDatesNeverCompared() throws {
        let old = try docs(
            #"{"CreationDate":1,"LastModifiedDate":2,"MfaConfiguration":"ON","Policies":{"PasswordPolicy":{"MinimumLength":12,"RequireSymbols":true}},"Name":"p"}"#
        )
        let new = try docs(
            #"{"CreationDate":5,"LastModifiedDate":9,"EstimatedNumberOfUsers":4,"MfaConfiguration":"OFF","Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireSymbols":true}},"Name":"p"}"#
        )
        let changes = ConfigurationDiff().compare(old: old, new: new)
        #expect(
            lines(changes) == [
                #"{"changes":[{"field":"MfaConfiguration","new":"OFF","old":"ON"},{"field":"Policies.PasswordPolicy.MinimumLength","new":8,"old":12}],"kind":"pool","op":"changed"}"#
            ])
        #expect(changes.map(\.text) == [#"~ pool: MfaConfiguration "ON" -> "OFF"; Policies.PasswordPolicy.MinimumLength 12 -> 8"#])
    }

    @Test func equalSidesGiveNothing() throws {
        let a = try docs(#"{"Name":"p","SchemaAttributes":[{"Name":"email"}]}"#, config: #"{"mfa":{"MfaConfiguration":"OFF"}}"#)
        #expect(ConfigurationDiff().compare(old: a, new: a).isEmpty)
    }

    @Test func schemaAttributesAreKeyedByNameOtherArraysWhole() throws {
        let old = try docs(
            #"{"AutoVerifiedAttributes":["email"],"SchemaAttributes":[{"Mutable":true,"Name":"email"},{"Mutable":true,"Name":"custom:tier"}]}"#
        )
        let new = try docs(
            #"{"AutoVerifiedAttributes":["email","phone_number"],"SchemaAttributes":[{"Mutable":false,"Name":"custom:tier"},{"Mutable":true,"Name":"email"},{"Name":"custom:x"}]}"#
        )
        let fields = ConfigurationDiff().compare(old: old, new: new).first?.changes ?? []
        #expect(
            fields == [
                .init(field: "AutoVerifiedAttributes", old: ["email"], new: ["email", "phone_number"]),
                .init(field: "SchemaAttributes[custom:tier].Mutable", old: true, new: false),
                .init(field: "SchemaAttributes[custom:x]", old: nil, new: ["Name": "custom:x"]),
            ])
    }

    @Test func configKeysUnderPoolButDomainItsOwnKind() throws {
        let old = try docs(
            "{}", config: #"{"domain":{"Domain":"auth-a","Version":"1"},"mfa":{"SoftwareTokenMfaConfiguration":{"Enabled":false}}}"#)
        let new = try docs(
            "{}", config: #"{"domain":{"Domain":"auth-a","Version":"2"},"mfa":{"SoftwareTokenMfaConfiguration":{"Enabled":true}}}"#)
        let changes = ConfigurationDiff().compare(old: old, new: new)
        #expect(
            lines(changes) == [
                #"{"changes":[{"field":"mfa.SoftwareTokenMfaConfiguration.Enabled","new":true,"old":false}],"kind":"pool","op":"changed"}"#,
                #"{"changes":[{"field":"Version","new":"2","old":"1"}],"kind":"domain","name":"auth-a","op":"changed"}"#,
            ])
        #expect(changes.last?.text == #"~ domain: auth-a Version "1" -> "2""#)
        // Another prefix: the old domain removed, the new one added; no domain: added.
        let other = try docs("{}", config: #"{"domain":{"Domain":"auth-b"},"mfa":{"SoftwareTokenMfaConfiguration":{"Enabled":false}}}"#)
        let none = try docs("{}", config: #"{"mfa":{"SoftwareTokenMfaConfiguration":{"Enabled":false}}}"#)
        #expect(ConfigurationDiff().compare(old: none, new: other).map(\.text) == ["+ domain: auth-b"])
        #expect(ConfigurationDiff().compare(old: old, new: other).map(\.text) == ["- domain: auth-a", "+ domain: auth-b"])
    }

    @Test func clientsAddedRemovedChangedByName() throws {
        let old = try docs(
            "{}",
            lists: [
                "clients.jsonl": """
                {"CallbackURLs":["https://a"],"ClientId":"1","ClientName":"web","ClientSecret":{"redacted":true},"LastModifiedDate":1}
                {"ClientId":"2","ClientName":"old"}

                """
            ])
        let new = try docs(
            "{}",
            lists: [
                "clients.jsonl": """
                {"ClientId":"3","ClientName":"mobile"}
                {"CallbackURLs":["https://b"],"ClientId":"1","ClientName":"web","ClientSecret":{"redacted":true},"LastModifiedDate":7}

                """
            ])
        let changes = ConfigurationDiff().compare(old: old, new: new)
        #expect(
            lines(changes) == [
                #"{"kind":"client","name":"mobile","op":"added","record":{"ClientId":"3","ClientName":"mobile"}}"#,
                #"{"kind":"client","name":"old","op":"removed","record":{"ClientId":"2","ClientName":"old"}}"#,
                #"{"changes":[{"field":"CallbackURLs","new":["https://b"],"old":["https://a"]}],"kind":"client","name":"web","op":"changed"}"#,
            ])
        #expect(
            changes.map(\.text) == ["+ client: mobile", "- client: old", #"~ client: web CallbackURLs ["https://a"] -> ["https://b"]"#])
    }

    @Test func providersAndResourceServersByTheirKeys() throws {
        let old = try docs(
            "{}",
            lists: [
                "providers.jsonl": #"{"ProviderDetails":{"client_id":"x","client_secret":{"redacted":true}},"ProviderName":"Google"}"#
                    + "\n",
                "resource-servers.jsonl": #"{"Identifier":"https://api","Scopes":[]}"# + "\n",
            ])
        let new = try docs(
            "{}",
            lists: [
                "providers.jsonl": #"{"ProviderDetails":{"client_id":"y","client_secret":{"redacted":true}},"ProviderName":"Google"}"#
                    + "\n",
                "resource-servers.jsonl": "",
            ])
        #expect(
            ConfigurationDiff().compare(old: old, new: new).map(\.text) == [
                #"~ provider: Google ProviderDetails.client_id "x" -> "y""#, "- resource-server: https://api",
            ])
    }

    @Test func redactedSecretsOnBothSidesAreEqual() throws {
        let a = try docs(
            "{}", lists: ["clients.jsonl": #"{"ClientId":"1","ClientName":"web","ClientSecret":{"redacted":true}}"# + "\n"])
        #expect(ConfigurationDiff().compare(old: a, new: a).isEmpty)
        let b = try docs("{}", lists: ["clients.jsonl": #"{"ClientId":"1","ClientName":"web"}"# + "\n"])
        #expect(ConfigurationDiff().compare(old: a, new: b).map(\.text) == [#"~ client: web ClientSecret {"redacted":true} -> (none)"#])
    }

    @Test func membersOnOneSideOnlyAreNotComparedAndSaySo() throws {
        let format1 = try docs(#"{"Name":"p"}"#)
        let format2 = try docs(
            #"{"Name":"p"}"#, config: #"{"domain":{"Domain":"d"},"mfa":{"MfaConfiguration":"ON"}}"#,
            lists: ["clients.jsonl": #"{"ClientId":"1","ClientName":"web"}"# + "\n"])
        let notes = NoteBox()
        let changes = ConfigurationDiff(note: { notes.add($0) }).compare(old: format1, new: format2)
        #expect(changes.isEmpty)
        #expect(notes.all.count == 2)
        #expect(notes.all.contains { $0.contains("config.json") })
        #expect(notes.all.contains { $0.contains("clients.jsonl") })
    }

    @Test func ignoreTakesKindFieldPrefixesAndWholeKinds() throws {
        let old = try docs(
            #"{"Policies":{"PasswordPolicy":{"MinimumLength":12}},"SchemaAttributes":[{"Mutable":true,"Name":"custom:tier"}],"UserPoolTier":"LITE"}"#,
            config: #"{"domain":{"Domain":"d","Version":"1"},"mfa":{"MfaConfiguration":"ON"}}"#,
            lists: ["clients.jsonl": #"{"CallbackURLs":["a"],"ClientId":"1","ClientName":"web","LogoutURLs":["a"]}"# + "\n"])
        let new = try docs(
            #"{"Policies":{"PasswordPolicy":{"MinimumLength":8}},"SchemaAttributes":[{"Mutable":false,"Name":"custom:tier"}],"UserPoolTier":"ESSENTIALS"}"#,
            config: #"{"domain":{"Domain":"d","Version":"2"},"mfa":{"MfaConfiguration":"OFF"}}"#,
            lists: ["clients.jsonl": #"{"CallbackURLs":["b"],"ClientId":"1","ClientName":"web","LogoutURLs":["b"]}"# + "\n"])
        let all = ConfigurationDiff().compare(old: old, new: new)
        #expect(all.map(\.kind) == [.pool, .client, .domain])
        let some = ConfigurationDiff(ignore: [
            "pool.Policies", "pool.SchemaAttributes[custom:tier]", "pool.mfa", "client.CallbackURLs", "domain",
        ])
        .compare(old: old, new: new)
        #expect(
            some.map(\.text) == [#"~ pool: UserPoolTier "LITE" -> "ESSENTIALS""#, #"~ client: web LogoutURLs ["a"] -> ["b"]"#])
        // A prefix must end at a field boundary: "pool.User" is no field.
        #expect(ConfigurationDiff(ignore: ["pool.User", "client"]).compare(old: old, new: new).map(\.kind) == [.pool, .domain])
        #expect(ConfigurationDiff(ignore: ["pool"]).compare(old: old, new: new).map(\.kind) == [.client, .domain])
    }

    @Test func hostileNamesAreEscapedInText() throws {
        let a = try docs("{}", lists: ["clients.jsonl": ""])
        let b = try docs(
            "{}",
            lists: ["clients.jsonl": #"{"ClientId":"1","ClientName":"web\n+ client: forged\u202e"}"# + "\n"])
        let text = ConfigurationDiff().compare(old: a, new: b).map(\.text)
        #expect(text == [#"+ client: web\n+ client: forged\u202e"#])
        #expect(!text[0].contains("\n"))
        let c = try docs(#"{"Name":"a"}"#)
        let d = try docs(#"{"Name":"b\u2028x","Weird\nKey":1}"#)
        let line = ConfigurationDiff().compare(old: c, new: d).map(\.text)
        #expect(line == [#"~ pool: Name "a" -> "b\u2028x"; Weird\nKey (none) -> 1"#])
    }

    @Test func badMembersAreErrorsNamingSideAndMember() throws {
        #expect(throws: SnapError.self) { try ConfigurationDocuments(source: "S", members: ["pool.json": Array("{".utf8)]) }
        do {
            _ = try ConfigurationDocuments(source: "S", members: ["config.json": Array("[1]".utf8)])
            Issue.record("an array config.json was taken")
        } catch let e as SnapError {
            #expect("\(e)".contains("S") && "\(e)".contains("config.json") && "\(e)".contains("not a JSON object"))
        }
        do {
            _ = try ConfigurationDocuments(source: "S", members: ["clients.jsonl": Array("{\"ClientName\":\"a\"}\n{oops\n".utf8)])
            Issue.record("a malformed clients.jsonl line was taken")
        } catch let e as SnapError {
            #expect("\(e)".contains("clients.jsonl") && "\(e)".contains("line 2"))
        }
    }

    /// The engine puts the configuration after the join; the summary counts its lines.
    @Test func engineComparesConfigurationOfFileSides() throws {
        let dir = try TempDir()
        let users = try dir.write("users.jsonl", "")
        let oldPool = try dir.write("old-pool.json", #"{"Policies":{"PasswordPolicy":{"MinimumLength":12}}}"#)
        let newPool = try dir.write("new-pool.json", #"{"Policies":{"PasswordPolicy":{"MinimumLength":8}}}"#)
        var seen: [DiffChange] = []
        let summary = try DiffEngine(configuration: ConfigurationDiff()).diff(
            old: [.users: users, .pool: oldPool], new: [.users: users, .pool: newPool]
        ) { seen.append($0) }
        #expect(summary.config == 1)
        #expect(!summary.isEmpty)
        #expect(seen.map(\.text) == ["~ pool: Policies.PasswordPolicy.MinimumLength 12 -> 8"])
        #expect(summary.json["config"] == ["changed": 1])
        // Without the rule (create's change summary) nothing of it is compared or written.
        let plain = try DiffEngine().diff(old: [.users: users, .pool: oldPool], new: [.users: users, .pool: newPool])
        #expect(plain.config == nil && plain.isEmpty && plain.json["config"] == nil)
        // A broken pool.json is an error, not a skipped member.
        let broken = try dir.write("broken.json", "nope")
        #expect(throws: SnapError.self) {
            try DiffEngine(configuration: ConfigurationDiff()).diff(
                old: [.users: users, .pool: oldPool], new: [.users: users, .pool: broken])
        }
    }
}

private final class NoteBox: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String] = []
    func add(_ s: String) { lock.withLock { notes.append(s) } }
    var all: [String] { lock.withLock { notes } }
}
