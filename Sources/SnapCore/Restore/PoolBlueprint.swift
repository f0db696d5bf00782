import AWS
import Foundation

/// `snap restore --create-pool NAME`: the CreateUserPool request that
/// rebuilds a snapshot's pool (its `pool.json`, DescribeUserPool's
/// `UserPool`) in another region or account, the calls that follow it, and
/// what cannot be carried.
///
/// Carried: the schema (custom and developer-only attributes with their
/// constraints, standard attributes made required, immutable or constrained), username and alias attributes, case
/// sensitivity, password and sign-in policies, account recovery, verification and invitation messages,
/// admin-create-user configuration, attribute update settings, device configuration, email sending,
/// SMS sending (through SNS in the new pool's region), deletion protection, tier, add-ons and tags.
/// MFA (issue 20, item 4) is never guessed: CreateUserPool leaves it OFF, and the factors a format-2
/// snapshot captured (config.json's `mfa`, GetUserPoolMfaConfig) are set by a SetUserPoolMfaConfig that
/// follows; a format-1 snapshot does not say which factors its pool used, so they are listed with the
/// command that sets them.
/// Not carried, and listed: Lambda triggers and an SES identity in another
/// region than the target, domains, app clients and identity providers
/// (with their secrets), which `pool.json` does not hold, and what the new pool cannot take.
public struct PoolBlueprint: Sendable {
    /// A call made once the pool exists; `input` lacks its UserPoolId (the new pool's, known then).
    public struct FollowUp: Sendable, Equatable {
        public var operation: String
        public var input: JSONValue
    }

    /// What a follow-up's UserPoolId and the commands in `notCarried` say until the pool exists.
    public static let newPoolId = "<new pool id>"

    public var request: JSONValue
    /// In order, after CreateUserPool.
    public var followUps: [FollowUp]
    /// Carried, but otherwise than the snapshot had it (and why).
    public var notes: [String]
    public var notCarried: [String]

    /// Every request in order: CreateUserPool, then the follow-ups with `poolId` as their UserPoolId.
    public func requests(poolId: String = newPoolId) -> [(operation: String, input: JSONValue)] {
        [("CreateUserPool", request)]
            + followUps.map { f in
                var o = f.input.objectValue ?? [:]
                o["UserPoolId"] = .string(poolId)
                return (f.operation, .object(o))
            }
    }

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

    /// `config`: the snapshot's config.json (format 2), nil for a format-1 snapshot.
    public static func make(from pool: JSONValue, config: JSONValue? = nil, name: String, region: String) -> PoolBlueprint {
        var out: [String: JSONValue] = ["PoolName": .string(name)]
        var notCarried: [String] = []
        var notes: [String] = []
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

        // SMS sending (verification, invitations): through SNS in the new pool's region (issue 20, item 14).
        let sourceRegion = pool["Id"]?.stringValue.flatMap { id in id.firstIndex(of: "_").map { String(id[..<$0]) } }
        if let sms = present(pool["SmsConfiguration"]) {
            let (carried, note) = smsConfiguration(sms, region: region, sourceRegion: sourceRegion, what: "SmsConfiguration")
            out["SmsConfiguration"] = carried
            if let note { notes.append(note) }
        }

        // Threat protection needs the Plus tier (issue 20, item 15); an older snapshot may carry no tier.
        if let mode = pool["UserPoolAddOns"]?["AdvancedSecurityMode"]?.stringValue, mode == "AUDIT" || mode == "ENFORCED",
            out["UserPoolTier"]?.stringValue != "PLUS"
        {
            let had = out["UserPoolTier"]?.stringValue.map { "the snapshot says \($0)" } ?? "the snapshot names no tier"
            out["UserPoolTier"] = "PLUS"
            notes.append(
                "UserPoolTier PLUS (\(had)): threat protection (UserPoolAddOns.AdvancedSecurityMode \(mode)) needs the Plus tier, which is billed per monthly active user; to do without it, set AdvancedSecurityMode OFF and the tier you want after the restore (aws cognito-idp update-user-pool)"
            )
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

        if config == nil {
            // Format 1: pool.json names the domains, and nothing holds the clients, providers or resource
            // servers. Format 2 rebuilds them all (ConfigurationBlueprint).
            if let domain = pool["Domain"]?.stringValue { notCarried.append("Domain \(domain): create a domain for the new pool") }
            if let domain = pool["CustomDomain"]?.stringValue { notCarried.append("CustomDomain \(domain): set it up for the new pool") }
            notCarried.append(
                "app clients, identity providers and resource servers: a format-1 snapshot does not hold them; create them for the new pool"
            )
        }

        let mfa = MFAPlan.make(
            pool: pool, captured: config.flatMap { present($0["mfa"]) }, target: out, region: region, sourceRegion: sourceRegion)
        notes += mfa.notes
        notCarried += mfa.notCarried
        return PoolBlueprint(
            request: .object(out), followUps: mfa.call.map { [FollowUp(operation: "SetUserPoolMfaConfig", input: $0)] } ?? [],
            notes: notes, notCarried: notCarried)
    }

    /// `value` unless it is absent or null (moto answers null for a factor that is not set).
    static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, value != .null else { return nil }
        return value
    }

    /// An SmsConfiguration for a pool in `region`. Cognito takes SNS in the pool's own region or a
    /// legacy alternate one, and a pool in Asia Pacific (Seoul) must use SNS in Asia Pacific (Tokyo)
    /// (SmsConfigurationType.SnsRegion). Which legacy alternates each region allows is a table snap does
    /// not keep, so SMS goes through SNS in the new pool's own region (Tokyo for Seoul), and a change
    /// from the region the snapshot's pool used is a note.
    static func smsConfiguration(_ sms: JSONValue, region: String, sourceRegion: String?, what: String) -> (JSONValue, String?) {
        guard var c = sms.objectValue else { return (sms, nil) }
        let needed = region == "ap-northeast-2" ? "ap-northeast-1" : region
        let used = c["SnsRegion"]?.stringValue ?? sourceRegion
        if c["SnsRegion"] != nil || needed != region { c["SnsRegion"] = .string(needed) }
        guard let used, used != needed else { return (.object(c), nil) }
        return (
            .object(c),
            "\(what): SMS went through Amazon SNS in \(used); the new pool sends it through SNS in \(needed) (a pool's own region, or for Seoul Tokyo, is what Cognito always takes): set SMS up there (origination identity, spend limit, out of the sandbox), or name another region Cognito allows with aws cognito-idp update-user-pool --sms-configuration"
        )
    }

    /// SetUserPoolMfaConfig -> set-user-pool-mfa-config: the AWS CLI's name of an operation.
    public static func cliName(_ operation: String) -> String {
        var out = ""
        for (i, c) in operation.enumerated() {
            if c.isUppercase && i > 0 { out += "-" }
            out += c.lowercased()
        }
        return out
    }

    /// The region field of an ARN (`arn:aws:lambda:REGION:...`); nil when absent.
    static func arnRegion(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 && !parts[3].isEmpty ? String(parts[3]) : nil
    }
}
