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
}
