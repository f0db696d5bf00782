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
/// in use (streaming from an S3 store, or downloaded into its own attempt
/// folder from a local one) and the stores not yet tried.
struct SideCopies: Sendable {
    let side: DiffSide
    let catalog: Catalog
    let directory: String
    let log: @Sendable (String) -> Void
    private var tried = 0
    private(set) var copy: Catalog.Copy?
    private var lastError: (any Error)?
    /// The streamed copy's download broke on the way (the network, not the
    /// copy): the same store is read again, downloaded first (its GETs retry).
    private var downloadNext = false

    init(_ side: DiffSide, catalog: Catalog, directory: String, log: @escaping @Sendable (String) -> Void) {
        self.side = side
        self.catalog = catalog
        self.directory = directory
        self.log = log
    }

    /// This side with a copy in hand: the current one, or the next store's,
    /// streaming (S3) or downloaded (a local store, or an S3 copy whose
    /// stream broke) now. Throws the last error when no store is left.
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
            let store = holders[s.tried - 1]
            let streams = store.streamsArchives && !s.downloadNext
            s.downloadNext = false
            do {
                // An S3 copy streams into the join as it downloads: the spool keeps the output until both sides are proven.
                s.copy =
                    streams
                    ? try await catalog.stream(entry, pool: pool, from: store)
                    : try await catalog.download(entry, pool: pool, from: store, into: folder)
            } catch {
                // An AWS error names the operation, not the store: the message must say which copy failed.
                let named = error is SnapError ? error : SnapError.storeFailed(store: store.url, reason: "\(error)")
                log("\(named)")
                s.lastError = named
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

    /// Stops a streamed copy's download at once (a thread waiting on it then
    /// sees its input end), for an attempt being given up.
    func abandon() { copy?.stream?.cancel() }

    /// After an attempt that did not succeed, with this side's own failure
    /// (nil: it was stopped because of the other side or the join): waits
    /// for a streamed copy's download to end and returns the failure to
    /// tell, the download's own when it broke. A streamed copy that did not
    /// fail is used up all the same (it streams once), so the next attempt
    /// streams the same store again.
    mutating func settle(_ failure: (any Error)?) async -> (any Error)? {
        guard let stream = copy?.stream else { return failure }
        let error = await stream.finish(readerError: failure ?? ChunkQueue.Stopped())
        if let error, !(error is ChunkQueue.Stopped) {
            downloadNext = stream.broke
            return error
        }
        copy = nil
        tried -= 1
        return nil
    }

    /// The copy in use failed: it goes, and the next attempt uses the next
    /// store's (or the same store's, downloaded first, when its stream broke).
    mutating func reject(_ error: any Error) {
        lastError = error
        if let copy { Catalog.discard(copy.folder, log: log) }
        copy = nil
        if downloadNext {
            log("\(error); reading it again, downloaded first")
            tried -= 1
        } else {
            log("\(error)")
        }
    }
}
