import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Identity of a finished archive file: what stores compare and verify.
public struct ArchiveDigest: Sendable, Equatable {
    /// Lower-case hex SHA-256 of the compressed file bytes.
    public var sha256: String
    /// Size of the compressed file.
    public var bytes: Int64

    public init(sha256: String, bytes: Int64) {
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// The end of the pipeline: compressor output, hashed and written to the file.
/// Kept separate from `ArchiveWriter` so the libarchive callback can hold it
/// without a reference cycle back to the writer.
private final class CompressedOutput {
    let path: String
    let file: FileHandle
    let compressor: ZstdCompressor
    var hasher = SHA256()
    var bytes: Int64 = 0

    init(path: String, file: FileHandle, compressor: ZstdCompressor) {
        self.path = path
        self.file = file
        self.compressor = compressor
    }

    func write(_ data: Data) throws {
        hasher.update(data: data)
        bytes += Int64(data.count)
        do {
            try file.write(contentsOf: data)
        } catch  where WriteFailure.isNoSpace(error) {
            throw WriteFailure.error(error, path: path, writing: "the snapshot archive")
        } catch {
            throw ArchiveError.io(path: path, operation: "write", reason: error.localizedDescription)
        }
    }

    func compress(_ tarBytes: Data) throws {
        do {
            try compressor.compress(tarBytes, sink: write)
        } catch let error as ZstdError {
            throw error.archiveError(path: path)
        }
    }

    func finish() throws {
        do {
            try compressor.finish(sink: write)
        } catch let error as ZstdError {
            throw error.archiveError(path: path)
        }
    }
}

/// Writes a snapshot archive: pax tar, zstd-compressed with content checksum.
/// Identical members, names, order, level and `modificationTime` produce a
/// byte-identical file.
///
/// Single owner: not thread-safe, not Sendable.
public final class ArchiveWriter {
    public let path: String
    private let modificationTime: Int64
    private let output: CompressedOutput
    private let tar: LibArchiveWriter
    private var finished = false
    private static let chunkSize = 64 * 1024

    /// Creates or truncates `path` (mode 0600: snapshots hold user data).
    public init(path: String, level: Int32 = 3, modificationTime: Date) throws {
        self.path = path
        self.modificationTime = Int64(modificationTime.timeIntervalSince1970.rounded(.down))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ArchiveError.io(path: path, operation: "create", reason: ArchiveError.errnoText(errno))
        }
        // O_CREAT's mode does not apply to a file that already existed.
        if fchmod(fd, 0o600) != 0 {
            let code = errno
            close(fd)
            throw ArchiveError.io(path: path, operation: "set permissions of", reason: ArchiveError.errnoText(code))
        }
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let compressor: ZstdCompressor
        do {
            compressor = try ZstdCompressor(level: level)
        } catch {
            throw error.archiveError(path: path)
        }
        let output = CompressedOutput(path: path, file: file, compressor: compressor)
        self.output = output
        tar = try LibArchiveWriter(path: path, sink: output.compress)
    }

    /// Streams a file into the archive in 64 KiB chunks. The size in the
    /// header comes from stat, so the file must not change while being added.
    public func addFile(name: String, from filePath: String) throws {
        try checkUsable(name: name)
        let input: FileHandle
        do {
            input = try FileHandle(forReadingFrom: URL(fileURLWithPath: filePath))
        } catch {
            throw ArchiveError.io(path: filePath, operation: "open", reason: error.localizedDescription)
        }
        defer { try? input.close() }
        var info = stat()
        guard fstat(input.fileDescriptor, &info) == 0 else {
            throw ArchiveError.io(path: filePath, operation: "stat", reason: ArchiveError.errnoText(errno))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ArchiveError.io(path: filePath, operation: "archive", reason: "not a regular file")
        }
        let size = Int64(info.st_size)
        try tar.writeHeader(name: name, size: size, modificationTime: modificationTime)
        var written: Int64 = 0
        while true {
            let chunk: Data?
            do {
                chunk = try input.read(upToCount: Self.chunkSize)
            } catch {
                throw ArchiveError.io(path: filePath, operation: "read", reason: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            written += Int64(chunk.count)
            // libarchive would silently cut or zero-pad; a changing file
            // must fail instead of producing a plausible but wrong member.
            guard written <= size else { break }
            try tar.writeData(chunk)
        }
        guard written == size else {
            throw ArchiveError.writeFailed(
                path: path,
                message: "\(filePath) changed size while being archived as \"\(name)\" "
                    + "(stat said \(size) bytes, read \(written > size ? "more" : "\(written)"))")
        }
        try tar.finishEntry()
    }

    public func addData(name: String, _ data: Data) throws {
        try checkUsable(name: name)
        try tar.writeHeader(name: name, size: Int64(data.count), modificationTime: modificationTime)
        var offset = data.startIndex
        while offset < data.endIndex {
            let end = min(offset + Self.chunkSize, data.endIndex)
            try tar.writeData(data[offset..<end])
            offset = end
        }
        try tar.finishEntry()
    }

    /// Ends the tar and zstd streams, flushes and fsyncs the file.
    public func finish() throws -> ArchiveDigest {
        guard !finished else {
            throw ArchiveError.invalidUse(path: path, message: "finish() called twice")
        }
        finished = true
        try tar.close()
        try output.finish()
        do {
            try output.file.synchronize()
            try output.file.close()
        } catch {
            throw ArchiveError.io(path: path, operation: "flush", reason: error.localizedDescription)
        }
        return ArchiveDigest(sha256: lowerHex(output.hasher.finalize()), bytes: output.bytes)
    }

    private func checkUsable(name: String) throws {
        guard !finished else {
            throw ArchiveError.invalidUse(path: path, message: "member \"\(name)\" added after finish()")
        }
        if let reason = ArchiveNames.unsafeReason(name) {
            throw ArchiveError.unsafeEntry(path: path, name: name, reason: reason)
        }
    }
}

@available(*, unavailable)
extension ArchiveWriter: Sendable {}

/// The member-name policy shared by writer and reader: flat names only.
enum ArchiveNames {
    static func unsafeReason(_ name: String) -> ArchiveError.UnsafeEntryReason? {
        if name.isEmpty { return .emptyName }
        if name.hasPrefix("/") { return .absolutePath }
        if name.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return .parentDirectory
        }
        if name.contains("/") || name == "." { return .nestedPath }
        return nil
    }
}

func lowerHex(_ digest: SHA256.Digest) -> String {
    digest.map { byte in
        let digits = String(byte, radix: 16)
        return byte < 16 ? "0" + digits : digits
    }.joined()
}
