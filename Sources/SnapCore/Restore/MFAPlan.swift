import AWS
import Foundation

/// The pool MFA of `restore --create-pool` (issue 20, item 4): never guessed.
///
/// CreateUserPool leaves MFA OFF (with an SmsConfiguration and MfaConfiguration ON or OPTIONAL it would
/// make SMS a factor, whatever the old pool used). The factors a format-2 snapshot captured
/// (config.json's `mfa`, GetUserPoolMfaConfig's answer) are set by one SetUserPoolMfaConfig after it:
/// SMS, software tokens (TOTP), email and WebAuthn as captured, less what the new pool cannot take,
/// which is listed with the reason and the command that finishes it:
/// - email MFA needs the Essentials tier or higher (EmailMfaConfigType) and email sent with Amazon SES
///   (EmailSendingAccount DEVELOPER; the developer guide's "Email MFA");
/// - WebAuthn's relying party is the old pool's domain, which is not carried; passkeys as a second
///   factor need the Essentials tier or higher (WebAuthnConfigurationType.FactorConfiguration);
/// - MFA ON or OPTIONAL with none of its factors carried is left OFF rather than sent without one.
/// A format-1 snapshot (no config.json) does not say which factors the pool used: MFA stays OFF and
/// the listing says so, with the command. The new pool has no app clients (they are not carried), so
/// nobody signs in to it before the operator has finished setting it up.
struct MFAPlan {
    /// SetUserPoolMfaConfig's input without UserPoolId, or nil when nothing is to be set.
    var call: JSONValue?
    var notes: [String] = []
    var notCarried: [String] = []

    /// `captured`: config.json's `mfa`, nil when the snapshot has none (format 1). `target`: the
    /// CreateUserPool request as planned (its tier and email configuration).
    static func make(pool: JSONValue, captured: JSONValue?, target: [String: JSONValue], region: String, sourceRegion: String?)
        -> MFAPlan
    {
        var plan = MFAPlan()
        let command = "aws cognito-idp set-user-pool-mfa-config --region \(region) --user-pool-id \(PoolBlueprint.newPoolId)"
        guard let mfa = captured else {
            let mode = pool["MfaConfiguration"]?.stringValue ?? "OFF"
            if mode != "OFF" {
                plan.notCarried.append(
                    "MFA \(mode): the snapshot (format 1, taken before snap read GetUserPoolMfaConfig) does not say which factors the pool used (SMS, software tokens, email); the new pool has MFA OFF until you set them, e.g. \(command) --mfa-configuration \(mode) --software-token-mfa-configuration Enabled=true"
                )
            }
            return plan
        }
        let mode = mfa["MfaConfiguration"]?.stringValue ?? pool["MfaConfiguration"]?.stringValue ?? "OFF"
        let tier = target["UserPoolTier"]?.stringValue ?? "ESSENTIALS"  // CreateUserPool's default
        var input: [String: JSONValue] = ["MfaConfiguration": .string(mode)]
        var factors: [String] = []
        var dropped: [String: JSONValue] = [:]  // what the by-hand command adds back

        if let sms = PoolBlueprint.present(mfa["SmsMfaConfiguration"]), var s = sms.objectValue {
            if let c = s["SmsConfiguration"] {
                let (carried, note) = PoolBlueprint.smsConfiguration(
                    c, region: region, sourceRegion: sourceRegion, what: "SmsMfaConfiguration.SmsConfiguration")
                s["SmsConfiguration"] = carried
                // The same change as the pool's own SmsConfiguration is said once.
                if let note, target["SmsConfiguration"] == nil { plan.notes.append(note) }
            }
            input["SmsMfaConfiguration"] = .object(s)
            factors.append("SMS")
        }
        if PoolBlueprint.present(mfa["SoftwareTokenMfaConfiguration"])?["Enabled"]?.boolValue == true {
            input["SoftwareTokenMfaConfiguration"] = ["Enabled": true]
            factors.append("software tokens")
        }
        if let email = PoolBlueprint.present(mfa["EmailMfaConfiguration"]) {
            let account = target["EmailConfiguration"]?["EmailSendingAccount"]?.stringValue ?? "COGNITO_DEFAULT"
            if tier == "LITE" {
                dropped["EmailMfaConfiguration"] = email
                plan.notCarried.append(
                    "EmailMfaConfiguration (email MFA and email OTP sign-in): it needs the Essentials tier or higher and the new pool is LITE; set UserPoolTier ESSENTIALS (aws cognito-idp update-user-pool), then the command below"
                )
            } else if account != "DEVELOPER" {
                dropped["EmailMfaConfiguration"] = email
                plan.notCarried.append(
                    "EmailMfaConfiguration (email MFA and email OTP sign-in): it needs the pool to send email with Amazon SES (EmailConfiguration.EmailSendingAccount DEVELOPER) and the new pool sends with Cognito's default (\(account)); set an SES identity in \(region) (aws cognito-idp update-user-pool --email-configuration), then the command below"
                )
            } else {
                input["EmailMfaConfiguration"] = email
                factors.append("email")
            }
        }
        if let webAuthn = PoolBlueprint.present(mfa["WebAuthnConfiguration"]), var w = webAuthn.objectValue {
            if let rp = w["RelyingPartyId"]?.stringValue {
                w["RelyingPartyId"] = nil
                dropped["WebAuthnConfiguration"] = webAuthn
                plan.notCarried.append(
                    "WebAuthnConfiguration.RelyingPartyId \(rp): the relying party is the pool's domain, which is not carried; once the new pool has its domain, set it with the command below"
                )
            }
            if w["FactorConfiguration"]?.stringValue == "MULTI_FACTOR_WITH_USER_VERIFICATION", tier == "LITE" {
                w["FactorConfiguration"] = nil
                dropped["WebAuthnConfiguration"] = webAuthn
                plan.notCarried.append(
                    "WebAuthnConfiguration.FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION: passkeys as a second factor need the Essentials tier or higher and the new pool is LITE"
                )
            }
            if !w.isEmpty { input["WebAuthnConfiguration"] = .object(w) }
        }

        if mode != "OFF" && factors.isEmpty {
            // ON or OPTIONAL with no factor is not a configuration to send: MFA stays OFF, and says so.
            input["MfaConfiguration"] = "OFF"
            for k in ["SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration"] { input[k] = nil }
            plan.notCarried.append("MFA \(mode): none of its factors could be carried (above); the new pool has MFA OFF until you set them")
        }
        if mode == "OFF" {
            // Factors beside MFA OFF are not sent: the captured answer had none that were on.
            for k in ["SmsMfaConfiguration", "SoftwareTokenMfaConfiguration"] { input[k] = nil }
        }
        // MFA OFF and nothing else: CreateUserPool's own default, no call needed.
        if input.count > 1 || input["MfaConfiguration"]?.stringValue != "OFF" { plan.call = .object(input) }

        if !dropped.isEmpty || (mode != "OFF" && factors.isEmpty) {
            var full = input
            full["MfaConfiguration"] = .string(mode)
            for (k, v) in dropped { full[k] = v }
            full["UserPoolId"] = .string(PoolBlueprint.newPoolId)
            plan.notCarried.append(
                "to set the captured MFA in full once the new pool can take it: aws cognito-idp set-user-pool-mfa-config --region \(region) --cli-input-json '\(JSONValue.object(full).canonicalString())'"
            )
        }
        return plan
    }
}
