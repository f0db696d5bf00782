import Foundation

/// What a user named: a REF (full ID, unique prefix, `latest`, `latest~N`)
/// or a time (`--at TIME`, or `@TIME` wherever a REF is typed), meaning the
/// newest snapshot at or before it.
public enum SnapshotRef: Sendable, Equatable, CustomStringConvertible {
    case ref(String)
    case at(String)

    /// `@TIME` is a time; anything else a REF. IDs never hold "@".
    public init(_ text: String) {
        self = text.hasPrefix("@") ? .at(String(text.dropFirst())) : .ref(text)
    }

    /// `--at TIME` when given, else the REF text, else `latest`.
    public init(ref: String?, at: String?) {
        if let at { self = .at(at) } else { self = SnapshotRef(ref ?? "latest") }
    }

    public var description: String {
        switch self {
        case .ref(let r): r
        case .at(let t): "--at \(t)"
        }
    }

    /// Names a snapshot relative to the newest (`latest`, `latest~N`) or by time: it needs one pool.
    var needsOnePool: Bool {
        switch self {
        case .at: true
        case .ref(let r): r == "latest" || r.hasPrefix("latest~")
        }
    }
}

/// The one way every command finds a snapshot: REF or time, in a given
/// pool, or, when no pool is named, a full ID or unique prefix in whichever
/// pool's folder holds it (`latest` and times then need the stores to hold
/// a single pool). Stores that cannot be read are told to `warn`, and the
/// snapshot is looked for in the rest; none readable is an error, never
/// "no snapshot".
public struct SnapshotLookup: Sendable {
    public struct Found: Sendable {
        public var pool: String
        public var entry: Catalog.Entry
    }

    public let catalog: Catalog
    let warn: @Sendable (String) -> Void

    public init(catalog: Catalog, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.catalog = catalog
        self.warn = warn
    }

    public func find(_ ref: SnapshotRef, pool: String?) async throws -> Found {
        if let pool { return Found(pool: pool, entry: try await resolve(ref, in: pool)) }
        let (listed, failures) = try await catalog.pools()
        for f in failures { warn("\(f); looking in the other stores") }
        let pools = Set(listed)
        let place = catalog.stores.map(\.url).joined(separator: ", ")
        if pools.isEmpty { throw SnapError.noSnapshots(where: place) }
        if ref.needsOnePool {
            guard pools.count == 1, let only = pools.first else {
                throw SnapError.configuration(
                    "\(ref): the stores hold snapshots of several pools (\(pools.sorted().joined(separator: ", "))); name the pool with --user-pool-id"
                )
            }
            return Found(pool: only, entry: try await resolve(ref, in: only))
        }
        var found: [Found] = []
        var ambiguous: [String] = []
        for pool in pools.sorted() {
            do {
                found.append(Found(pool: pool, entry: try await resolve(ref, in: pool)))
            } catch SnapError.ambiguousRef(_, let candidates) {
                ambiguous += candidates
            } catch SnapError.unknownRef, SnapError.noSnapshots {
                continue
            }
        }
        if !ambiguous.isEmpty || found.count > 1 {
            throw SnapError.ambiguousRef(ref: "\(ref)", candidates: ambiguous + found.map { "\($0.pool)/\($0.entry.id.value)" })
        }
        guard let one = found.first else {
            throw SnapError.unknownRef(ref: "\(ref)", where: "any pool in \(place) (name the snapshot's pool to narrow the search)")
        }
        return one
    }

    /// The snapshot just before `found`, in its pool.
    public func previous(_ found: Found) async throws -> Found {
        let all = try await catalog.entries(pool: found.pool).entries
        guard let i = all.firstIndex(where: { $0.id == found.entry.id }), i > 0 else {
            throw SnapError.unknownRef(
                ref: "the snapshot before \(found.entry.id.value)", where: catalog.placeName(found.pool) + " (it is the oldest)")
        }
        return Found(pool: found.pool, entry: all[i - 1])
    }

    private func resolve(_ ref: SnapshotRef, in pool: String) async throws -> Catalog.Entry {
        let warn = self.warn
        switch ref {
        case .ref(let r): return try await catalog.resolve(r, pool: pool, warn: warn)
        case .at(let t): return try await catalog.resolve(at: t, pool: pool, warn: warn)
        }
    }
}

/// The pools a command works on: the configured one, or every pool the
/// stores hold, with the stores that could not be listed (none at all throws).
public enum PoolSelection {
    public static func pools(configured: String?, catalog: Catalog) async throws -> (pools: [String], failures: [StoreFailure]) {
        if let configured { return ([configured], []) }
        return try await catalog.pools()
    }
}
