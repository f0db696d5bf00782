import AWS
import Foundation

/// A snapshot's records, verified and read back from the archive.
public struct SnapshotContents: Sendable {
    public var pool: JSONValue
    public var groups: [GroupRecord]
    public var users: [UserRecord]
    public var memberships: [MembershipRecord]

    public init(pool: JSONValue, groups: [GroupRecord], users: [UserRecord], memberships: [MembershipRecord]) {
        self.pool = pool
        self.groups = groups
        self.users = users
        self.memberships = memberships
    }
}

/// What a restore will do, and every reason it must not start. Pure: built
/// from the snapshot and the target's configuration, so it is unit-tested
/// without a server and `--dry-run` prints exactly what a real run does.
public struct RestorePlan: Sendable {
    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public struct User: Sendable {
        public var record: UserRecord
        /// The Username AdminCreateUser gets: the snapshot's, or the email / phone number in a
        /// pool that signs in by it (the pool then makes up a UUID username of its own).
        public var createUsername: String
        public var attributes: [Attribute]
        /// Users that had a password (CONFIRMED, RESET_REQUIRED, COMPROMISED) get a random
        /// permanent one nobody knows: they end CONFIRMED, and the forgot-password flow works.
        public var setPassword: Bool
        public var disable: Bool
        public var oldSub: String? { record.attributes["sub"] }
    }

    public struct Skipped: Sendable, Equatable {
        public var username: String
        public var reason: String
    }

    public var targetPoolId: String
    public var groups: [GroupRecord]
    public var users: [User]
    /// Memberships of the users that are restored.
    public var memberships: [MembershipRecord]
    public var skipped: [Skipped]
    /// Memberships of skipped users, which cannot be restored either.
    public var skippedMemberships: [MembershipRecord]
    /// Reasons the restore must not start; empty when it may.
    public var problems: [String]
    /// What an operator should know that does not stop the restore.
    public var notes: [String]

    public var passwords: Int { users.filter(\.setPassword).count }
    public var disables: Int { users.filter(\.disable).count }

    /// Statuses that mean "this user had a password": they end CONFIRMED with an unknown one.
    static let passwordStatuses: Set<String> = ["CONFIRMED", "RESET_REQUIRED", "COMPROMISED"]

    /// The service's own attributes, which no API call may set.
    public static func isServiceManaged(_ name: String) -> Bool {
        name == "sub" || name == "identities" || name.hasPrefix("cognito:")
    }

    /// Every write a run makes, per quota category.
    public var calls: [QuotaCategory: Int] {
        [
            .userPoolResourceUpdate: groups.count,
            .userCreation: users.count,
            .userUpdate: passwords + disables,
            .userResourceUpdate: memberships.count,
        ]
    }

    /// The least time the writes take at these rates: the slowest category, since categories run side by side.
    public func estimatedSeconds(rate: (QuotaCategory) -> Double) -> Double {
        calls.map { c, n in n == 0 ? 0 : Double(n) / rate(c) }.max() ?? 0
    }

    public static func make(
        snapshot: SnapshotContents, target: PoolConfiguration, targetUsers: [String] = [], targetGroups: [String] = [],
        resume: Bool = false
    ) -> RestorePlan {
        var problems: [String] = []
        var notes: [String] = []
        let source = PoolConfiguration(pool: snapshot.pool)

        if !resume {
            if !targetUsers.isEmpty {
                problems.append(
                    "target pool \(target.id) is not empty: it holds users (\(examples(targetUsers))); restore only into an empty pool, or pass --resume to finish an interrupted restore"
                )
            }
            if !targetGroups.isEmpty {
                problems.append(
                    "target pool \(target.id) is not empty: it holds groups (\(examples(targetGroups))); restore only into an empty pool, or pass --resume to finish an interrupted restore"
                )
            }
        }

        var skipped: [Skipped] = []
        var restorable: [UserRecord] = []
        for u in snapshot.users {
            if u.status == "EXTERNAL_PROVIDER" {
                skipped.append(
                    Skipped(
                        username: u.username,
                        reason:
                            "federated user (EXTERNAL_PROVIDER): the admin API cannot create it; it is created again at its next sign-in through the identity provider"
                    ))
            } else {
                restorable.append(u)
            }
        }

        problems += schemaProblems(users: restorable, source: source, target: target)
        problems += requiredProblems(users: restorable, target: target)
        problems += signInProblems(users: restorable, target: target)

        var users: [User] = []
        users.reserveCapacity(restorable.count)
        for u in restorable {
            let attributes = u.attributes.filter { !isServiceManaged($0.key) }
                .sorted { JSONValue.utf8Less($0.key, $1.key) }
                .map { Attribute(name: $0.key, value: $0.value) }
            users.append(
                User(
                    record: u, createUsername: signInUsername(u, target: target) ?? u.username, attributes: attributes,
                    setPassword: passwordStatuses.contains(u.status), disable: !u.enabled))
        }

        let restoredNames = Set(restorable.map(\.username))
        let memberships = snapshot.memberships.filter { restoredNames.contains($0.username) }
        let skippedMemberships = snapshot.memberships.filter { !restoredNames.contains($0.username) }

        var byStatus: [String: Int] = [:]
        for u in restorable where !passwordStatuses.contains(u.status) { byStatus[u.status, default: 0] += 1 }
        if !byStatus.isEmpty {
            let list = byStatus.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            notes.append(
                "\(list) user(s) never set a password: they are restored in FORCE_CHANGE_PASSWORD; send them a new invitation with `aws cognito-idp admin-create-user --message-action RESEND` when they need one"
            )
        }
        let reset = restorable.filter { $0.status != "CONFIRMED" && passwordStatuses.contains($0.status) }.count
        if reset > 0 {
            notes.append(
                "\(reset) RESET_REQUIRED/COMPROMISED user(s) are restored CONFIRMED with a random password nobody knows: their next sign-in goes through forgot-password, as before"
            )
        }
        if !target.usernameAttributes.isEmpty && source.usernameAttributes.isEmpty {
            notes.append(
                "the target signs in by \(target.usernameAttributes.joined(separator: "/")): users get new UUID usernames; the sub map lists them"
            )
        }

        return RestorePlan(
            targetPoolId: target.id, groups: snapshot.groups, users: users, memberships: memberships, skipped: skipped,
            skippedMemberships: skippedMemberships, problems: problems, notes: notes)
    }

    /// In a pool whose users sign in by email or phone, the value AdminCreateUser takes as Username.
    static func signInUsername(_ u: UserRecord, target: PoolConfiguration) -> String? {
        for a in target.usernameAttributes {
            if let v = u.attributes[a], !v.isEmpty { return v }
        }
        return nil
    }

    static func examples(_ names: [String], limit: Int = 5) -> String {
        let shown = names.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ")
        return names.count > limit ? "\(shown), ..." : shown
    }

    // MARK: Checks

    /// Custom attributes: present in the target, same type, not made immutable, values that fit.
    static func schemaProblems(users: [UserRecord], source: PoolConfiguration, target: PoolConfiguration) -> [String] {
        var usedBy: [String: [String]] = [:]
        for u in users {
            for name in u.attributes.keys where name.hasPrefix("custom:") || name.hasPrefix("dev:custom:") {
                usedBy[name, default: []].append(u.username)
            }
        }
        var problems: [String] = []
        for name in usedBy.keys.sorted() {
            let who = usedBy[name]!
            let theirs = source.schema[name]
            guard let mine = target.schema[name] else {
                let type = theirs?.dataType ?? "String"
                problems.append(
                    "custom attribute \(name) (\(type)\(theirs.map { $0.mutable ? ", mutable" : ", immutable" } ?? ""), used by \(who.count) user(s), e.g. \(examples(who, limit: 3))) is not in the target's schema: add it with `aws cognito-idp add-custom-attributes --user-pool-id \(target.id) --custom-attributes Name=\(name.dropFirst(name.hasPrefix("dev:") ? 11 : 7)),AttributeDataType=\(type)`"
                )
                continue
            }
            if let theirs, theirs.dataType != mine.dataType {
                problems.append("custom attribute \(name) is \(mine.dataType) in the target but \(theirs.dataType) in the snapshot's pool")
                continue
            }
            if let theirs, theirs.mutable, !mine.mutable {
                problems.append(
                    "custom attribute \(name) is immutable in the target but mutable in the snapshot's pool: applications could no longer change it"
                )
            }
            var misfits: [String] = []
            for u in users {
                guard let value = u.attributes[name], let why = misfit(value, mine) else { continue }
                misfits.append("\(u.username): \(why)")
            }
            if !misfits.isEmpty {
                problems.append(
                    "custom attribute \(name): \(misfits.count) value(s) do not fit the target's schema, e.g. \(misfits.prefix(3).joined(separator: "; "))"
                )
            }
        }
        return problems
    }

    static func misfit(_ value: String, _ a: PoolConfiguration.Attribute) -> String? {
        switch a.dataType {
        case "Number":
            guard let n = Double(value) else { return "\"\(value)\" is not a number" }
            if let lo = a.minValue, n < lo { return "\(value) is below the minimum \(lo)" }
            if let hi = a.maxValue, n > hi { return "\(value) is above the maximum \(hi)" }
        case "Boolean":
            guard value == "true" || value == "false" || value == "1" || value == "0" else { return "\"\(value)\" is not a boolean" }
        default:
            if let max = a.maxLength, value.count > max { return "\(value.count) characters, the target allows \(max)" }
            if let min = a.minLength, value.count < min { return "\(value.count) characters, the target needs \(min)" }
        }
        return nil
    }

    static func requiredProblems(users: [UserRecord], target: PoolConfiguration) -> [String] {
        var problems: [String] = []
        for a in target.schema.values.sorted(by: { $0.name < $1.name }) where a.required && !isServiceManaged(a.name) {
            let lacking = users.filter { ($0.attributes[a.name] ?? "").isEmpty }.map(\.username)
            if !lacking.isEmpty {
                problems.append("\(lacking.count) user(s) lack \(a.name), which the target requires: e.g. \(examples(lacking))")
            }
        }
        return problems
    }

    /// Whether the target's sign-in configuration can hold every user: a sign-in value for each
    /// in a pool that signs in by email/phone, and no two users with the same sign-in value,
    /// active alias or (in a case-insensitive pool) username differing only in case.
    static func signInProblems(users: [UserRecord], target: PoolConfiguration) -> [String] {
        var problems: [String] = []
        if !target.usernameAttributes.isEmpty {
            let kinds = target.usernameAttributes.joined(separator: " or ")
            let lacking = users.filter { signInUsername($0, target: target) == nil }.map(\.username)
            if !lacking.isEmpty {
                problems.append("the target signs in by \(kinds), but \(lacking.count) user(s) have none: e.g. \(examples(lacking))")
            }
            for attribute in target.usernameAttributes {
                problems += duplicates(users: users, attribute: attribute, what: "sign-in \(attribute)") { $0.attributes[attribute] }
            }
        } else {
            if !target.caseSensitive {
                var seen: [String: String] = [:]
                var clashes: [String] = []
                for u in users {
                    let key = u.username.lowercased()
                    if let other = seen[key] { clashes.append("\"\(other)\" and \"\(u.username)\"") } else { seen[key] = u.username }
                }
                if !clashes.isEmpty {
                    problems.append(
                        "the target's usernames are case-insensitive, and \(clashes.count) username(s) differ only in case: \(clashes.prefix(5).joined(separator: ", "))"
                    )
                }
            }
            for alias in target.aliasAttributes {
                // An email or phone alias is only active (and unique) once verified; preferred_username always is.
                let verified = alias == "email" ? "email_verified" : alias == "phone_number" ? "phone_number_verified" : nil
                problems += duplicates(users: users, attribute: alias, what: "\(alias) alias") { u in
                    guard let v = u.attributes[alias], !v.isEmpty else { return nil }
                    if let verified, u.attributes[verified] != "true" { return nil }
                    return v
                }
                let looksLike: ((String) -> Bool)? =
                    alias == "email"
                    ? { $0.contains("@") } : alias == "phone_number" ? { $0.hasPrefix("+") && $0.dropFirst().allSatisfy(\.isNumber) } : nil
                if let looksLike {
                    let bad = users.filter { looksLike($0.username) }.map(\.username)
                    if !bad.isEmpty {
                        problems.append(
                            "the target uses \(alias) as an alias, so usernames cannot be in \(alias) format, but \(bad.count) are: e.g. \(examples(bad))"
                        )
                    }
                }
            }
        }
        return problems
    }

    private static func duplicates(users: [UserRecord], attribute: String, what: String, value: (UserRecord) -> String?) -> [String] {
        var owners: [String: [String]] = [:]
        for u in users {
            guard let v = value(u), !v.isEmpty else { continue }
            // Cognito compares emails case-insensitively.
            owners[attribute == "email" ? v.lowercased() : v, default: []].append(u.username)
        }
        let shared = owners.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        guard !shared.isEmpty else { return [] }
        let shown = shared.prefix(5).map { "\($0.key) (\(examples($0.value, limit: 3)))" }.joined(separator: "; ")
        return [
            "\(shared.count) \(what) value(s) are shared by several users, which the target cannot hold: \(shown)\(shared.count > 5 ? "; ..." : "")"
        ]
    }
}
