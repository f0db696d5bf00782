import AWS
import SnapCore

/// What restore says about MFA: the plan (also in `--dry-run`) and the outcome.
enum MFAReport {
    static func planLines(_ plan: RestorePlan, manifest: Manifest, targetPool: JSONValue) -> [String] {
        guard manifest.options.withMFA else {
            return [
                "note: the snapshot was taken without --with-mfa: it holds no MFA preferences, so none are set; users set up MFA again as they sign in"
            ]
        }
        var lines = MFARestore.planLines(plan.mfa)
        if plan.mfa.apply > 0, (targetPool["MfaConfiguration"]?.stringValue ?? "OFF") == "OFF" {
            lines.append(
                "note: the target pool's MfaConfiguration is OFF: the preferences take effect once its MFA is OPTIONAL or ON (with SMS, and for email MFA an email configuration); users Cognito refuses them for are listed, and --resume sets them once the pool is configured"
            )
        }
        return lines
    }

    static func outcomeLines(_ o: RestoreOutcome) -> [String] {
        var out: [String] = []
        if o.mfa.planned > 0 {
            out.append(
                "MFA preferences: \(o.mfa.done)/\(o.mfa.planned)" + (o.mfa.existing > 0 ? " (\(o.mfa.existing) already set)" : "")
                    + (o.mfa.failed > 0
                        ? ", \(o.mfa.failed) failed (listed above; fix the pool or the users and run again with --resume)" : ""))
        }
        if o.totpCount > 0 {
            let shown = o.totpUsers.prefix(20).joined(separator: ", ") + (o.totpCount > 20 ? ", ..." : "")
            out.append(
                "\(o.totpCount) user(s) had a software token (TOTP) and must enrol again: \(shown)"
                    + (o.totpFile.map { "; all listed in \($0) and marked mustEnrolTotp in the sub map" } ?? ""))
        }
        return out
    }

    static func json(plan: RestorePlan, outcome: RestoreOutcome?) -> JSONValue {
        var o: [String: JSONValue] = ["plan": plan.mfa.json]
        if let outcome {
            o["counts"] = [
                "planned": .int(outcome.mfa.planned), "written": .int(outcome.mfa.written), "existing": .int(outcome.mfa.existing),
                "failed": .int(outcome.mfa.failed),
            ]
            o["mustEnrolTotp"] = [
                "count": .int(outcome.totpCount), "usernames": .array(outcome.totpUsers.map { .string($0) }),
                "file": outcome.totpFile.map { .string($0) } ?? .null,
            ]
        }
        return .object(o)
    }
}
