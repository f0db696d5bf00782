import Foundation

/// Which of the snapshot's linked identities can be linked in the target: those whose provider it has.
extension RestorePlan {
    /// Whether any restored user has a linked identity (then the target's providers are worth listing).
    public var hasLinks: Bool { !linksByProvider.isEmpty }

    /// Splits the links by whether the target has their provider; the rest are listed at the end, each
    /// with the command that makes it, and the restore goes on without them.
    public mutating func resolveLinks(targetProviders: Set<String>) {
        options.targetProviders = targetProviders
        links = 0
        pendingLinks = 0
        pendingProviders = [:]
        for (provider, n) in linksByProvider {
            if targetProviders.contains(provider) {
                links += n
            } else {
                pendingLinks += n
                pendingProviders[provider] = n
            }
        }
    }

    /// What a dry run and a run say of the links their provider is missing for; nil when there are none.
    public var pendingLinkNote: String? {
        guard pendingLinks > 0 else { return nil }
        let providers = pendingProviders.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        return
            "\(pendingLinks) linked identit\(pendingLinks == 1 ? "y names a provider" : "ies name providers") the target \(targetPoolId) lacks: \(providers); those users are restored unlinked and each link is listed at the end with the command that makes it once the provider exists (or create the provider now and run again with --resume)"
    }
}
