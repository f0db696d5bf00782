import Foundation

/// One side of a diff: a stored snapshot, or a live pool read now.
public enum DiffSideRef: Sendable {
    case stored(SnapshotLookup.Found)
    case live(pool: String)

    public var name: String {
        switch self {
        case .stored(let f): f.entry.id.value
        case .live(let p): "pool:\(p)"
        }
    }
}

/// `snap diff [OLD [NEW]]` with `--old-at` / `--new-at`, turned into two sides.
///
/// A side given by time takes its place (OLD or NEW) and positional REFs
/// fill the others in order. With one side missing: no NEW means the newest
/// snapshot (or, when OLD is `pool:ID`, that pool's newest against the
/// live pool); no OLD means the snapshot before NEW.
public enum DiffSides {
    public static func resolve(
        refs: [String], oldAt: String?, newAt: String?, pool: String?, lookup: SnapshotLookup
    ) async throws -> (old: DiffSideRef, new: DiffSideRef) {
        var texts = refs
        var old: SnapshotRef? = oldAt.map { .at($0) }
        var new: SnapshotRef? = newAt.map { .at($0) }
        var oldText: String?
        var newText: String?
        if old == nil, !texts.isEmpty { oldText = texts.removeFirst() }
        if new == nil, !texts.isEmpty { newText = texts.removeFirst() }
        if !texts.isEmpty { throw SnapError.configuration("diff: too many REFs (OLD and NEW at most, --old-at/--new-at included)") }
        // One positional REF alone is NEW ("that snapshot against the one before it").
        if oldAt == nil, newAt == nil, newText == nil, let only = oldText {
            newText = only
            oldText = nil
        }

        func live(_ text: String?) throws -> String? {
            guard let text, text.hasPrefix("pool:") else { return nil }
            let p = String(text.dropFirst(5))
            guard !p.isEmpty else { throw SnapError.configuration("\(text): write pool:USER_POOL_ID") }
            return p
        }
        if let t = oldText, try live(t) == nil { old = SnapshotRef(t) }
        if let t = newText, try live(t) == nil { new = SnapshotRef(t) }

        func stored(_ ref: SnapshotRef) async throws -> SnapshotLookup.Found { try await lookup.find(ref, pool: pool) }

        // NEW.
        let newSide: DiffSideRef
        if let p = try live(newText) {
            newSide = .live(pool: p)
        } else if let new {
            newSide = .stored(try await stored(new))
        } else {
            newSide = .stored(try await stored(.ref("latest")))
        }
        // OLD.
        if let p = try live(oldText) { return (.live(pool: p), newSide) }
        if let old { return (.stored(try await stored(old)), newSide) }
        switch newSide {
        case .stored(let n): return (.stored(try await lookup.previous(n)), newSide)
        // NEW is live and OLD unnamed: that pool's newest snapshot.
        case .live(let p): return (.stored(try await lookup.find(.ref("latest"), pool: p)), newSide)
        }
    }
}
