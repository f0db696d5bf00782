import AWS
import Foundation

/// One store's copy of an archive read while it downloads, never landing on
/// disk (issue 10): the store's GET writes into a pipe whose read end one
/// reader takes (`SnapshotStream`). The pipe holds 64 KiB, so the download
/// goes at the reader's pace and memory stays flat at any size.
///
/// Nothing read from it is proven before the reader has read it to its end
/// (the archive digest is of these very bytes), so only readers that deliver
/// nothing before then use it: `verify`, and the diff with its spool.
///
/// No side waits forever: the download closes the write end when its body
/// ends, well or not, so the reader sees the end of its input (a cut body
/// reads as a truncated archive, and `finish` then tells the download's own
/// error); a reader that stops closes the read end, so the download's next
/// write fails (EPIPE), and `finish` cancels it besides, for a download
/// waiting on the network. A stream dropped unfinished does both in `deinit`.
///
/// @unchecked Sendable: `readEnd` is guarded by `lock`; the rest is immutable.
public final class ArchiveStream: @unchecked Sendable {
    /// The download stopped because the reader closed its end: the reader's error tells why.
    public struct ReaderStopped: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the reader stopped before the download ended" }
    }

    /// The store streaming it.
    public let store: String
    /// `store/pool/id`, for messages.
    public let source: String
    private let lock = NSLock()
    private var readEnd: Int32
    private var brokeInTransit = false
    private let download: Task<Void, any Error>

    /// Whether `finish` found the download failing on its own after its body
    /// began (a connection cut, a stall): the network, not the copy, so the
    /// copy is worth reading again the download-first way (whose GETs retry).
    var broke: Bool { lock.withLock { brokeInTransit } }

    private init(store: String, source: String, readEnd: Int32, download: Task<Void, any Error>) {
        self.store = store
        self.source = source
        self.readEnd = readEnd
        self.download = download
    }

    deinit {
        closeReadEnd()
        download.cancel()
    }

    /// Starts the GET and returns once its body has begun, its size checked
    /// against the manifest's archive size. Throws, the download ended and
    /// awaited, when it cannot begin or the size differs.
    static func start(_ store: any SnapshotStore, pool: String, id: SnapshotID, manifest: Manifest) async throws -> ArchiveStream {
        let source = "\(store.url)/\(pool)/\(id.value)"
        let (readEnd, writeEnd) = try FileSystem.makePipe(for: source)
        let begun = BeginSignal()
        let download = Task {
            do {
                try await store.streamArchive(pool: pool, id: id, into: writeEnd) { begun.resolve(.success($0)) }
            } catch {
                begun.resolve(.failure(error))
                throw error
            }
        }
        let stream = ArchiveStream(store: store.url, source: source, readEnd: readEnd, download: download)
        let size: Int64?
        do {
            size = try await withTaskCancellationHandler {
                try await begun.wait()
            } onCancel: {
                download.cancel()
            }
        } catch {
            stream.closeReadEnd()
            _ = await download.result
            throw error
        }
        if let size, let expected = manifest.archive?.bytes, size != expected {
            _ = await stream.finish(readerError: ReaderStopped())
            throw SnapError.damaged(source: source, member: nil, reason: "the archive is \(size) bytes, its .json says \(expected)")
        }
        return stream
    }

    /// The pipe's read end, handed once to the reader, who owns it from then
    /// on (`SnapshotStream.Input.descriptor`); closing it stops the download.
    func takeReadEnd() throws -> Int32 {
        let fd = lock.withLock {
            defer { readEnd = -1 }
            return readEnd
        }
        guard fd >= 0 else {
            throw SnapError.io(path: source, reason: "the stream of this copy was already read (a bug in snap: report it)")
        }
        return fd
    }

    /// Waits for the download to end, after the reader ended with
    /// `readerError` (nil: it read the archive to its end and proved it).
    /// Returns why this copy cannot be used, nil when it can: the
    /// download's own failure when it broke (the reader's truncation was its
    /// symptom), else the reader's.
    func finish(readerError: (any Error)?) async -> (any Error)? {
        closeReadEnd()
        if readerError != nil { download.cancel() }
        switch await download.result {
        case .success:
            return readerError
        case .failure(let error) where error is ReaderStopped || error is CancellationError:
            return readerError ?? error
        case .failure(let error):
            lock.withLock { brokeInTransit = true }
            return error
        }
    }

    /// Stops the download now; its reader then sees its input end.
    func cancel() { download.cancel() }

    private func closeReadEnd() {
        let fd = lock.withLock {
            defer { readEnd = -1 }
            return readEnd
        }
        FileSystem.closeDescriptor(fd)
    }
}

/// The moment a download's body begins (with its size), or its failure
/// before that: set once from any thread, awaited once.
///
/// @unchecked Sendable: both fields are guarded by `lock`.
final class BeginSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Int64?, any Error>?
    private var waiter: CheckedContinuation<Int64?, any Error>?

    /// The first call wins; later ones are ignored.
    func resolve(_ outcome: Result<Int64?, any Error>) {
        let waiting: CheckedContinuation<Int64?, any Error>? = lock.withLock {
            guard result == nil else { return nil }
            result = outcome
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(with: outcome)
    }

    func wait() async throws -> Int64? {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int64?, any Error>? = lock.withLock {
                if let result { return result }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
