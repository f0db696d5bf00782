/// The wanted members of one snapshot, read from one store's copy and
/// verified whole (`SnapshotReader`) before anyone sees them.
public struct VerifiedSnapshot: Sendable {
    /// The store whose copy this is.
    public var store: String
    /// `store/pool/id`, for messages.
    public var source: String
    /// Each wanted member's exact bytes, in a private work file.
    public var files: [Member: String]
}
