import AWS

/// How a snapshot was taken, where that changes what a field's absence means:
/// `"options":{"withMfa":true}` in the manifest says users.jsonl carries every
/// user's MFA settings (`mfa` absent: the user has none); without it, `mfa`
/// was not exported. Absent in manifests written before it existed, and read
/// leniently (unknown keys ignored), so the manifest stays format 1.
public struct SnapshotOptions: Sendable, Equatable {
    public var withMFA = false

    public init(withMFA: Bool = false) { self.withMFA = withMFA }

    public var isDefault: Bool { !withMFA }

    public var json: JSONValue { ["withMfa": .bool(withMFA)] }

    public init(json: JSONValue) {
        withMFA = json["withMfa"]?.boolValue ?? false
    }
}
