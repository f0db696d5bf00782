import CArchive
import Foundation

// The only file that touches libarchive. Swift state reaches the C callbacks
// through an Unmanaged opaque pointer to a context object that the wrapper
// keeps alive for as long as the archive handle exists. A Swift error thrown
// inside a callback cannot cross C frames, so it is parked in the context and
// rethrown in preference to libarchive's own (vaguer) message.

// archive_entry.h defines the AE_IF* file types as casts, which Swift does not
// import; these are the values it documents.
private enum FileType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let symlink: UInt32 = 0o120000
    static let socket: UInt32 = 0o140000
    static let characterDevice: UInt32 = 0o020000
    static let blockDevice: UInt32 = 0o060000
    static let directory: UInt32 = 0o040000
    static let fifo: UInt32 = 0o010000
}

private func libarchiveMessage(_ a: OpaquePointer) -> String {
    if let cString = archive_error_string(a) { return String(cString: cString) }
    return "libarchive error \(archive_errno(a))"
}

// MARK: - Writing

private final class WriteContext {
    let sink: (Data) throws -> Void
    var error: (any Error)?
    init(sink: @escaping (Data) throws -> Void) { self.sink = sink }
}

/// A pax tar writer whose raw output goes to `sink` (our zstd compressor).
final class LibArchiveWriter {
    private let path: String
    private let handle: OpaquePointer
    private let context: WriteContext
    private var closed = false

    init(path: String, sink: @escaping (Data) throws -> Void) throws {
        self.path = path
        guard let handle = archive_write_new() else {
            throw ArchiveError.writeFailed(path: path, message: "cannot allocate libarchive writer")
        }
        self.handle = handle
        context = WriteContext(sink: sink)
        try check(archive_write_set_format_pax(handle))
        // Compression happens outside libarchive; no filter here. Don't pad the
        // final record: it would only be compressed zeros.
        try check(archive_write_add_filter_none(handle))
        try check(archive_write_set_bytes_in_last_block(handle, 1))
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        try check(
            archive_write_open2(
                handle, opaque, nil,
                { _, client, buffer, length in
                    guard let client, let buffer else { return -1 }
                    let context = Unmanaged<WriteContext>.fromOpaque(client).takeUnretainedValue()
                    do {
                        try context.sink(Data(bytes: buffer, count: length))
                        return la_ssize_t(length)
                    } catch {
                        context.error = error
                        return -1
                    }
                }, nil, nil))
    }

    deinit {
        // Abandoned writer: free without emitting the end-of-archive marker
        // through a sink that may already be gone.
        if !closed { archive_write_fail(handle) }
        archive_write_free(handle)
    }

    /// Regular file, 0644, uid/gid 0, no owner names, whole-second mtime:
    /// nothing host- or time-of-run-specific, so output is reproducible.
    func writeHeader(name: String, size: Int64, modificationTime: Int64) throws {
        guard let entry = archive_entry_new() else {
            throw ArchiveError.writeFailed(path: path, message: "cannot allocate archive entry")
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, name)
        archive_entry_set_filetype(entry, FileType.regular)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        try check(archive_write_header(handle, entry))
    }

    func writeData(_ data: Data) throws {
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { raw in
                archive_write_data(handle, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 { try check(Int32(truncatingIfNeeded: written)) }
            if written == 0 {
                throw ArchiveError.writeFailed(path: path, message: "tar: wrote more than the member size")
            }
            offset += written
        }
    }

    func finishEntry() throws {
        try check(archive_write_finish_entry(handle))
    }

    /// Writes the end-of-archive marker and flushes everything to the sink.
    func close() throws {
        guard !closed else { return }
        closed = true
        try check(archive_write_close(handle))
    }

    private func check(_ status: Int32) throws {
        guard status != ARCHIVE_OK else { return }
        if let error = context.error {
            context.error = nil
            throw error
        }
        throw ArchiveError.writeFailed(path: path, message: "tar: \(libarchiveMessage(handle))")
    }
}

// MARK: - Reading

private final class ReadContext {
    /// Fills the buffer it is given with the next decompressed bytes; 0 at the end.
    let source: (UnsafeMutableRawBufferPointer) throws -> Int
    var error: (any Error)?
    // libarchive requires the returned block to stay valid until the next
    // callback: owned memory, which the decompressor writes straight into.
    let buffer: UnsafeMutableRawBufferPointer

    init(source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.source = source
        buffer = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func next() throws -> (UnsafeRawPointer, Int) {
        let count = try source(buffer)
        return (UnsafeRawPointer(buffer.baseAddress!), count)
    }
}

/// What libarchive says about one member header, before any safety policy.
struct LibArchiveEntry {
    enum Kind: Equatable {
        case regular
        case symbolicLink(String)
        case hardLink(String)
        case other(String)
    }

    var name: String?
    var kind: Kind
    var size: Int64?
}

/// A tar-only reader (no filters: decompression is ours) pulling bytes from
/// `source`, which writes decompressed tar data into the buffer it is
/// given and returns how much, 0 at its end.
final class LibArchiveReader {
    private let path: String
    private let handle: OpaquePointer
    private let context: ReadContext
    /// The unread rest of the block libarchive handed out last: a pointer
    /// into its read-ahead buffer, valid until the next call into libarchive.
    private var block: UnsafeRawPointer?
    private var blockRemaining = 0
    /// Where the next bytes of the current member start, and zeros still
    /// owed before them (a hole in a sparse member, which `archive_read_data` filled too).
    private var memberOffset: Int64 = 0
    private var holeRemaining: Int64 = 0

    init(path: String, source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        self.path = path
        guard let handle = archive_read_new() else {
            throw ArchiveError.io(path: path, operation: "read", reason: "cannot allocate libarchive reader")
        }
        self.handle = handle
        context = ReadContext(source: source)
        try check(archive_read_support_format_tar(handle))
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        try check(
            archive_read_open(
                handle, opaque, nil,
                { a, client, out in
                    guard let client, let out else { return -1 }
                    let context = Unmanaged<ReadContext>.fromOpaque(client).takeUnretainedValue()
                    do {
                        let (pointer, count) = try context.next()
                        out.pointee = pointer
                        return la_ssize_t(count)
                    } catch {
                        context.error = error
                        return la_ssize_t(ARCHIVE_FATAL)
                    }
                }, nil))
    }

    deinit {
        archive_read_free(handle)
    }

    /// The next header, or nil at the tar end-of-archive marker.
    func nextHeader() throws -> LibArchiveEntry? {
        block = nil
        blockRemaining = 0
        memberOffset = 0
        holeRemaining = 0
        var entryPointer: OpaquePointer?
        let status = archive_read_next_header(handle, &entryPointer)
        if status == ARCHIVE_EOF { return nil }
        try check(status)
        guard let entry = entryPointer else {
            throw ArchiveError.corrupt(path: path, layer: .tar, message: "missing entry header")
        }
        var name: String?
        if let raw = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry) {
            name = String(cString: raw)
        }
        let kind: LibArchiveEntry.Kind
        if let target = archive_entry_hardlink(entry) {
            kind = .hardLink(String(cString: target))
        } else if let target = archive_entry_symlink(entry) {
            kind = .symbolicLink(String(cString: target))
        } else {
            switch UInt32(archive_entry_filetype(entry)) & FileType.mask {
            case FileType.regular: kind = .regular
            case FileType.symlink: kind = .symbolicLink("")
            case FileType.directory: kind = .other("directory")
            case FileType.characterDevice: kind = .other("character device")
            case FileType.blockDevice: kind = .other("block device")
            case FileType.fifo: kind = .other("fifo")
            case FileType.socket: kind = .other("socket")
            default: kind = .other("unknown type")
            }
        }
        let size: Int64? = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil
        return LibArchiveEntry(name: name, kind: kind, size: size)
    }

    /// Up to `maxBytes` of the current member; empty at the member's end.
    /// Taken where libarchive holds it (`archive_read_data_block`: no copy
    /// into a scratch buffer first) and copied once into a Data of the exact
    /// size: no zero-filling, and a chunk holds no unused capacity while it
    /// waits in a queue.
    func readData(maxBytes: Int) throws -> Data {
        try readBlock(maxBytes: maxBytes, zeros: { Data(count: $0) }, copy: { Data(bytes: $0.baseAddress!, count: $0.count) })
    }

    /// As `readData`, into an array: the join's chunks, whose `span` costs
    /// less per line than a Data's.
    func readBytes(maxBytes: Int) throws -> [UInt8] {
        try readBlock(maxBytes: maxBytes, zeros: { [UInt8](repeating: 0, count: $0) }, copy: { Array($0) })
    }

    private func readBlock<T>(maxBytes: Int, zeros: (Int) -> T, copy: (UnsafeRawBufferPointer) -> T) throws -> T {
        let want = max(1, maxBytes)
        while blockRemaining == 0 && holeRemaining == 0 {
            var pointer: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(handle, &pointer, &size, &offset)
            if status == ARCHIVE_EOF {
                // The end names the member's size: a sparse member may end in a hole.
                guard offset > memberOffset else { return zeros(0) }
                holeRemaining = offset - memberOffset
                blockRemaining = 0
                block = nil
                break
            }
            try check(status)
            if offset < memberOffset {
                throw ArchiveError.corrupt(path: path, layer: .tar, message: "member data goes backwards (offset \(offset))")
            }
            holeRemaining = offset - memberOffset
            block = pointer
            blockRemaining = pointer == nil ? 0 : size
        }
        if holeRemaining > 0 {
            let count = Int(min(Int64(want), holeRemaining))
            holeRemaining -= Int64(count)
            memberOffset += Int64(count)
            return zeros(count)
        }
        let count = min(want, blockRemaining)
        let data = copy(UnsafeRawBufferPointer(start: block!, count: count))
        block = block! + count
        blockRemaining -= count
        memberOffset += Int64(count)
        return data
    }

    private func check(_ status: Int32) throws {
        guard status != ARCHIVE_OK else { return }
        if let error = context.error {
            context.error = nil
            throw error
        }
        let message = libarchiveMessage(handle)
        if message.localizedCaseInsensitiveContains("truncated") {
            throw ArchiveError.truncated(path: path, detail: "tar: \(message)")
        }
        throw ArchiveError.corrupt(path: path, layer: .tar, message: message)
    }
}
