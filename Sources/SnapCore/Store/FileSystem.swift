import Foundation

/// Durable local file operations: temp name, fsync, rename, fsync folder.
enum FileSystem {
    static func makeFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw SnapError.io(path: path, reason: "exists and is not a folder") }
            return
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw SnapError.io(path: path, reason: "cannot create the folder: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes a scratch folder (sort runs and the like) early, to give its
    /// space back. It lies inside a work folder that is removed whole when the
    /// command ends, and nothing is read from it again, so a removal that
    /// fails here loses nothing.
    static func removeScratch(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)  // see above: the work folder's removal takes it
    }

    static func tempName(for path: String) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        return "\(path[..<slash]).\(path[slash...]).tmp-\(String(format: "%08x", UInt32.random(in: 0...UInt32.max)))"
    }

    /// Runs `body` with a fresh temporary name beside `path`, registered with
    /// the signal handler so an interrupted write leaves no temporary file.
    static func withTemporary<T>(for path: String, _ body: (String) throws -> T) rethrows -> T {
        let tmp = tempName(for: path)
        let token = CleanupRegistry.shared.register("removing \(tmp)") { unlink(tmp) }
        defer { CleanupRegistry.shared.unregister(token) }
        return try body(tmp)
    }

    static func atomicWrite(_ data: Data, to path: String) throws {
        try withTemporary(for: path) { tmp in try atomicWrite(data, to: path, via: tmp) }
    }

    private static func atomicWrite(_ data: Data, to path: String, via tmp: String) throws {
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SnapError.io(path: tmp, reason: String(cString: strerror(errno))) }
        var ok = true
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        if ok { ok = fsync(fd) == 0 }
        let err = String(cString: strerror(errno))
        close(fd)
        guard ok else {
            unlink(tmp)
            throw SnapError.io(path: path, reason: "write failed: \(err)")
        }
        try commit(tmp, to: path)
    }

    static func atomicCopy(from source: String, to path: String) throws {
        try withTemporary(for: path) { tmp in
            do {
                try copy(from: source, to: tmp, exclusive: true)
            } catch {
                unlink(tmp)
                throw error
            }
            try commit(tmp, to: path)
        }
    }

    /// Streams `source` into a new file (0600) and fsyncs it.
    static func copy(from source: String, to path: String, exclusive: Bool = false) throws {
        let input = open(source, O_RDONLY)
        guard input >= 0 else { throw SnapError.io(path: source, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(path, O_WRONLY | O_CREAT | O_TRUNC | (exclusive ? O_EXCL : 0), 0o600)
        guard output >= 0 else { throw SnapError.io(path: path, reason: "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if n < 0 { throw SnapError.io(path: source, reason: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + off, n - off) }
                if w <= 0 { throw SnapError.io(path: path, reason: "write failed: \(String(cString: strerror(errno)))") }
                off += w
            }
        }
        guard fsync(output) == 0 else { throw SnapError.io(path: path, reason: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    /// Once an interruption has begun, nothing new becomes visible.
    private static func commit(_ tmp: String, to path: String) throws {
        do {
            try CleanupRegistry.shared.checkNotInterrupted()
        } catch {
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let err = String(cString: strerror(errno))
            unlink(tmp)
            throw SnapError.io(path: path, reason: "rename failed: \(err)")
        }
        syncFolder(path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ".")
    }

    /// Makes a rename or unlink in `dir` durable.
    static func syncFolder(_ dir: String) {
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// A pipe, both ends closed on exec: a download writes into `write` while
    /// a reader takes `read` (`ArchiveStream`).
    static func makePipe(for what: String) throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw SnapError.io(
                path: what, reason: "cannot make a pipe: \(String(cString: strerror(errno))); too many open files? raise `ulimit -n`")
        }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    /// Closes a descriptor this process owns (a pipe end never handed on).
    static func closeDescriptor(_ fd: Int32) {
        if fd >= 0 { close(fd) }
    }
}
