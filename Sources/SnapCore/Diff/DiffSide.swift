import AWS
import Foundation

/// One side of a diff before it is read: a stored snapshot (its copies
/// tried store by store, each verified while the join reads it) or a live
/// pool exported now into sorted member files.
public enum DiffSide: Sendable {
    case stored(Catalog.Entry, pool: String)
    case files([Member: String])
}

/// Where one side stands across attempts: for a stored snapshot, the copy
/// in use (downloaded into its own attempt folder) and the stores not yet
/// tried.
struct SideCopies: Sendable {
    let side: DiffSide
    let catalog: Catalog
    let directory: String
    let log: @Sendable (String) -> Void
    private var tried = 0
    private(set) var copy: Catalog.Copy?
    private var lastError: (any Error)?

    init(_ side: DiffSide, catalog: Catalog, directory: String, log: @escaping @Sendable (String) -> Void) {
        self.side = side
        self.catalog = catalog
        self.directory = directory
        self.log = log
    }

    /// This side with a copy in hand: the current one, or the next store's,
    /// downloaded now. Throws the last error when no store is left.
    func ready() async throws -> SideCopies {
        guard case .stored(let entry, let pool) = side else { return self }
        var s = self
        let holders = catalog.holders(of: entry)
        while s.copy == nil {
            guard s.tried < holders.count else {
                throw s.lastError ?? SnapError.unknownRef(ref: entry.id.value, where: catalog.placeName(pool))
            }
            s.tried += 1
            let folder = "\(directory)/attempt-\(s.tried)"
            do {
                s.copy = try await catalog.download(entry, pool: pool, from: holders[s.tried - 1], into: folder)
            } catch {
                log("\(error)")
                s.lastError = error
                Catalog.discard(folder, log: log)
            }
        }
        return s
    }

    /// Opens this side for one attempt: a stored copy starts verifying on its own thread.
    func open() throws -> DiffReader {
        switch side {
        case .files(let paths): return try DiffInput.files(paths).open()
        case .stored:
            guard let copy else { throw SnapError.io(path: directory, reason: "no copy downloaded (a bug in snap)") }
            return DiffReader.verifying(copy)
        }
    }

    /// The copy in use proved damaged: it goes, and the next attempt uses the next store's.
    mutating func reject(_ error: any Error) {
        log("\(error)")
        lastError = error
        if let copy { Catalog.discard(copy.folder, log: log) }
        copy = nil
    }
}
