import AWS
import Foundation
import Testing

@testable import SnapCore

/// The `mfa` field of users.jsonl, the manifest's `options`, and what restore derives from them.
@Suite struct MFAModelTests {
    static let base = #"{"attributes":{"sub":"s-1"},"enabled":true,"status":"CONFIRMED","username":"alice""#

    @Test func fieldIsCanonicalSortedAndOnlyPresentWithSettings() throws {
        let out = try JSONParser.parse(
            #"{"Username":"alice","UserAttributes":[{"Name":"sub","Value":"s-1"}],"UserMFASettingList":["SOFTWARE_TOKEN_MFA","SMS_MFA"],"PreferredMfaSetting":"SMS_MFA"}"#
        )
        var u = try UserRecord(cognito: out)
        #expect(u.mfa == nil, "AdminGetUser's user record alone does not carry mfa: MFASettings reads it")
        u.mfa = try MFASettings(cognito: out, username: "alice")
        #expect(
            u.json.canonicalString()
                == #"{"attributes":{"sub":"s-1"},"enabled":true,"mfa":{"enabled":["SMS_MFA","SOFTWARE_TOKEN_MFA"],"preferred":"SMS_MFA"},"status":"UNKNOWN","username":"alice"}"#
        )
        // Round trip through the record's JSON.
        #expect(try UserRecord(json: u.json) == u)
        // Cognito's "none": an empty list and an empty preferred setting; no field at all.
        let none = try JSONParser.parse(#"{"Username":"bob","UserMFASettingList":[],"PreferredMfaSetting":""}"#)
        #expect(try MFASettings(cognito: none, username: "bob") == nil)
        #expect(try MFASettings(cognito: JSONParser.parse(#"{"Username":"bob"}"#), username: "bob") == nil)
        var bob = try UserRecord(cognito: none)
        bob.mfa = MFASettings(enabled: [])
        #expect(!bob.json.canonicalString().contains("mfa\""), "an empty setting is written as no field")
        // Enabled without a preferred method: no "preferred" key.
        let onlyEnabled = MFASettings(enabled: ["SMS_MFA"])
        #expect(onlyEnabled.json.canonicalString() == #"{"enabled":["SMS_MFA"]}"#)
    }

    @Test func wrongTypesNameTheUserAndTheField() throws {
        let cases: [(String, String)] = [
            (#","mfa":"SMS_MFA"}"#, "\"mfa\""),
            (#","mfa":{"preferred":"SMS_MFA"}}"#, "\"mfa.enabled\""),
            (#","mfa":{"enabled":"SMS_MFA"}}"#, "\"mfa.enabled\""),
            (#","mfa":{"enabled":[1]}}"#, "\"mfa.enabled\""),
            (#","mfa":{"enabled":["SMS_MFA"],"preferred":true}}"#, "\"mfa.preferred\""),
        ]
        for (tail, field) in cases {
            let json = try JSONParser.parse(Self.base + tail)
            do {
                _ = try UserRecord(json: json)
                Issue.record("accepted \(tail)")
            } catch {
                let text = "\(error)"
                #expect(text.contains("user alice") && text.contains(field), "\(tail): \(text)")
            }
        }
        let badList = try JSONParser.parse(#"{"Username":"carol","UserMFASettingList":"SMS_MFA"}"#)
        #expect(throws: ModelError.self) { try MFASettings(cognito: badList, username: "carol") }
        do {
            _ = try MFASettings(cognito: badList, username: "carol")
        } catch {
            #expect("\(error)".contains("carol") && "\(error)".contains("UserMFASettingList"))
        }
        // Absent and null both mean "no mfa".
        #expect(try UserRecord(json: JSONParser.parse(Self.base + "}")).mfa == nil)
        #expect(try UserRecord(json: JSONParser.parse(Self.base + #","mfa":null}"#)).mfa == nil)
    }

    @Test func manifestOptionsAreOptionalAndLenient() throws {
        let id = SnapshotID.make(at: Date(timeIntervalSince1970: 1_795_747_770))
        let info = Manifest.FileInfo(sha256: String(repeating: "0", count: 64), bytes: 1, records: 1)
        var m = Manifest(
            id: id, createdAt: "2026-11-27T02:49:30Z", userPool: .init(id: "p_1", name: "p", region: "us-east-1"),
            counts: .init(users: 1, groups: 0, memberships: 0), files: [.pool: info, .groups: info, .users: info, .memberships: info],
            previous: nil, changes: nil, warnings: [], tool: "snap test")
        #expect(m.json["options"] == nil, "default options are not written")
        m.options.withMFA = true
        let text = m.json.canonicalString()
        #expect(text.contains(#""options":{"withMfa":true}"#))
        #expect(m.json["format"]?.intValue == 1)
        let back = try Manifest(json: JSONParser.parse(text), source: "test")
        #expect(back.options.withMFA)
        // Unknown keys, in options and at the top level, are ignored.
        var o = m.json.objectValue!
        o["options"] = ["withMfa": true, "somethingNewer": 3]
        o["futureField"] = "x"
        #expect(try Manifest(json: .object(o), source: "test").options.withMFA)
        o["options"] = nil
        #expect(try !Manifest(json: .object(o), source: "test").options.withMFA)
    }

    @Test func restoreAppliesSMSAndEmailAndListsTOTP() throws {
        func user(_ enabled: [String], _ preferred: String?) -> UserRecord {
            UserRecord(
                username: "u", attributes: [:], enabled: true, status: "CONFIRMED",
                mfa: enabled.isEmpty && preferred == nil ? nil : MFASettings(enabled: enabled, preferred: preferred))
        }
        let sms = MFARestore.preference(for: user(["SMS_MFA"], "SMS_MFA"))
        #expect(sms?.sms == .init(enabled: true, preferred: true) && sms?.email == nil)
        let both = MFARestore.preference(for: user(["EMAIL_OTP", "SMS_MFA"], "EMAIL_OTP"))
        #expect(both?.sms == .init(enabled: true, preferred: false) && both?.email == .init(enabled: true, preferred: true))
        #expect(MFARestore.preference(for: user(["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")) == nil)
        #expect(MFARestore.mustEnrolTotp(user(["SOFTWARE_TOKEN_MFA"], nil)))
        #expect(!MFARestore.mustEnrolTotp(user(["SMS_MFA"], "SMS_MFA")))
        #expect(MFARestore.preference(for: user([], nil)) == nil)
        var plan = RestorePlan.MFA()
        for u in [user(["SMS_MFA"], "SMS_MFA"), user(["EMAIL_OTP", "SOFTWARE_TOKEN_MFA"], "EMAIL_OTP"), user([], nil)] { plan.add(u) }
        #expect(
            plan
                == {
                    var p = RestorePlan.MFA(); p.apply = 2; p.sms = 1; p.email = 1; p.softwareToken = 1; return p
                }())
        #expect(MFARestore.totpListPath(subMap: "/x/restore-A-B.submap.jsonl") == "/x/restore-A-B.totp-users.txt")
        #expect(MFARestore.totpListPath(subMap: "/x/map") == "/x/map.totp-users.txt")
        // The sub map line keeps its fields and gains mustEnrolTotp only where true.
        var e = SubMapEntry(username: "u", targetUsername: "u", oldSub: "a", newSub: "b")
        #expect(e.json.canonicalString() == #"{"newSub":"b","oldSub":"a","username":"u"}"#)
        e.mustEnrolTotp = true
        #expect(e.json.canonicalString() == #"{"mustEnrolTotp":true,"newSub":"b","oldSub":"a","username":"u"}"#)
        // The journal's new step round-trips.
        #expect(JournalEntry(json: JournalEntry.mfa(username: "u").json) == .mfa(username: "u"))
    }

    @Test func withMFAIsASnapTomlSetting() throws {
        #expect(try ConfigFile(text: "with_mfa = true", path: "snap.toml").withMFA == true)
        #expect(try ConfigFile(text: "with_mfa = false  # off", path: "snap.toml").withMFA == false)
        #expect(try ConfigFile(text: "", path: "snap.toml").withMFA == nil)
        #expect(throws: SnapError.self) { try ConfigFile(text: "with_mfa = \"yes\"", path: "snap.toml") }
    }

    @Test func diffReportsMFAAsAField() throws {
        let a = try JSONParser.parse(Self.base + #","mfa":{"enabled":["SMS_MFA"],"preferred":"SMS_MFA"}}"#)
        let b = try JSONParser.parse(Self.base + "}")
        let fields = RecordFields.user(a, b)
        #expect(fields.map(\.field) == ["mfa"])
        #expect(fields.first?.new == .null)
        #expect(RecordFields.user(a, b, ignore: ["mfa"]).isEmpty)
        #expect(RecordFields.user(a, a).isEmpty)
    }
}
