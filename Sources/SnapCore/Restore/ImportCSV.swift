import AWS
import Foundation

/// A user as a row of Cognito's import CSV, by the rules its guide states:
/// every GetCSVHeader column present; values unquoted; a comma inside a value
/// escaped with a backslash; `cognito:username` and `cognito:mfa_enabled`
/// required; with one auto-verified attribute, each user has it verified.
/// What those rules cannot express exactly goes through the API path instead,
/// named by `reason`, so every user still ends exactly as in the snapshot.
public struct ImportCSV: Sendable {
    public let header: [String]
    public let target: PoolConfiguration
    private let columns: Set<String>

    /// Cognito's per-job limits: 500,000 users and 100 MB per CSV file.
    public static let maxUsersPerJob = 500_000
    public static let maxBytesPerJob = 100_000_000
    /// The longest row Cognito reads (issue 20's statement of the guide; an assumption in TESTING.md), in characters.
    public static let maxRowCharacters = 16_000

    public init(header: [String], target: PoolConfiguration) {
        self.header = header
        self.target = target
        columns = Set(header)
    }

    /// Why the import path cannot run at all into this target; nil when it can.
    public var refusal: String? {
        if !columns.contains("cognito:username") || !columns.contains("cognito:mfa_enabled") {
            return "GetCSVHeader for \(target.id) lacks cognito:username or cognito:mfa_enabled"
        }
        if target.autoVerifiedAttributes.isEmpty {
            return
                "the target \(target.id) has no auto-verified attribute (email or phone_number), so Cognito does not start its import jobs: set one, or use --method api"
        }
        return nil
    }

    public var headerLine: [UInt8] { Array((header.map(Self.escape).joined(separator: ",") + "\n").utf8) }

    /// The user's row, or why the CSV cannot carry the user.
    public func row(_ u: RestorePlan.User) -> Result<[UInt8], Unfit> {
        let r = u.record
        // Imported users end RESET_REQUIRED: right for users that had a password, not for invited or unconfirmed ones.
        guard RestorePlan.passwordStatuses.contains(r.status) else { return .failure(.status) }
        // In a pool that signs in by email or phone, the pool makes up the username: AdminCreateUser does that.
        guard target.usernameAttributes.isEmpty, u.createUsername == r.username else { return .failure(.signIn) }
        let verified = target.autoVerifiedAttributes.contains {
            r.attributes[$0 == "phone_number" ? "phone_number_verified" : "email_verified"] == "true"
        }
        guard verified else { return .failure(.unverified) }
        guard Self.expressible(r.username) else { return .failure(.value) }
        for a in u.attributes {
            guard columns.contains(a.name) else { return .failure(.column) }
            guard Self.expressible(a.value) else { return .failure(.value) }
        }
        var values: [String: String] = [:]
        for a in u.attributes { values[a.name] = a.value }
        var out = ""
        for (i, c) in header.enumerated() {
            if i > 0 { out += "," }
            switch c {
            case "cognito:username": out += Self.escape(r.username)
            // A pool that requires MFA (MfaConfiguration ON) fails a row whose cognito:mfa_enabled is not true.
            case "cognito:mfa_enabled": out += target.mfaConfiguration == "ON" ? "true" : "false"
            default: out += Self.escape(values[c] ?? "")
            }
        }
        // A longer row fails in the job: the user goes through the API (AdminCreateUser) instead.
        guard out.count <= Self.maxRowCharacters else { return .failure(.rowTooLong) }
        out += "\n"
        return .success(Array(out.utf8))
    }

    public enum Unfit: String, Error, Sendable, CaseIterable {
        case status = "never set a password (ends FORCE_CHANGE_PASSWORD through the API, as invited)"
        case signIn = "the target signs in by email or phone (the pool makes up the username)"
        case unverified = "its auto-verified attribute is not verified"
        case value = "a value the CSV cannot carry exactly (line break, quote or backslash)"
        case column = "an attribute GetCSVHeader has no column for"
        case rowTooLong = "its CSV row would pass Cognito's 16,000 characters"
    }

    /// Unquoted CSV cannot carry line breaks; a quote or backslash has no stated meaning in Cognito's rules.
    static func expressible(_ s: String) -> Bool {
        !s.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0x22 || $0 == 0x5C }
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: ",", with: "\\,") }
}
