import Foundation

/// What a restore is asked to do beyond the snapshot itself, given to the pre-checks
/// (`RestoreChecks`) and carried by the plan into the executor.
public struct RestoreOptions: Sendable, Equatable {
    /// `--keep-old-sub custom:NAME`: each restored user's old `sub` goes into this custom attribute.
    public var keepOldSub: String?
    /// The identity providers (ProviderName) the target pool has: a snapshot user's linked identity
    /// of another provider cannot be linked, and is listed with the command that finishes it.
    public var targetProviders: Set<String>

    public init(keepOldSub: String? = nil, targetProviders: Set<String> = []) {
        self.keepOldSub = keepOldSub
        self.targetProviders = targetProviders
    }

    /// Cognito's custom attribute names: 1 to 20 characters (CustomAttributesListType /
    /// SchemaAttributeType.Name in the API reference), `custom:` prepended by the service.
    public static let customNameLength = 1...20

    /// `custom:NAME` as `--keep-old-sub` takes it, or why not (the command names the flag).
    public static func validateKeepOldSub(_ value: String) -> String? {
        guard value.hasPrefix("custom:") else {
            return "give a custom attribute as custom:NAME (e.g. custom:old_sub), not \"\(value)\""
        }
        let name = value.dropFirst(7)
        guard customNameLength.contains(name.count) else {
            return
                "NAME in custom:NAME must be 1 to 20 characters (Cognito's limit for custom attribute names); \"\(name)\" has \(name.count)"
        }
        // The API reference's pattern for a schema attribute name: [\p{L}\p{M}\p{S}\p{N}\p{P}]+ (no white space, no control).
        guard name.unicodeScalars.allSatisfy({ !$0.properties.isWhitespace && !CharacterSet.controlCharacters.contains($0) }) else {
            return "NAME in custom:NAME cannot hold white space or control characters: \"\(name)\""
        }
        return nil
    }
}
