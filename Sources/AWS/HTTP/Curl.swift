import CCurl
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The one file that touches libcurl and raw pointers. Everything here runs
// on the calling thread and blocks; HTTPClient keeps it off Swift's pool.

/// Limits for one transfer, already in libcurl's units.
struct CurlLimits: Sendable {
    var connectMilliseconds: Int
    var lowSpeedSeconds: Int
    var totalMilliseconds: Int?
    var userAgent: String
}

/// Set from another thread to make a running transfer stop at its next
/// progress callback.
final class CurlCancelFlag: @unchecked Sendable {
    // NSLock rather than Atomic: Synchronization needs macOS 15, the package supports 13.
    private let lock = NSLock()
    private var cancelled = false

    func cancel() { lock.withLock { cancelled = true } }
    var isCancelled: Bool { lock.withLock { cancelled } }
}

/// One libcurl easy handle. Kept across requests because live connections,
/// the DNS cache and TLS sessions belong to the handle.
///
/// @unchecked Sendable: a handle is used by one thread at a time; the pool in
/// HTTPClient hands it from one request to the next under a lock.
final class CurlEasy: @unchecked Sendable {
    private static let globalInit: CURLcode = curl_global_init(SNAP_CURL_GLOBAL_ALL)

    private let handle: UnsafeMutableRawPointer

    init?() {
        guard Self.globalInit == CURLE_OK, let h = curl_easy_init() else { return nil }
        handle = h
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends the request and waits for the whole response.
    func perform(
        _ request: HTTPRequest, responseBodyTo: String?, sink: HTTPBodySink? = nil, limits: CurlLimits, cancel: CurlCancelFlag
    ) throws -> HTTPResponse {
        // Reset afterwards, not before: a pooled handle must not keep pointers
        // to this transfer's state. Reset keeps the connection cache.
        defer { curl_easy_reset(handle) }

        let state = TransferState(outputPath: responseBodyTo, sink: sink, cancel: cancel)
        defer { state.closeFiles() }
        let method = request.method.uppercased()
        // PUT and POST always carry a Content-Length, even 0: S3 answers 411 without one.
        let uploadSize =
            try state.openRequestBody(request.body)
            ?? (method == "PUT" || method == "POST" ? 0 : nil)

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for line in Self.headerLines(for: request, uploading: uploadSize != nil) {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPError.transport(
                    kind: .other, curlCode: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "out of memory",
                    host: Self.hostAndPort(request))
            }
            headerList = appended
        }

        let userdata = Unmanaged.passUnretained(state).toOpaque()
        var setupFailed = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK && setupFailed == CURLE_OK { setupFailed = code } }

        check(snap_curl_easy_setopt_string(handle, CURLOPT_URL, request.urlString))
        check(snap_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        // Signals are process-wide; libcurl must not use them from worker threads.
        check(snap_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        // S3 speaks HTTP/1.1 only; one version keeps header parsing and reuse predictable.
        check(snap_curl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, limits.connectMilliseconds))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, limits.lowSpeedSeconds)))
        if let total = limits.totalMilliseconds {
            check(snap_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, total)))
        }
        check(snap_curl_easy_setopt_string(handle, CURLOPT_USERAGENT, limits.userAgent))
        check(snap_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        check(snap_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, state.errorBuffer))

        check(snap_curl_easy_setopt_header_callback(handle, headerCallback))
        check(snap_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))
        check(snap_curl_easy_setopt_write_callback(handle, writeCallback))
        check(snap_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        check(snap_curl_easy_setopt_xferinfo_callback(handle, progressCallback))
        check(snap_curl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata))
        check(snap_curl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0))

        if method == "HEAD" {
            check(snap_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        } else if let uploadSize {
            // UPLOAD streams through the read callback with a Content-Length and,
            // unlike POSTFIELDS, adds no Content-Type. UPLOAD alone means PUT.
            check(snap_curl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1))
            check(snap_curl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(uploadSize)))
            check(snap_curl_easy_setopt_read_callback(handle, readCallback))
            check(snap_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, userdata))
            // Needed when a kept-alive connection turns out dead and libcurl resends.
            check(snap_curl_easy_setopt_seek_callback(handle, seekCallback))
            check(snap_curl_easy_setopt_pointer(handle, CURLOPT_SEEKDATA, userdata))
            if method != "PUT" {
                check(snap_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
            }
        } else if method == "GET" {
            check(snap_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
        } else {
            check(snap_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }

        if setupFailed != CURLE_OK {
            throw transportError(setupFailed, state: state, request: request)
        }

        let code = curl_easy_perform(handle)
        if let sink {
            // An empty 2xx body never reached the write callback: it began (and ended) all the same.
            if code == CURLE_OK, (200..<300).contains(state.statusOfBlock) { sink.begin(headers: state.headers) }
            // A begun body is never sent again: its end, good or bad, is the reader's end of input, now.
            if sink.hasBegun { sink.close() }
        }
        try state.finishOutput()

        if cancel.isCancelled { throw CancellationError() }
        if let fileError = state.fileError { throw fileError }
        guard code == CURLE_OK else { throw transportError(code, state: state, request: request) }

        var status = 0
        _ = snap_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if (200..<300).contains(status), state.outputPath != nil, method != "HEAD" {
            // An empty 2xx body never reached the write callback; the file must still exist.
            try state.openOutputIfNeeded()
            try state.finishOutput()
        }
        return HTTPResponse(status: status, headers: state.headers, body: state.body)
    }

    /// The caller's headers as libcurl header lines, plus blanks that stop
    /// libcurl adding its own.
    private static func headerLines(for request: HTTPRequest, uploading: Bool) -> [String] {
        var lines: [String] = []
        for header in request.headers {
            // libcurl writes Content-Length from the body size it is given.
            if header.name.caseInsensitiveCompare("Content-Length") == .orderedSame { continue }
            // "Name:" would delete the header; "Name;" sends it empty.
            lines.append(header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)")
        }
        if request.header("Expect") == nil { lines.append("Expect:") }
        if request.header("Accept") == nil { lines.append("Accept:") }
        return lines
    }

    private static func hostAndPort(_ request: HTTPRequest) -> String {
        let port = request.port ?? (request.scheme.lowercased() == "http" ? 80 : 443)
        return "\(request.host):\(port)"
    }

    private func transportError(_ code: CURLcode, state: TransferState, request: HTTPRequest) -> HTTPError {
        var message = String(cString: state.errorBuffer)
        if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
        let kind: HTTPError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .couldNotResolve
        case CURLE_COULDNT_CONNECT:
            kind = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_USE_SSL_FAILED:
            kind = .tls
        case CURLE_SEND_ERROR, CURLE_SEND_FAIL_REWIND:
            kind = .sendFailed
        case CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .receiveFailed
        default:
            kind = .other
        }
        if kind == .couldNotConnect {
            // libcurl's text repeats host and port; the system's reason is what helps.
            var osErrno = 0
            if snap_curl_easy_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno) == CURLE_OK, osErrno != 0 {
                message = String(cString: strerror(Int32(osErrno)))
            }
        }
        return .transport(kind: kind, curlCode: Int(code.rawValue), message: message, host: Self.hostAndPort(request))
    }
}

/// What the callbacks of one transfer read and write. Reached through
/// libcurl's userdata pointer, so it must be a class.
private final class TransferState {
    enum Source {
        case none
        case memory(Data, offset: Int)
        case file(fd: Int32, path: String)
    }

    let outputPath: String?
    let sink: HTTPBodySink?
    let cancel: CurlCancelFlag
    let errorBuffer: UnsafeMutablePointer<CChar>
    var source: Source = .none
    var outputFD: Int32 = -1
    var outputOpened = false
    var headers: [HTTPHeader] = []
    var statusOfBlock = 0
    var body = Data()
    var fileError: HTTPError?

    init(outputPath: String?, sink: HTTPBodySink?, cancel: CurlCancelFlag) {
        self.outputPath = outputPath
        self.sink = sink
        self.cancel = cancel
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        closeFiles()
        errorBuffer.deallocate()
    }

    /// Opens the body; returns its size when there is something to upload.
    func openRequestBody(_ body: HTTPBody) throws -> Int? {
        switch body {
        case .empty:
            return nil
        case .data(let data):
            source = .memory(data, offset: 0)
            return data.count
        case .file(let path):
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw HTTPError.file(path: path, reason: Self.errnoText()) }
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                let reason = Self.errnoText()
                close(fd)
                throw HTTPError.file(path: path, reason: reason)
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw HTTPError.file(path: path, reason: "not a regular file")
            }
            source = .file(fd: fd, path: path)
            return Int(info.st_size)
        }
    }

    func openOutputIfNeeded() throws {
        guard !outputOpened, let outputPath else { return }
        outputOpened = true
        let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HTTPError.file(path: outputPath, reason: Self.errnoText()) }
        // O_CREAT's mode only applies to new files; an old file keeps its own.
        _ = fchmod(fd, 0o600)
        outputFD = fd
    }

    /// Closes the response file, reporting a failed close (data not written).
    func finishOutput() throws {
        guard outputFD >= 0 else { return }
        let result = close(outputFD)
        outputFD = -1
        if result != 0, fileError == nil, let outputPath {
            throw HTTPError.file(path: outputPath, reason: Self.errnoText())
        }
    }

    func closeFiles() {
        if case .file(let fd, _) = source { close(fd) }
        source = .none
        if outputFD >= 0 { close(outputFD) }
        outputFD = -1
    }

    func receiveHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        let line = String(decoding: bytes, as: UTF8.self)
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // Each status line starts a new block, so 1xx blocks are dropped
            // and only the final one remains.
            headers = []
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            statusOfBlock = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
        } else if trimmed.isEmpty {
            return
        } else if line.first == " " || line.first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + trimmed
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append(HTTPHeader(name, value))
        }
    }

    /// Returns false to abort the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let sink, (200..<300).contains(statusOfBlock) {
            sink.begin(headers: headers)
            if let error = sink.write(bytes) {
                fileError = error
                return false
            }
            return true
        }
        guard outputPath != nil, (200..<300).contains(statusOfBlock) else {
            body.append(contentsOf: bytes)
            return true
        }
        do {
            try openOutputIfNeeded()
        } catch {
            fileError = error as? HTTPError
            return false
        }
        guard outputFD >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = write(outputFD, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                fileError = .file(path: outputPath ?? "", reason: Self.errnoText())
                return false
            }
            offset += n
        }
        return true
    }

    /// Fills the buffer; returns the byte count, 0 at the end, nil on error.
    func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        switch source {
        case .none:
            return 0
        case .memory(let data, let offset):
            let n = min(buffer.count, data.count - offset)
            guard n > 0 else { return 0 }
            data.withUnsafeBytes { all in
                buffer.baseAddress!.copyMemory(from: all.baseAddress! + offset, byteCount: n)
            }
            source = .memory(data, offset: offset + n)
            return n
        case .file(let fd, let path):
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                fileError = .file(path: path, reason: Self.errnoText())
                return nil
            }
        }
    }

    /// Rewinds the body so libcurl can send it again.
    func seek(to position: Int) -> Bool {
        switch source {
        case .none:
            return position == 0
        case .memory(let data, _):
            guard position >= 0, position <= data.count else { return false }
            source = .memory(data, offset: position)
            return true
        case .file(let fd, _):
            return lseek(fd, off_t(position), SEEK_SET) == off_t(position)
        }
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

extension HTTPBodySink {
    /// Writes all of `bytes` to the descriptor, blocking while the pipe is
    /// full (the reader's pace is the transfer's); the error when it cannot.
    fileprivate func write(_ bytes: UnsafeRawBufferPointer) -> HTTPError? {
        // The descriptor is read under the lock but written outside it: a write
        // blocks while the pipe is full, and only this transfer's thread or
        // the sink's owner after the transfer closes it.
        guard let fd = lock.withLock({ descriptor >= 0 ? descriptor : nil }) else {
            return .file(path: name, reason: "the stream was closed before the body ended")
        }
        var offset = 0
        while offset < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE {
                    markReaderClosed()
                    return .file(path: name, reason: "the reader stopped reading")
                }
                return .file(path: name, reason: TransferState.errnoText())
            }
            offset += n
        }
        counted(bytes.count)
        return nil
    }

    /// Closes the descriptor if it is still open; the reader then sees the end of its input.
    public func close() {
        let fd = lock.withLock {
            defer { descriptor = -1 }
            return descriptor
        }
        if fd >= 0 { posixClose(fd) }
    }
}

// Free functions, so the sink's own `write` and `close` do not shadow the system's.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func posixClose(_ fd: Int32) { close(fd) }

private func state(_ userdata: UnsafeMutableRawPointer?) -> TransferState {
    Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
}

private let headerCallback: snap_curl_data_callback = { buffer, size, count, userdata in
    let total = size * count
    guard let buffer else { return total }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: total)
    state(userdata).receiveHeaderLine(bytes)
    return total
}

private let writeCallback: snap_curl_data_callback = { buffer, size, count, userdata in
    let total = size * count
    guard let buffer, total > 0 else { return total }
    let ok = state(userdata).receiveBody(UnsafeRawBufferPointer(start: buffer, count: total))
    return ok ? total : SNAP_CURL_WRITEFUNC_ERROR
}

private let readCallback: snap_curl_data_callback = { buffer, size, count, userdata in
    guard let buffer else { return 0 }
    let n = state(userdata).sendBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    return n ?? SNAP_CURL_READFUNC_ABORT
}

private let seekCallback: snap_curl_seek_callback = { userdata, offset, origin in
    guard origin == SEEK_SET else { return 2 }  // CURL_SEEKFUNC_CANTSEEK
    return state(userdata).seek(to: Int(offset)) ? 0 : 1  // CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL
}

private let progressCallback: snap_curl_xferinfo_callback = { userdata, _, _, _, _ in
    state(userdata).cancel.isCancelled ? 1 : 0
}
