import AWS
import Foundation

/// What a restore will do, and every reason it must not start: counts and
/// checks only, built by streaming passes over the snapshot's sorted members
/// (`RestorePlanner`), so it is the same size for ten users or ten million.
/// Each user's writes come from `user(for:)` as the executor streams the
/// users again, so `--dry-run` and a real run decide alike.
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
        /// Provider identities (the snapshot's `identities` attribute) to link again once the user exists.
        public var links: [LinkedIdentity] = []
        public var oldSub: String? { record.attributes["sub"] }
    }

    public struct Skipped: Sendable, Equatable {
        public var username: String
        public var reason: String
    }

    public var targetPoolId: String
    public var target: PoolConfiguration
    public var groups: [GroupRecord]
    /// Users to restore, and of them those that get a password and those disabled.
    public var userCount = 0
    public var passwords = 0
    public var disables = 0
    /// Memberships of the users that are restored.
    public var membershipCount = 0
    /// MFA preferences to set and software-token users to list (`--with-mfa` snapshots).
    public var mfa = MFA()
    /// The first skipped users (at most `RestorePlan.shownSkipped`); `skippedCount` counts them all.
    public var skipped: [Skipped] = []
    public var skippedCount = 0
    /// Memberships of skipped users, which cannot be restored either.
    public var skippedMemberships = 0
    /// Reasons the restore must not start; empty when it may.
    public var problems: [String] = []
    /// What an operator should know that does not stop the restore.
    public var notes: [String] = []
    /// `--keep-old-sub` and the target's identity providers (`RestoreOptions`).
    public var options = RestoreOptions()
    /// Linked identities to link again (AdminLinkProviderForUser), and those whose provider the target
    /// lacks: not linked, listed at the end with the command that finishes each (`pendingProviders` by provider).
    public var links = 0
    public var pendingLinks = 0
    public var pendingProviders: [String: Int] = [:]
    /// Every restored user's linked identities, by provider (`resolveLinks` splits them).
    public var linksByProvider: [String: Int] = [:]

    static let shownSkipped = 100

    public init(targetPoolId: String, target: PoolConfiguration, groups: [GroupRecord]) {
        self.targetPoolId = targetPoolId
        self.target = target
        self.groups = groups
    }

    /// Statuses that mean "this user had a password": they end CONFIRMED with an unknown one.
    static let passwordStatuses: Set<String> = ["CONFIRMED", "RESET_REQUIRED", "COMPROMISED"]

    /// The service's own attributes, which no API call may set.
    public static func isServiceManaged(_ name: String) -> Bool {
        name == "sub" || name == "identities" || name.hasPrefix("cognito:")
    }

    static func isSkipped(_ u: UserRecord) -> Bool { u.status == "EXTERNAL_PROVIDER" }

    static let federatedReason =
        "federated user (EXTERNAL_PROVIDER): the admin API cannot create it; it is created again at its next sign-in through the identity provider"

    /// The writes for one snapshot user; nil for a user that is skipped.
    /// With `--keep-old-sub custom:NAME` the old sub goes into that attribute, over any value the
    /// snapshot gives it (the pre-checks count those and say so in a note).
    public func user(for u: UserRecord) -> User? {
        guard !Self.isSkipped(u) else { return nil }
        var values = u.attributes.filter { !Self.isServiceManaged($0.key) }
        if let keep = options.keepOldSub, let sub = u.attributes["sub"] { values[keep] = sub }
        let attributes = values.sorted { JSONValue.utf8Less($0.key, $1.key) }.map { Attribute(name: $0.key, value: $0.value) }
        // No I/O; nothing is lost silently: an unreadable identities attribute is named by the pre-checks (a
        // note), and its user is restored unlinked.
        let links = (try? LinkedIdentity.of(u.attributes).get()) ?? []
        return User(
            record: u, createUsername: Self.signInUsername(u, target: target) ?? u.username, attributes: attributes,
            setPassword: Self.passwordStatuses.contains(u.status), disable: !u.enabled, links: links)
    }

    /// Every write a run makes, per quota category.
    public var calls: [QuotaCategory: Int] {
        [
            .userPoolResourceUpdate: groups.count,
            .userCreation: userCount,
            .userAccountRecovery: passwords,
            .userUpdate: disables + mfa.apply,
            .userResourceUpdate: membershipCount,
            .userFederation: links,
        ]
    }

    /// The least time the writes take at these rates: the slowest category, since categories run side by side.
    public func estimatedSeconds(rate: (QuotaCategory) -> Double) -> Double {
        calls.map { c, n in n == 0 ? 0 : Double(n) / rate(c) }.max() ?? 0
    }

    /// The plan of an in-memory snapshot (tests, small tools): the same passes `RestorePlanner` streams.
    public static func make(
        snapshot: SnapshotContents, target: PoolConfiguration, targetUsers: [String] = [], targetGroups: [String] = [],
        resume: Bool = false, options: RestoreOptions = RestoreOptions()
    ) -> RestorePlan {
        var checks = RestoreChecks(source: PoolConfiguration(pool: snapshot.pool), target: target, options: options)
        for u in snapshot.users { checks.add(u) }
        if checks.needsSecondPass {
            for u in snapshot.users { checks.confirm(u) }
        }
        var plan = RestorePlan(targetPoolId: target.id, target: target, groups: snapshot.groups)
        checks.finish(into: &plan, targetUsers: targetUsers, targetGroups: targetGroups, resume: resume)
        let skippedNames = Set(snapshot.users.filter(isSkipped).map(\.username))
        for m in snapshot.memberships {
            if skippedNames.contains(m.username) { plan.skippedMemberships += 1 } else { plan.membershipCount += 1 }
        }
        return plan
    }

    /// In a pool whose users sign in by email or phone, the value AdminCreateUser takes as Username.
    static func signInUsername(_ u: UserRecord, target: PoolConfiguration) -> String? {
        for a in target.usernameAttributes {
            if let v = u.attributes[a], !v.isEmpty { return v }
        }
        return nil
    }

    public static func examples(_ names: [String], count: Int? = nil, limit: Int = 5) -> String {
        let shown = names.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ")
        return (count ?? names.count) > limit ? "\(shown), ..." : shown
    }
}

/// A snapshot's records held in memory: tests and small tools only; restore streams.
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
