import AWS
import Foundation

/// `snap restore --create-pool NAME`: the CreateUserPool request that
/// rebuilds a snapshot's pool (its `pool.json`, DescribeUserPool's
/// `UserPool`) in another region or account, and what cannot be carried.
///
/// Carried: the schema (custom and developer-only attributes with their
/// constraints, standard attributes made required, immutable or constrained), username and alias attributes, case
/// sensitivity, password and sign-in policies, MFA configuration (SMS with
/// its role; software-token MFA is switched on after creation), account
/// recovery, verification and invitation messages, admin-create-user
/// configuration, attribute update settings, device configuration, email
/// sending by Cognito, deletion protection, tier, add-ons and tags.
/// Not carried, and listed: Lambda triggers and an SES identity in another
/// region than the target, domains, app clients and identity providers
/// (with their secrets), which `pool.json` does not hold.
public struct PoolBlueprint: Sendable {
    public var request: JSONValue
    /// MFA that CreateUserPool cannot set without SMS: set by
    /// SetUserPoolMfaConfig once the pool exists.
    public var softwareTokenMfa: String?
    public var notCarried: [String]

    /// Keys copied as they are: DescribeUserPool and CreateUserPool name them alike.
    static let copied = [
        "Policies", "DeletionProtection", "AutoVerifiedAttributes", "AliasAttributes", "UsernameAttributes",
        "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate",
        "SmsAuthenticationMessage", "UserAttributeUpdateSettings", "DeviceConfiguration", "UserPoolTags",
        "AdminCreateUserConfig", "UsernameConfiguration", "AccountRecoverySetting", "UserPoolAddOns", "UserPoolTier",
    ]

    /// Standard attributes the service manages: never part of a CreateUserPool schema.
    static let managed: Set<String> = ["sub", "identities", "updated_at", "email_verified", "phone_number_verified"]

    /// A standard attribute's properties when nobody changed them (CreateUserPool's
    /// defaults): mutable, optional, strings of 0 to 2048 characters.
    static func isDefaultStandard(_ a: [String: JSONValue]) -> Bool {
        guard a["Required"]?.boolValue != true, a["Mutable"]?.boolValue != false else { return false }
        guard let c = a["StringAttributeConstraints"]?.objectValue else { return true }
        let min = c["MinLength"]?.stringValue ?? "0", max = c["MaxLength"]?.stringValue ?? "2048"
        return min == "0" && max == "2048"
    }

    public static func make(from pool: JSONValue, name: String, region: String) -> PoolBlueprint {
        var out: [String: JSONValue] = ["PoolName": .string(name)]
        var notCarried: [String] = []
        for key in copied { if let v = pool[key], v != .null { out[key] = v } }

        // DescribeUserPool returns the legacy AdminCreateUserConfig.UnusedAccountValidityDays
        // beside Policies.PasswordPolicy.TemporaryPasswordValidityDays; CreateUserPool refuses
        // the pair ("Please use TemporaryPasswordValidityDays in PasswordPolicy instead of
        // UnusedAccountValidityDays"; the API reference's PasswordPolicyType says the same).
        // The new field carries it; the legacy one alone is moved into it.
        if var admin = out["AdminCreateUserConfig"]?.objectValue, let legacy = admin["UnusedAccountValidityDays"] {
            admin["UnusedAccountValidityDays"] = nil
            out["AdminCreateUserConfig"] = .object(admin)
            var policies = out["Policies"]?.objectValue ?? [:]
            var password = policies["PasswordPolicy"]?.objectValue ?? [:]
            if password["TemporaryPasswordValidityDays"] == nil {
                password["TemporaryPasswordValidityDays"] = legacy
                policies["PasswordPolicy"] = .object(password)
                out["Policies"] = .object(policies)
            }
        }

        var schema: [JSONValue] = []
        for attribute in pool["SchemaAttributes"]?.arrayValue ?? [] {
            guard var a = attribute.objectValue, let n = a["Name"]?.stringValue else { continue }
            if n.hasPrefix("dev:custom:") {
                // DescribeUserPool names a developer-only attribute dev:custom:NAME;
                // CreateUserPool takes NAME with DeveloperOnlyAttribute.
                a["Name"] = .string(String(n.dropFirst(11)))
                a["DeveloperOnlyAttribute"] = true
                a["Required"] = nil
                schema.append(.object(a))
            } else if n.hasPrefix("custom:") {
                a["Name"] = .string(String(n.dropFirst(7)))
                a["Required"] = nil  // custom attributes cannot be required
                schema.append(.object(a))
            } else if !managed.contains(n), !isDefaultStandard(a) {
                // A standard attribute made required, immutable or constrained keeps those properties.
                schema.append(.object(a))
            }
        }
        if !schema.isEmpty { out["Schema"] = .array(schema) }

        let mfa = pool["MfaConfiguration"]?.stringValue ?? "OFF"
        var softwareTokenMfa: String?
        if let sms = pool["SmsConfiguration"], sms != .null {
            out["SmsConfiguration"] = sms
            out["MfaConfiguration"] = .string(mfa)
        } else if mfa != "OFF" {
            softwareTokenMfa = mfa
        }

        if let email = pool["EmailConfiguration"]?.objectValue {
            if let source = email["SourceArn"]?.stringValue, arnRegion(source) != region {
                notCarried.append(
                    "EmailConfiguration: the SES identity \(source) is in another region; the pool sends email with Cognito's default until you set one in \(region)"
                )
            } else {
                out["EmailConfiguration"] = .object(email)
            }
        }

        var triggers: [String: JSONValue] = [:]
        for (trigger, value) in pool["LambdaConfig"]?.objectValue ?? [:] {
            let arns = [value.stringValue, value["LambdaArn"]?.stringValue].compactMap { $0 }
            if let arn = arns.first, arnRegion(arn) != region {
                notCarried.append("LambdaConfig.\(trigger): \(arn) is in another region; deploy it in \(region) and set it")
            } else {
                triggers[trigger] = value
            }
        }
        if !triggers.isEmpty { out["LambdaConfig"] = .object(triggers) }

        if let domain = pool["Domain"]?.stringValue { notCarried.append("Domain \(domain): create a domain for the new pool") }
        if let domain = pool["CustomDomain"]?.stringValue { notCarried.append("CustomDomain \(domain): set it up for the new pool") }
        notCarried.append(
            "app clients and their secrets, identity providers and their secrets: not in a snapshot; create them for the new pool")
        return PoolBlueprint(request: .object(out), softwareTokenMfa: softwareTokenMfa, notCarried: notCarried)
    }

    /// The region field of an ARN (`arn:aws:lambda:REGION:...`); nil when absent.
    static func arnRegion(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 && !parts[3].isEmpty ? String(parts[3]) : nil
    }
}
