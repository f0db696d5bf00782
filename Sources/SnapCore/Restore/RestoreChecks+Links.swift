import Foundation

/// Linked identities (a user's `identities` attribute) are linked again after the user is made. The
/// checks count them by provider; which providers the target has is known only after its identity
/// providers are listed (`RestorePlan.resolveLinks`), which a snapshot without links never needs.
extension RestoreChecks {
    mutating func addLinks(_ u: UserRecord) {
        switch LinkedIdentity.of(u.attributes) {
        case .success(let identities):
            for i in identities { linksByProvider[i.providerName, default: 0] += 1 }
        case .failure(let error):
            unreadableIdentities.add("\(u.username) (\(error))", keep: 3)
        }
    }

    func linkNotes() -> [String] {
        guard unreadableIdentities.count > 0 else { return [] }
        return [
            "\(unreadableIdentities.count) user(s) have an identities attribute snap cannot read, so their links are not made: \(unreadableIdentities.examples.joined(separator: "; "))"
        ]
    }
}
