/// What one store holds for a pool: the snapshots whose `<ID>.json` reads as
/// a manifest, and the `<ID>.json` files that do not. A malformed `.json`
/// makes that one snapshot unreadable in that store, never the whole store.
public struct StoreListing: Sendable {
    public var manifests: [Manifest]
    public var unreadable: [UnreadableManifest]
    /// The size of each `<ID>.tar.zst` as the store lists it (absent: no
    /// archive), so a copy of the wrong size is known damaged without a download.
    public var archiveBytes: [SnapshotID: Int64]

    public init(manifests: [Manifest], unreadable: [UnreadableManifest] = [], archiveBytes: [SnapshotID: Int64] = [:]) {
        self.manifests = manifests.sorted { $0.id < $1.id }
        self.unreadable = unreadable.sorted { $0.id < $1.id }
        self.archiveBytes = archiveBytes
    }
}

/// An `<ID>.json` that is there but cannot be used: why, and where it is.
public struct UnreadableManifest: Sendable, Equatable {
    public var id: SnapshotID
    public var source: String
    public var reason: String

    public init(id: SnapshotID, source: String, reason: String) {
        self.id = id
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source) cannot be read: \(reason)" }
}

/// A store that could not be read at all (listing denied, bucket missing,
/// signature refused): named with the reason, never taken for an empty store.
public struct StoreFailure: Sendable, Equatable, CustomStringConvertible {
    public var store: String
    public var reason: String

    public init(store: String, error: any Error) {
        self.store = store
        self.reason = "\(error)"
    }

    public var description: String { "store \(store) cannot be read: \(reason)" }
}
