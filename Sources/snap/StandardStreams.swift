import Foundation
import SnapCore

/// stdout and stderr by write(2), so a closed pipe is an answer, not a
/// crash: SIGPIPE is ignored, and when the reader of stdout goes away
/// (`snap cat ID users | head`) further output is dropped and the command
/// ends quietly with status 141, as a tool killed by SIGPIPE would, after
/// its usual cleanup.
enum StandardStreams {
    private static let state = NSLock()
    nonisolated(unsafe) private static var stdoutClosed = false

    static var isStdoutClosed: Bool {
        state.lock()
        defer { state.unlock() }
        return stdoutClosed
    }

    static func out(_ data: Data) {
        guard !isStdoutClosed else { return }
        if !write(STDOUT_FILENO, data) {
            state.lock()
            stdoutClosed = true
            state.unlock()
        }
    }

    /// stderr has no one left to tell when it fails, so a failure is dropped.
    static func err(_ data: Data) {
        _ = write(STDERR_FILENO, data)
    }

    /// False when the reader is gone (EPIPE) or the stream failed otherwise.
    private static func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard var p = raw.baseAddress else { return true }
            var left = raw.count
            while left > 0 {
                let n = Glibc.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                p += n
                left -= n
            }
            return true
        }
    }
}

/// SIGINT and SIGTERM: undo what `CleanupRegistry` holds (work folders,
/// temporary files, multipart uploads, locks), then exit 130 or 143. A
/// second signal during the cleanup exits at once.
enum Signals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let once = NSLock()
    nonisolated(unsafe) private static var installed = false

    static func install() {
        once.lock()
        defer { once.unlock() }
        guard !installed else { return }
        installed = true
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handle(sig) }
            source.resume()
            sources.append(source)
        }
    }

    private static func handle(_ sig: Int32) {
        let status = 128 + sig
        if CleanupRegistry.shared.interruption != nil { _exit(status) }
        let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
        StandardStreams.err(Data("snap: interrupted by \(name); cleaning up\n".utf8))
        Task.detached {
            await CleanupRegistry.shared.interrupt(by: sig) { what in StandardStreams.err(Data("snap: \(what)\n".utf8)) }
            exit(status)
        }
        // A cleanup stuck on the network must not keep the process alive forever.
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            StandardStreams.err(Data("snap: cleanup did not finish within 60 s; exiting\n".utf8))
            _exit(status)
        }
    }
}
