import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SHA-256 (and MD5 for DeleteObjects) of files and file ranges, read in
/// chunks so a multi-gigabyte archive never sits in memory.
enum S3Checksum {
    static let chunk = 1 << 20

    /// The SHA-256 of `length` bytes of `file` from `offset` (nil: to the end).
    /// When `copyTo` is given, those bytes are also written to that new file
    /// (created 0600, exclusively), so a part can be sent as a whole file.
    static func sha256(file: String, offset: Int64 = 0, length: Int64? = nil, copyTo: String? = nil) throws(HTTPError) -> Data {
        guard let input = FileHandle(forReadingAtPath: file) else {
            throw .file(path: file, reason: String(cString: strerror(errno)))
        }
        defer { try? input.close() }
        var output: FileHandle?
        if let copyTo {
            // 0600: a part of a backup is as secret as the backup.
            let fd = open(copyTo, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .file(path: copyTo, reason: String(cString: strerror(errno))) }
            output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        defer { try? output?.close() }
        var hasher = SHA256()
        do {
            try input.seek(toOffset: UInt64(offset))
            var remaining = length ?? Int64.max
            while remaining > 0 {
                let want = Int(min(Int64(chunk), remaining))
                guard let data = try input.read(upToCount: want), !data.isEmpty else { break }
                hasher.update(data: data)
                try output?.write(contentsOf: data)
                remaining -= Int64(data.count)
            }
            if let length, remaining > 0 {
                throw HTTPError.file(path: file, reason: "ended \(remaining) bytes short of the \(length) expected")
            }
        } catch let e as HTTPError {
            throw e
        } catch {
            throw .file(path: copyTo ?? file, reason: "\(error)")
        }
        return Data(hasher.finalize())
    }

    static func hex(_ digest: Data) -> String {
        SigV4Hash.hex(digest)
    }

    /// Hex to bytes; nil unless it is 64 hex digits (a SHA-256).
    static func bytes(sha256Hex hex: String) -> Data? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = Data(capacity: 32)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Content-MD5's value: base64 of the MD5 (not a security use; S3 requires it for DeleteObjects).
    static func md5Base64(_ data: Data) -> String {
        Data(Insecure.MD5.hash(data: data)).base64EncodedString()
    }

    static func sha256(_ data: Data) -> Data { Data(SHA256.hash(data: data)) }

    /// The size of a regular file.
    static func size(of file: String) throws(HTTPError) -> Int64 {
        var st = stat()
        guard stat(file, &st) == 0 else { throw .file(path: file, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .file(path: file, reason: "not a regular file") }
        return Int64(st.st_size)
    }
}
