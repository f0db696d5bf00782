import AWS
import Foundation
import Testing

@testable import SnapCore

/// Issue 20, items 1 to 3: the CreateUserPool request planned from a real
/// DescribeUserPool answer, which carries fields and names moto accepts and
/// Cognito refuses or reads otherwise.
@Suite struct PoolBlueprintTests {
    /// The shape of a DescribeUserPool `UserPool` as the service returns it.
    let described: JSONValue = try! JSONParser.parse(
        Data(
            """
            {"Id":"us-east-1_EXAMPLE","Name":"MyUserPool",
             "Policies":{"PasswordPolicy":{"MinimumLength":8,"RequireUppercase":true,"RequireLowercase":true,
               "RequireNumbers":true,"RequireSymbols":true,"TemporaryPasswordValidityDays":7}},
             "AdminCreateUserConfig":{"AllowAdminCreateUserOnly":false,"UnusedAccountValidityDays":7},
             "SchemaAttributes":[
               {"Name":"sub","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":false,"Required":true,
                "StringAttributeConstraints":{"MinLength":"1","MaxLength":"2048"}},
               {"Name":"email","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":true,"Required":true,
                "StringAttributeConstraints":{"MinLength":"0","MaxLength":"2048"}},
               {"Name":"name","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,
                "StringAttributeConstraints":{"MinLength":"0","MaxLength":"2048"}},
               {"Name":"birthdate","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":false,"Required":false,
                "StringAttributeConstraints":{"MinLength":"10","MaxLength":"10"}},
               {"Name":"custom:tenant","AttributeDataType":"String","DeveloperOnlyAttribute":false,"Mutable":true,"Required":false,
                "StringAttributeConstraints":{"MinLength":"1","MaxLength":"64"}},
               {"Name":"dev:custom:score","AttributeDataType":"Number","DeveloperOnlyAttribute":true,"Mutable":true,"Required":false,
                "NumberAttributeConstraints":{"MinValue":"0","MaxValue":"100"}}]}
            """.utf8))

    func schema(_ b: PoolBlueprint) -> [String: [String: JSONValue]] {
        var out: [String: [String: JSONValue]] = [:]
        for a in b.request["Schema"]?.arrayValue ?? [] { out[a["Name"]!.stringValue!] = a.objectValue! }
        return out
    }

    @Test func theLegacyUnusedAccountValidityDaysIsNeverSentBesideItsSuccessor() {
        let b = PoolBlueprint.make(from: described, name: "New", region: "eu-west-1")
        #expect(b.request["AdminCreateUserConfig"]?["UnusedAccountValidityDays"] == nil)
        #expect(b.request["Policies"]?["PasswordPolicy"]?["TemporaryPasswordValidityDays"]?.intValue == 7)
        // The legacy field alone moves into PasswordPolicy.
        var old = described.objectValue!
        old["Policies"] = ["PasswordPolicy": ["MinimumLength": 8]]
        old["AdminCreateUserConfig"] = ["UnusedAccountValidityDays": 3]
        let moved = PoolBlueprint.make(from: .object(old), name: "New", region: "eu-west-1")
        #expect(moved.request["AdminCreateUserConfig"]?["UnusedAccountValidityDays"] == nil)
        #expect(moved.request["Policies"]?["PasswordPolicy"]?["TemporaryPasswordValidityDays"]?.intValue == 3)
    }

    @Test func developerOnlyAttributesAreCarriedAsSuch() {
        let s = schema(PoolBlueprint.make(from: described, name: "New", region: "eu-west-1"))
        #expect(s["score"]?["DeveloperOnlyAttribute"] == .bool(true), "\(s.keys.sorted())")
        #expect(s["dev:custom:score"] == nil && s["custom:score"] == nil)
        #expect(s["tenant"]?["DeveloperOnlyAttribute"] == .bool(false))
    }

    @Test func optionalStandardAttributesKeepTheirProperties() {
        let s = schema(PoolBlueprint.make(from: described, name: "New", region: "eu-west-1"))
        #expect(s["birthdate"]?["Mutable"] == .bool(false))
        #expect(s["birthdate"]?["StringAttributeConstraints"]?["MinLength"]?.stringValue == "10")
        #expect(s["email"] != nil, "required")
        #expect(s["name"] == nil, "as the defaults: left to them")
        #expect(s["sub"] == nil, "managed by the service")
    }

    // Issue 20, item 4: MFA factors are never guessed.

    func pool(_ extra: [String: JSONValue]) -> JSONValue {
        var o = described.objectValue!
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    let smsRole: JSONValue = ["SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x", "SnsRegion": "eu-west-1"]

    @Test func aTotpOnlyPoolWithSmsForVerificationStaysTotpOnly() throws {
        let p = pool(["MfaConfiguration": "OPTIONAL", "SmsConfiguration": smsRole])
        let config: JSONValue = ["mfa": ["MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": ["Enabled": true]]]
        let b = PoolBlueprint.make(from: p, config: config, name: "New", region: "eu-west-1")
        // CreateUserPool with SmsConfiguration and MfaConfiguration OPTIONAL would make SMS a factor.
        #expect(b.request["MfaConfiguration"] == nil, "\(b.request.canonicalString())")
        #expect(b.request["SmsConfiguration"] != nil, "kept for verification")
        let set = try #require(b.followUps.first)
        #expect(b.followUps.count == 1 && set.operation == "SetUserPoolMfaConfig")
        #expect(set.input["MfaConfiguration"]?.stringValue == "OPTIONAL")
        #expect(set.input["SoftwareTokenMfaConfiguration"]?["Enabled"]?.boolValue == true)
        #expect(set.input["SmsMfaConfiguration"] == nil, "\(set.input.canonicalString())")
        #expect(b.requests(poolId: "eu-west-1_X").last?.input["UserPoolId"]?.stringValue == "eu-west-1_X")
    }

    @Test func smsMfaIsCarriedOnlyWhenCaptured() throws {
        let p = pool(["MfaConfiguration": "ON", "SmsConfiguration": smsRole])
        let config: JSONValue = [
            "mfa": [
                "MfaConfiguration": "ON",
                "SmsMfaConfiguration": ["SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": smsRole],
            ]
        ]
        let b = PoolBlueprint.make(from: p, config: config, name: "New", region: "eu-west-1")
        let set = try #require(b.followUps.first)
        #expect(set.input["MfaConfiguration"]?.stringValue == "ON")
        #expect(set.input["SmsMfaConfiguration"]?["SmsAuthenticationMessage"]?.stringValue == "Code {####}")
        #expect(set.input["SoftwareTokenMfaConfiguration"] == nil)
    }

    @Test func aFormat1SnapshotGuessesNothingAndSaysHowToFinish() {
        let p = pool(["MfaConfiguration": "ON", "SmsConfiguration": smsRole])
        let b = PoolBlueprint.make(from: p, config: nil, name: "New", region: "eu-west-1")
        #expect(b.request["MfaConfiguration"] == nil)
        #expect(b.followUps.isEmpty)
        let line = b.notCarried.first { $0.hasPrefix("MFA ON") } ?? ""
        #expect(line.contains("does not say which factors") && line.contains("aws cognito-idp set-user-pool-mfa-config"), "\(b.notCarried)")
    }

    @Test func emailMfaIsCarriedWithSesAndListedWithout() throws {
        let email: JSONValue = ["Message": "Code {####}", "Subject": "Sign in"]
        let config: JSONValue = [
            "mfa": ["MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": email, "SoftwareTokenMfaConfiguration": ["Enabled": true]]
        ]
        let ses: JSONValue = ["EmailSendingAccount": "DEVELOPER", "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/a@example.com"]
        let carried = PoolBlueprint.make(from: pool(["EmailConfiguration": ses]), config: config, name: "N", region: "eu-west-1")
        #expect(carried.followUps.first?.input["EmailMfaConfiguration"] == email)
        #expect(!carried.notCarried.contains { $0.contains("EmailMfaConfiguration") })

        let cognitoMail = PoolBlueprint.make(from: pool([:]), config: config, name: "N", region: "eu-west-1")
        #expect(cognitoMail.followUps.first?.input["EmailMfaConfiguration"] == nil)
        #expect(cognitoMail.followUps.first?.input["SoftwareTokenMfaConfiguration"] != nil, "the other factors still go")
        #expect(
            cognitoMail.notCarried.contains { $0.contains("EmailMfaConfiguration") && $0.contains("DEVELOPER") },
            "\(cognitoMail.notCarried)")
        #expect(cognitoMail.notCarried.contains { $0.contains("--cli-input-json") && $0.contains("Code {####}") })

        let lite = PoolBlueprint.make(
            from: pool(["EmailConfiguration": ses, "UserPoolTier": "LITE"]), config: config, name: "N", region: "eu-west-1")
        #expect(lite.notCarried.contains { $0.contains("EmailMfaConfiguration") && $0.contains("Essentials") }, "\(lite.notCarried)")
    }

    @Test func mfaWithNoFactorLeftIsNotSent() {
        let config: JSONValue = ["mfa": ["MfaConfiguration": "ON", "EmailMfaConfiguration": ["Subject": "x"]]]
        let b = PoolBlueprint.make(from: pool([:]), config: config, name: "N", region: "eu-west-1")
        #expect(b.followUps.isEmpty, "\(b.followUps)")
        #expect(b.notCarried.contains { $0.hasPrefix("MFA ON: none of its factors") })
    }

    // Issue 20, item 15: threat protection needs the Plus tier.

    @Test func threatProtectionBringsThePlusTier() {
        let old = pool(["UserPoolAddOns": ["AdvancedSecurityMode": "ENFORCED"]])
        let b = PoolBlueprint.make(from: old, name: "N", region: "eu-west-1")
        #expect(b.request["UserPoolTier"]?.stringValue == "PLUS")
        #expect(b.notes.contains { $0.hasPrefix("UserPoolTier PLUS (the snapshot names no tier)") }, "\(b.notes)")
        let off = PoolBlueprint.make(from: pool(["UserPoolAddOns": ["AdvancedSecurityMode": "OFF"]]), name: "N", region: "eu-west-1")
        #expect(off.request["UserPoolTier"] == nil)
    }

    // Issue 20, item 14: SMS region.

    @Test func smsGoesThroughSnsInTheNewPoolsRegion() {
        let role: JSONValue = ["SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "SnsRegion": "us-east-1"]
        let b = PoolBlueprint.make(from: pool(["SmsConfiguration": role]), name: "N", region: "eu-west-1")
        #expect(b.request["SmsConfiguration"]?["SnsRegion"]?.stringValue == "eu-west-1")
        #expect(b.notes.contains { $0.contains("us-east-1") && $0.contains("eu-west-1") }, "\(b.notes)")
        let seoul = PoolBlueprint.make(from: pool(["SmsConfiguration": role]), name: "N", region: "ap-northeast-2")
        #expect(seoul.request["SmsConfiguration"]?["SnsRegion"]?.stringValue == "ap-northeast-1")
        let same = PoolBlueprint.make(from: pool(["SmsConfiguration": role]), name: "N", region: "us-east-1")
        #expect(same.request["SmsConfiguration"]?["SnsRegion"]?.stringValue == "us-east-1")
        #expect(same.notes.isEmpty)
        // No SnsRegion: the source pool's own region (us-east-1_EXAMPLE) was used.
        let implicit = PoolBlueprint.make(
            from: pool(["SmsConfiguration": ["SnsCallerArn": "arn:aws:iam::123456789012:role/sms"]]), name: "N", region: "eu-west-1")
        #expect(implicit.request["SmsConfiguration"]?["SnsRegion"] == nil)
        #expect(implicit.notes.contains { $0.contains("us-east-1") }, "\(implicit.notes)")
    }
}
