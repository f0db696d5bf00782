import Foundation

/// A descriptor (a pipe's write end) a 2xx response body streams into as it
/// arrives, so its reader works while the transfer runs. Bytes written into
/// it cannot be taken back, so a request writing here is not retried once
/// its 2xx answer has begun (`hasBegun`); before that it may be.
///
/// The sink owns the descriptor: it is closed when a begun transfer ends
/// (on the transfer's own thread, so the reader sees its end without waiting
/// for anything else), and by `close()`, which the request's owner calls when
/// it is done with the sink whatever happened. The write and close
/// themselves are in `Curl.swift`, the C edge.
///
/// @unchecked Sendable: every field is guarded by `lock`.
public final class HTTPBodySink: @unchecked Sendable {
    /// What the bytes go to, for messages ("the reader of s3://b/k").
    public let name: String
    let lock = NSLock()
    var descriptor: Int32
    private var begun = false
    private var written: Int64 = 0
    private var readerGone = false
    private let onBegin: @Sendable ([HTTPHeader]) -> Void

    /// `onBegin` runs once, on the transfer's thread, with the 2xx response's
    /// headers when its body starts (or ends empty).
    public init(descriptor: Int32, name: String, onBegin: @escaping @Sendable ([HTTPHeader]) -> Void) {
        self.descriptor = descriptor
        self.name = name
        self.onBegin = onBegin
    }

    /// Whether a 2xx body began to arrive: from then on the request is not sent again.
    public var hasBegun: Bool { lock.withLock { begun } }

    /// Body bytes handed to the reader.
    public var bytesWritten: Int64 { lock.withLock { written } }

    /// Whether a write failed because the reader closed its end (EPIPE): the
    /// reader stopped, and its own reason is the one to tell.
    public var readerClosed: Bool { lock.withLock { readerGone } }

    /// Marks the body as begun; calls `onBegin` the first time only.
    func begin(headers: [HTTPHeader]) {
        let first = lock.withLock {
            defer { begun = true }
            return !begun
        }
        if first { onBegin(headers) }
    }

    func counted(_ n: Int) { lock.withLock { written += Int64(n) } }
    func markReaderClosed() { lock.withLock { readerGone = true } }
}
