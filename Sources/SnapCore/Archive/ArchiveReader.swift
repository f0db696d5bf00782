import Crypto
import Foundation

/// Guards against hostile or damaged archives.
public struct ArchiveLimits: Sendable, Equatable {
    public var maxEntries: Int
    public var maxMemberBytes: Int64
    public var maxTotalBytes: Int64

    public init(
        maxEntries: Int = 16,
        maxMemberBytes: Int64 = 64 << 30,
        maxTotalBytes: Int64 = 256 << 30
    ) {
        self.maxEntries = maxEntries
        self.maxMemberBytes = maxMemberBytes
        self.maxTotalBytes = maxTotalBytes
    }

    public static let `default` = ArchiveLimits()
}

public struct ArchiveEntryInfo: Sendable, Equatable {
    public var name: String
    public var size: Int64

    public init(name: String, size: Int64) {
        self.name = name
        self.size = size
    }
}

/// Hashes and counts the raw file bytes on their way into the decompressor,
/// so the digest of what was verified comes for free.
private final class CompressedInput {
    let path: String
    let file: FileHandle
    var hasher = SHA256()
    var bytes: Int64 = 0

    init(path: String, file: FileHandle) {
        self.path = path
        self.file = file
    }

    func read() throws -> Data? {
        let chunk: Data?
        do {
            chunk = try file.read(upToCount: 128 * 1024)
        } catch {
            throw ArchiveError.io(path: path, operation: "read", reason: error.localizedDescription)
        }
        guard let chunk, !chunk.isEmpty else { return nil }
        hasher.update(data: chunk)
        bytes += Int64(chunk.count)
        return chunk
    }
}

/// Decompressed bytes on their way into libarchive, counted against the total
/// limit. Header sizes alone can lie (or hide padding), so the guard must sit
/// on the decompressed stream itself.
private final class DecompressedStream {
    let path: String
    let decompressor: ZstdDecompressor
    let limit: Int64
    let reportedLimit: Int64
    var bytes: Int64 = 0

    init(path: String, decompressor: ZstdDecompressor, limits: ArchiveLimits) {
        self.path = path
        self.decompressor = decompressor
        reportedLimit = limits.maxTotalBytes
        // Tar framing (headers, pax records, padding, end marker) comes on top
        // of member bytes; allow a generous but bounded margin for it.
        let overhead = Int64(max(limits.maxEntries, 0) + 2) * 64 * 1024
        let (sum, overflow) = limits.maxTotalBytes.addingReportingOverflow(overhead)
        limit = overflow ? Int64.max : sum
    }

    func read() throws -> Data? {
        let chunk: Data?
        do {
            chunk = try decompressor.read()
        } catch let error as ZstdError {
            throw error.archiveError(path: path)
        }
        guard let chunk else { return nil }
        try count(chunk.count)
        return chunk
    }

    /// Decompresses into libarchive's input buffer, handed through from
    /// `LibArchiveReader` (no copy between the two); 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let produced: Int
        do {
            produced = try decompressor.read(into: buffer)
        } catch let error as ZstdError {
            throw error.archiveError(path: path)
        }
        try count(produced)
        return produced
    }

    private func count(_ produced: Int) throws {
        bytes += Int64(produced)
        if bytes > limit {
            throw ArchiveError.tooLarge(path: path, scope: .total, limit: reportedLimit)
        }
    }
}

/// Reads a snapshot archive member by member, streaming, without extracting
/// anything to disk. Every member must be a flat-named regular file.
///
/// Single owner: not thread-safe, not Sendable. After any error the reader
/// is unusable and rethrows that error.
public final class ArchiveReader {
    public let path: String
    public let limits: ArchiveLimits
    private let input: CompressedInput
    private let stream: DecompressedStream
    private let tar: LibArchiveReader
    private var failure: (any Error)?
    private var current: ArchiveEntryInfo?
    private var currentRemaining: Int64 = 0
    private var entryCount = 0
    private var declaredTotal: Int64 = 0
    private var ended = false

    public convenience init(path: String, limits: ArchiveLimits = .default) throws {
        let file: FileHandle
        do {
            file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw ArchiveError.io(path: path, operation: "open", reason: error.localizedDescription)
        }
        try self.init(file: file, path: path, limits: limits)
    }

    /// Reads the archive from `descriptor` (a pipe's read end, fed by a
    /// download), which the reader owns from now on: it is closed when the
    /// reader goes, so a writer still writing gets EPIPE and stops. `name`
    /// stands for the path in messages.
    public convenience init(descriptor: Int32, name: String, limits: ArchiveLimits = .default) throws {
        try self.init(file: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true), path: name, limits: limits)
    }

    private init(file: FileHandle, path: String, limits: ArchiveLimits) throws {
        self.path = path
        self.limits = limits
        let input = CompressedInput(path: path, file: file)
        self.input = input
        let decompressor: ZstdDecompressor
        do {
            decompressor = try ZstdDecompressor(source: input.read)
        } catch {
            throw error.archiveError(path: path)
        }
        let stream = DecompressedStream(path: path, decompressor: decompressor, limits: limits)
        self.stream = stream
        tar = try LibArchiveReader(path: path, source: stream.read(into:))
    }

    /// Hex SHA-256 of the compressed bytes read so far; the whole file's once
    /// `nextEntry()` has returned nil.
    public var compressedSHA256: String {
        lowerHex(input.hasher.finalize())
    }

    /// Compressed bytes read so far; the file size once `nextEntry()` returned nil.
    public var compressedBytes: Int64 { input.bytes }

    /// Advances to the next member (skipping unread data of the current one).
    /// Returns nil only after the tar end marker AND a clean, checksum-verified
    /// end of the zstd stream with nothing after it.
    public func nextEntry() throws -> ArchiveEntryInfo? {
        try guarded {
            if ended { return nil }
            current = nil
            guard let header = try tar.nextHeader() else {
                try drain()
                ended = true
                return nil
            }
            entryCount += 1
            if entryCount > limits.maxEntries {
                throw ArchiveError.tooManyEntries(path: path, limit: limits.maxEntries)
            }
            let info = try validate(header)
            current = info
            currentRemaining = info.size
            return info
        }
    }

    /// The current member's next chunk of at most `maxBytes`; nil at its end.
    public func read(maxBytes: Int = 65536) throws -> Data? {
        try next { try tar.readData(maxBytes: maxBytes) }
    }

    /// As `read`, as an array of bytes.
    public func readBytes(maxBytes: Int = 65536) throws -> [UInt8]? {
        try next { try tar.readBytes(maxBytes: maxBytes) }
    }

    private func next<C: Collection>(_ take: () throws -> C) throws -> C? {
        try guarded {
            guard let current else {
                throw ArchiveError.invalidUse(path: path, message: "read() without a current member")
            }
            if currentRemaining == 0 { return nil }
            let data = try take()
            if data.isEmpty {
                throw ArchiveError.truncated(
                    path: path, detail: "member \"\(current.name)\" ends \(currentRemaining) bytes early")
            }
            currentRemaining -= Int64(data.count)
            return data
        }
    }

    /// Whatever follows the tar end marker (record padding) is still part of
    /// the zstd stream; reading it to the end is what verifies the checksum
    /// and rejects trailing garbage.
    private func drain() throws {
        while try stream.read() != nil {}
    }

    private func validate(_ header: LibArchiveEntry) throws -> ArchiveEntryInfo {
        guard let name = header.name else {
            throw ArchiveError.corrupt(path: path, layer: .tar, message: "member \(entryCount) has an unreadable name")
        }
        let unsafe = { (reason: ArchiveError.UnsafeEntryReason) in
            ArchiveError.unsafeEntry(path: self.path, name: name, reason: reason)
        }
        if name.isEmpty { throw unsafe(.emptyName) }
        if name.hasPrefix("/") { throw unsafe(.absolutePath) }
        if let reason = ArchiveNames.unsafeReason(name), reason == .parentDirectory { throw unsafe(reason) }
        switch header.kind {
        case .regular: break
        case .symbolicLink(let target): throw unsafe(.symbolicLink(target: target))
        case .hardLink(let target): throw unsafe(.hardLink(target: target))
        case .other(let kind): throw unsafe(.notRegularFile(kind: kind))
        }
        if let reason = ArchiveNames.unsafeReason(name) { throw unsafe(reason) }
        guard let size = header.size, size >= 0 else {
            throw ArchiveError.corrupt(path: path, layer: .tar, message: "member \"\(name)\" has no valid size")
        }
        if size > limits.maxMemberBytes {
            throw ArchiveError.tooLarge(path: path, scope: .member(name), limit: limits.maxMemberBytes)
        }
        declaredTotal += size
        if declaredTotal > limits.maxTotalBytes {
            throw ArchiveError.tooLarge(path: path, scope: .total, limit: limits.maxTotalBytes)
        }
        return ArchiveEntryInfo(name: name, size: size)
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        if let failure { throw failure }
        do {
            return try body()
        } catch {
            failure = error
            throw error
        }
    }
}

@available(*, unavailable)
extension ArchiveReader: Sendable {}
