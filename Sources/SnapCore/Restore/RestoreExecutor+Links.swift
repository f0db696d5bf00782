import AWS
import Foundation

/// Linked identities: which of a user's links are left to make, once the user exists.
extension RestoreExecutor {
    /// The links `u` still needs. A link the pool shows (the user's identities, as read when the user was
    /// found there) is counted as there, and journaled if the journal lacks it; a journaled link the pool
    /// does not show is made again (check, don't trust). A link whose provider the target lacks is listed,
    /// with the command that makes it, and not attempted.
    func linksToMake(
        _ u: RestorePlan.User, targetUsername: String, inPool: JSONValue?, prior: PriorUser, tracker: RestoreTracker
    ) async throws -> [LinkedIdentity] {
        guard !u.links.isEmpty else { return [] }
        let linked = Set(Self.identities(of: inPool).map(\.key))
        var left: [LinkedIdentity] = []
        for l in u.links {
            guard plan.options.targetProviders.contains(l.providerName) else {
                await tracker.pendingLink(
                    RestoreOutcome.PendingLink(
                        username: u.record.username, provider: l.providerName,
                        reason: "the target pool \(plan.targetPoolId) has no identity provider \(l.providerName)",
                        command: l.command(poolId: plan.targetPoolId, targetUsername: targetUsername)))
                continue
            }
            if linked.contains(l.key) {
                if !prior.links.contains(l.key) {
                    try await journal.append(.link(username: u.record.username, provider: l.providerName, userId: l.userId))
                }
                await tracker.link(.existing)
            } else {
                left.append(l)
            }
        }
        return left
    }

    /// The identities a user of the pool (AdminGetUser's or ListUsers' form) is linked to.
    static func identities(of user: JSONValue?) -> [LinkedIdentity] {
        guard let user else { return [] }
        // The pool's own value: one it lists that snap cannot read is taken as no link, so the link is made
        // (AdminLinkProviderForUser then says if it is there), never assumed.
        return (try? LinkedIdentity.of(attributes(of: user)).get()) ?? []
    }
}
