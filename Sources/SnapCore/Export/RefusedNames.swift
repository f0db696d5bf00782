import Foundation

/// Users and groups an export leaves out because their name holds U+0000.
///
/// The export's sort keys join a username and a group name with U+0000, so
/// such a name cannot be stored faithfully. Cognito's own username and group
/// name patterns (`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, API reference: AdminCreateUser,
/// CreateGroup) refuse control characters, so only a stand-in (moto) can hold
/// one; snap refuses them with a warning that names each, escaped, and never
/// drops them silently (issue 19, item 17).
final class RefusedNames: @unchecked Sendable {
    private let lock = NSLock()
    private var users: Set<String> = []
    private var groups: Set<String> = []
    private var memberships = 0

    static func holdsNUL(_ name: String) -> Bool { name.unicodeScalars.contains("\u{0}") }

    /// True when the user is left out (its name holds U+0000).
    func refuseUser(_ username: String) -> Bool {
        guard Self.holdsNUL(username) else { return false }
        lock.withLock { _ = users.insert(username) }
        return true
    }

    /// True when the group is left out (its name holds U+0000).
    func refuseGroup(_ name: String) -> Bool {
        guard Self.holdsNUL(name) else { return false }
        lock.withLock { _ = groups.insert(name) }
        return true
    }

    /// True when the membership names a refused user (or group).
    func refuseMembership(group: String, username: String) -> Bool {
        guard Self.holdsNUL(username) || Self.holdsNUL(group) else { return false }
        lock.withLock { memberships += 1 }
        return true
    }

    /// The manifest's warnings, one per kind; none when nothing was refused.
    var warnings: [String] {
        lock.withLock {
            var out: [String] = []
            let why = "a name holding U+0000 cannot be stored (Cognito's own name pattern refuses it)"
            if !users.isEmpty {
                let names = users.sorted().map { "\"\(PrintableText.name($0))\"" }.joined(separator: ", ")
                out.append("left out \(users.count) user(s) and \(memberships) membership(s): \(why): \(names)")
            } else if memberships > 0 {
                out.append("left out \(memberships) membership(s): \(why)")
            }
            if !groups.isEmpty {
                let names = groups.sorted().map { "\"\(PrintableText.name($0))\"" }.joined(separator: ", ")
                out.append("left out \(groups.count) group(s): \(why): \(names)")
            }
            return out
        }
    }
}
