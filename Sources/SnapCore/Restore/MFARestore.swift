import AWS
import Foundation

/// What restore does with the `mfa` field of `--with-mfa` snapshots.
///
/// SMS and email MFA are set again with AdminSetUserMFAPreference (quota
/// UserUpdate) once the user exists: enabled, and preferred where the
/// snapshot says so. It is journaled (`mfa`), so `--resume` neither repeats
/// nor skips it. A refusal of one user (no phone number, a pool without SMS
/// or email MFA configured) is that user's failure, listed in the report;
/// the run goes on, ends incomplete (exit 1) because a user would otherwise
/// sign in with one factor fewer than before, and `--resume` applies it once
/// the pool is fixed. Denied access, bad credentials and a throttle budget
/// run out stop the run, as for every other write.
///
/// Software tokens (TOTP) cannot be carried: their secret is never exported.
/// Users that had one are marked `"mustEnrolTotp":true` in the sub map and
/// listed, one username a line, in a file next to it (`totpListPath`);
/// the report names the first of them and the file.
///
/// `--method import-job`: the CSV's `cognito:mfa_enabled` stays `false`
/// (it can enable SMS MFA only, and say nothing of the preferred method or
/// email); the same API call sets the preferences after the job.
public enum MFARestore {
    /// The settings AdminSetUserMFAPreference gets for a user; nil when there is nothing it can set.
    public struct Preference: Sendable, Equatable {
        public var sms: CognitoClient.MFAMethodSetting?
        public var email: CognitoClient.MFAMethodSetting?
    }

    public static func preference(for u: UserRecord) -> Preference? {
        guard let m = u.mfa, m.hasSMS || m.hasEmail else { return nil }
        return Preference(
            sms: m.hasSMS ? .init(enabled: true, preferred: m.preferred == MFASettings.sms) : nil,
            email: m.hasEmail ? .init(enabled: true, preferred: m.preferred == MFASettings.email) : nil)
    }

    public static func mustEnrolTotp(_ u: UserRecord) -> Bool { u.mfa?.hasSoftwareToken ?? false }

    /// `<sub map without .submap.jsonl>.totp-users.txt`, next to the sub map.
    public static func totpListPath(subMap: String) -> String {
        let suffix = ".submap.jsonl"
        let base = subMap.hasSuffix(suffix) ? String(subMap.dropLast(suffix.count)) : subMap
        return base + ".totp-users.txt"
    }

    /// The plan's MFA counts, for `--dry-run` and the report.
    public static func planLines(_ p: RestorePlan.MFA) -> [String] {
        var out: [String] = []
        if p.apply > 0 {
            out.append(
                "MFA: \(p.apply) user(s) get their MFA preferences set again (\(p.sms) SMS, \(p.email) email; AdminSetUserMFAPreference, UserUpdate quota)"
            )
        }
        if p.softwareToken > 0 {
            out.append(
                "MFA: \(p.softwareToken) user(s) had a software token (TOTP), whose secret cannot be exported: they must enrol again (marked mustEnrolTotp in the sub map)"
            )
        }
        return out
    }
}

extension RestorePlan {
    /// MFA counts of the users restored.
    public struct MFA: Sendable, Equatable {
        /// Users AdminSetUserMFAPreference is called for, and how many of them get SMS and email.
        public var apply = 0
        public var sms = 0
        public var email = 0
        /// Users that had a software token (TOTP).
        public var softwareToken = 0

        public init() {}

        mutating func add(_ u: UserRecord) {
            if let p = MFARestore.preference(for: u) {
                apply += 1
                if p.sms != nil { sms += 1 }
                if p.email != nil { email += 1 }
            }
            if MFARestore.mustEnrolTotp(u) { softwareToken += 1 }
        }

        public var json: JSONValue {
            ["apply": .int(apply), "sms": .int(sms), "email": .int(email), "softwareToken": .int(softwareToken)]
        }
    }
}

/// Usernames of restored users that must enrol a software token again, one a line,
/// written as users are restored (nothing held), whole on every run like the sub map.
actor TOTPListWriter {
    let path: String
    private var file: BufferedFile?

    init(path: String) {
        self.path = path
    }

    func append(_ username: String) throws {
        if file == nil { file = try BufferedFile(path: path) }
        try file?.write(Array(username.utf8) + [0x0A])
    }

    /// Closes the list; with no such user, removes a list an earlier run left.
    func close() throws {
        if file != nil {
            try file?.close()
        } else if FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
