import AWS
import Foundation

/// The pre-checks as a streaming pass over the sorted users: `add` each
/// user once, in order; if `needsSecondPass`, `confirm` each user again;
/// then `finish`. Memory is a few counters and examples per check, plus 4
/// bytes per user and uniqueness check (a hash of the value): values whose
/// hash is shared are gathered exactly on the second pass, so a collision
/// costs a pass, never a wrong answer.
struct RestoreChecks {
    let source: PoolConfiguration
    let target: PoolConfiguration
    let options: RestoreOptions

    struct Tally {
        var count = 0
        var examples: [String] = []
        mutating func add(_ s: String, keep: Int = 5) {
            count += 1
            if examples.count < keep { examples.append(s) }
        }
    }

    /// Values that must be unique in the target: hashes on the first pass, owners of shared hashes on the second.
    struct Uniqueness {
        var attribute: String
        var what: String
        var value: @Sendable (UserRecord) -> String?
        var hashes: [UInt32] = []
        var shared: Set<UInt32> = []
        var owners: [String: [String]] = [:]

        mutating func add(_ u: UserRecord) {
            if let v = value(u) { hashes.append(Self.hash(v)) }
        }
        mutating func sealFirstPass() {
            hashes.sort()
            var i = 1
            while i < hashes.count {
                if hashes[i] == hashes[i - 1] { shared.insert(hashes[i]) }
                i += 1
            }
            hashes = []
        }
        mutating func confirm(_ u: UserRecord) {
            guard let v = value(u), shared.contains(Self.hash(v)) else { return }
            owners[v, default: []].append(u.username)
        }
        static func hash(_ s: String) -> UInt32 {
            var h: UInt32 = 2_166_136_261
            for b in s.utf8 {
                h ^= UInt32(b)
                h = h &* 16_777_619
            }
            return h
        }
    }

    var users = 0, passwords = 0, disables = 0
    var mfa = RestorePlan.MFA()
    var skipped: [RestorePlan.Skipped] = []
    var skippedCount = 0
    var custom: [String: Tally] = [:]
    var misfits: [String: Tally] = [:]
    var lacking: [String: Tally] = [:]
    var noSignIn = Tally()
    /// Users AdminCreateUser refuses in a passwordless pool: neither email nor phone_number (issue 20, item 12).
    var noContact = Tally()
    var badAliasFormat: [String: Tally] = [:]
    var unique: [Uniqueness] = []
    var byStatus: [String: Int] = [:]
    var reset = 0
    private var sealed = false
    let required: [PoolConfiguration.Attribute]
    /// `--keep-old-sub`: users whose own value of that attribute the old sub replaces; users without a sub.
    var oldSubOverwrites = Tally()
    var noSub = Tally()
    /// Linked identities (RestoreChecks+Links) by provider; users whose identities cannot be read.
    var linksByProvider: [String: Int] = [:]
    var unreadableIdentities = Tally()

    init(source: PoolConfiguration, target: PoolConfiguration, options: RestoreOptions = RestoreOptions()) {
        self.source = source
        self.target = target
        self.options = options
        required = target.schema.values.sorted(by: { $0.name < $1.name }).filter { $0.required && !RestorePlan.isServiceManaged($0.name) }
        if !target.usernameAttributes.isEmpty {
            for attribute in target.usernameAttributes {
                unique.append(
                    Uniqueness(attribute: attribute, what: "sign-in \(attribute)") { u in
                        guard let v = u.attributes[attribute], !v.isEmpty else { return nil }
                        return attribute == "email" ? v.lowercased() : v
                    })
            }
        } else {
            if !target.caseSensitive {
                unique.append(Uniqueness(attribute: "username", what: "case-insensitive username") { $0.username.lowercased() })
            }
            for alias in target.aliasAttributes {
                // An email or phone alias is only active (and unique) once verified; preferred_username always is.
                let verified = alias == "email" ? "email_verified" : alias == "phone_number" ? "phone_number_verified" : nil
                unique.append(
                    Uniqueness(attribute: alias, what: "\(alias) alias") { u in
                        guard let v = u.attributes[alias], !v.isEmpty else { return nil }
                        if let verified, u.attributes[verified] != "true" { return nil }
                        // Cognito compares emails case-insensitively.
                        return alias == "email" ? v.lowercased() : v
                    })
            }
        }
    }

    mutating func add(_ u: UserRecord) {
        if RestorePlan.isSkipped(u) {
            skippedCount += 1
            if skipped.count < RestorePlan.shownSkipped {
                skipped.append(RestorePlan.Skipped(username: u.username, reason: RestorePlan.federatedReason))
            }
            return
        }
        users += 1
        let hadPassword = RestorePlan.passwordStatuses.contains(u.status)
        if hadPassword { passwords += 1 } else { byStatus[u.status, default: 0] += 1 }
        if hadPassword && u.status != "CONFIRMED" { reset += 1 }
        if !u.enabled { disables += 1 }
        mfa.add(u)
        addOldSub(u)
        addLinks(u)

        for (name, value) in u.attributes where (name.hasPrefix("custom:") || name.hasPrefix("dev:custom:")) && name != options.keepOldSub {
            custom[name, default: Tally()].add(u.username, keep: 3)
            if let mine = target.schema[name], let why = RestorePlan.misfit(value, mine) {
                misfits[name, default: Tally()].add("\(u.username): \(why)", keep: 3)
            }
        }
        for a in required where (u.attributes[a.name] ?? "").isEmpty {
            lacking[a.name, default: Tally()].add(u.username)
        }
        if !target.usernameAttributes.isEmpty {
            if RestorePlan.signInUsername(u, target: target) == nil { noSignIn.add(u.username) }
        } else {
            for alias in target.aliasAttributes {
                let looksLike =
                    alias == "email"
                    ? u.username.contains("@")
                    : alias == "phone_number" ? u.username.hasPrefix("+") && u.username.dropFirst().allSatisfy(\.isNumber) : false
                if looksLike { badAliasFormat[alias, default: Tally()].add(u.username) }
            }
        }
        if target.createNeedsEmailOrPhone && (u.attributes["email"] ?? "").isEmpty && (u.attributes["phone_number"] ?? "").isEmpty {
            noContact.add(u.username)
        }
        for i in unique.indices { unique[i].add(u) }
    }

    /// Whether some values may be shared: `confirm` every user again to know.
    var needsSecondPass: Bool {
        mutating get {
            seal()
            return unique.contains { !$0.shared.isEmpty }
        }
    }

    private mutating func seal() {
        guard !sealed else { return }
        sealed = true
        for i in unique.indices { unique[i].sealFirstPass() }
    }

    mutating func confirm(_ u: UserRecord) {
        guard !RestorePlan.isSkipped(u) else { return }
        for i in unique.indices where !unique[i].shared.isEmpty { unique[i].confirm(u) }
    }

    mutating func finish(into plan: inout RestorePlan, targetUsers: [String], targetGroups: [String], resume: Bool) {
        seal()
        var problems: [String] = []
        var notes: [String] = []
        if !resume {
            if !targetUsers.isEmpty {
                problems.append(
                    "target pool \(target.id) is not empty: it holds users (\(RestorePlan.examples(targetUsers))); restore only into an empty pool, or pass --resume to finish an interrupted restore"
                )
            }
            if !targetGroups.isEmpty {
                problems.append(
                    "target pool \(target.id) is not empty: it holds groups (\(RestorePlan.examples(targetGroups))); restore only into an empty pool, or pass --resume to finish an interrupted restore"
                )
            }
        }
        problems += schemaProblems()
        problems += oldSubProblems()
        for a in required {
            if let t = lacking[a.name] {
                problems.append(
                    "\(t.count) user(s) lack \(a.name), which the target requires: e.g. \(RestorePlan.examples(t.examples, count: t.count))"
                )
            }
        }
        if noSignIn.count > 0 {
            let kinds = target.usernameAttributes.joined(separator: " or ")
            problems.append(
                "the target signs in by \(kinds), but \(noSignIn.count) user(s) have none: e.g. \(RestorePlan.examples(noSignIn.examples, count: noSignIn.count))"
            )
        }
        if noContact.count > 0 {
            problems.append(
                "the target allows passwordless sign-in (AllowedFirstAuthFactors \(target.firstAuthFactors.joined(separator: ", "))), where AdminCreateUser refuses a user without an email or phone_number, and \(noContact.count) user(s) have neither: e.g. \(RestorePlan.examples(noContact.examples, count: noContact.count)); restore into a pool whose SignInPolicy.AllowedFirstAuthFactors is PASSWORD alone, give those users an email or phone_number there, then add the passwordless factors"
            )
        }
        for u in unique { problems += Self.duplicateProblems(u) }
        for alias in target.aliasAttributes {
            if let bad = badAliasFormat[alias] {
                problems.append(
                    "the target uses \(alias) as an alias, so usernames cannot be in \(alias) format, but \(bad.count) are: e.g. \(RestorePlan.examples(bad.examples, count: bad.count))"
                )
            }
        }

        if !byStatus.isEmpty {
            let list = byStatus.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            notes.append(
                "\(list) user(s) never set a password: they are restored in FORCE_CHANGE_PASSWORD; send them a new invitation with `aws cognito-idp admin-create-user --message-action RESEND` when they need one"
            )
        }
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
        plan.userCount = users
        plan.passwords = passwords
        plan.disables = disables
        plan.mfa = mfa
        plan.skipped = skipped
        plan.skippedCount = skippedCount
        notes += oldSubNotes() + linkNotes()
        plan.problems = problems
        plan.notes = notes
        plan.options = options
        plan.linksByProvider = linksByProvider
        plan.resolveLinks(targetProviders: options.targetProviders)
    }

    /// Custom attributes: present in the target, same type, not made immutable, values that fit.
    private func schemaProblems() -> [String] {
        var problems: [String] = []
        for name in custom.keys.sorted() {
            let who = custom[name]!
            let theirs = source.schema[name]
            guard let mine = target.schema[name] else {
                let type = theirs?.dataType ?? "String"
                problems.append(
                    "custom attribute \(name) (\(type)\(theirs.map { $0.mutable ? ", mutable" : ", immutable" } ?? ""), used by \(who.count) user(s), e.g. \(RestorePlan.examples(who.examples, count: who.count, limit: 3))) is not in the target's schema: add it with `aws cognito-idp add-custom-attributes --user-pool-id \(target.id) --custom-attributes Name=\(name.dropFirst(name.hasPrefix("dev:") ? 11 : 7)),AttributeDataType=\(type)`"
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
            if let bad = misfits[name] {
                problems.append(
                    "custom attribute \(name): \(bad.count) value(s) do not fit the target's schema, e.g. \(bad.examples.joined(separator: "; "))"
                )
            }
        }
        return problems
    }

    private static func duplicateProblems(_ u: Uniqueness) -> [String] {
        let shared = u.owners.filter { $0.value.count > 1 }.sorted { JSONValue.utf8Less($0.key, $1.key) }
        guard !shared.isEmpty else { return [] }
        if u.attribute == "username" {
            let clashes = shared.map { "\"\($0.value[0])\" and \"\($0.value[1])\"" }
            return [
                "the target's usernames are case-insensitive, and \(clashes.count) username(s) differ only in case: \(clashes.prefix(5).joined(separator: ", "))"
            ]
        }
        let shown = shared.prefix(5).map { "\($0.key) (\(RestorePlan.examples($0.value, limit: 3)))" }.joined(separator: "; ")
        return [
            "\(shared.count) \(u.what) value(s) are shared by several users, which the target cannot hold: \(shown)\(shared.count > 5 ? "; ..." : "")"
        ]
    }
}

extension RestorePlan {
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
}
