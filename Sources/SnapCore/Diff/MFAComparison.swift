/// `mfa` is compared only like for like: a live pool is read with
/// `--with-mfa` when the snapshot it is compared with was taken so, and two
/// snapshots of which only one was taken with `--with-mfa` leave `mfa` out
/// (absence means "not exported" on one side), saying so.
public struct MFAComparison: Sendable {
    /// Read the live side's MFA settings (one AdminGetUser per user).
    public var readLive = false
    /// Fields the user comparison leaves out.
    public var ignore: Set<String> = []
    /// What the operator is told before the diff, if anything.
    public var note: String?

    public init(old: DiffSideRef, new: DiffSideRef) {
        func taken(_ s: DiffSideRef) -> Bool? {
            if case .stored(let f) = s { return f.entry.manifest.options.withMFA }
            return nil
        }
        switch (taken(old), taken(new)) {
        case (true?, nil), (nil, true?):
            readLive = true
            note = "the snapshot was taken with --with-mfa, so the live pool's MFA settings are read too (one AdminGetUser per user)"
        case (let a?, let b?) where a != b:
            ignore = ["mfa"]
            note = "only one snapshot was taken with --with-mfa: MFA settings (mfa) are not compared"
        default: break
        }
    }
}
