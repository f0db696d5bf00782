import CZstd
import Foundation

/// Failures of the zstd layer, without archive context; the reader and writer
/// turn them into `ArchiveError` via `archiveError(path:)`.
enum ZstdError: Error, Equatable {
    case truncated(String)
    case checksumMismatch
    case notZstd
    case corrupt(String)
    case failed(String)

    func archiveError(path: String) -> ArchiveError {
        switch self {
        case .truncated(let detail): return .truncated(path: path, detail: detail)
        case .checksumMismatch: return .checksumMismatch(path: path)
        case .notZstd: return .notZstd(path: path)
        case .corrupt(let message): return .corrupt(path: path, layer: .zstd, message: message)
        case .failed(let message): return .writeFailed(path: path, message: "zstd: \(message)")
        }
    }
}

private func zstdErrorName(_ code: Int) -> String {
    String(cString: ZSTD_getErrorName(code))
}

/// Streaming zstd compression with the content checksum always on: libarchive's
/// own zstd filter cannot enable it, and the checksum is what lets a reader
/// (and `zstd -t`) prove the archive was not altered.
///
/// Output is held back until the internal buffer (ZSTD_CStreamOutSize, ~128 KiB)
/// is full, so the sink sees few, large writes.
final class ZstdCompressor {
    private let cctx: OpaquePointer
    private let outCapacity: Int
    private let outBuffer: UnsafeMutableRawPointer
    private var outPos = 0
    private var finished = false

    init(level: Int32) throws(ZstdError) {
        guard let cctx = ZSTD_createCCtx() else { throw .failed("cannot allocate compression context") }
        self.cctx = cctx
        outCapacity = ZSTD_CStreamOutSize()
        outBuffer = .allocate(byteCount: outCapacity, alignment: 16)
        // Single-threaded on purpose (no nbWorkers): identical inputs must give
        // byte-identical archives.
        for (param, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
            let rc = ZSTD_CCtx_setParameter(cctx, param, value)
            if ZSTD_isError(rc) != 0 {
                ZSTD_freeCCtx(cctx)
                outBuffer.deallocate()
                throw .failed("cannot set parameter (level \(level)): \(zstdErrorName(rc))")
            }
        }
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        outBuffer.deallocate()
    }

    func compress(_ chunk: Data, sink: (Data) throws -> Void) throws {
        guard !finished else { throw ZstdError.failed("compress after finish") }
        try chunk.withUnsafeBytes { raw in
            var input = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
            while input.pos < input.size {
                try step(&input, ZSTD_e_continue, sink: sink)
            }
        }
    }

    /// Ends the frame (writing the checksum) and hands out everything buffered.
    func finish(sink: (Data) throws -> Void) throws {
        guard !finished else { return }
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end, sink: sink) != 0 {}
        if outPos > 0 { try flush(sink) }
        finished = true
    }

    @discardableResult
    private func step(
        _ input: inout ZSTD_inBuffer, _ mode: ZSTD_EndDirective, sink: (Data) throws -> Void
    ) throws -> Int {
        var output = ZSTD_outBuffer(dst: outBuffer, size: outCapacity, pos: outPos)
        let remaining = ZSTD_compressStream2(cctx, &output, &input, mode)
        outPos = output.pos
        if ZSTD_isError(remaining) != 0 {
            throw ZstdError.failed(zstdErrorName(remaining))
        }
        if outPos == outCapacity { try flush(sink) }
        return remaining
    }

    private func flush(_ sink: (Data) throws -> Void) throws {
        let data = Data(bytes: outBuffer, count: outPos)
        outPos = 0
        try sink(data)
    }
}

/// Pull-based streaming zstd decompression over a source of compressed
/// chunks. Handles concatenated (and skippable) frames, and only reports a
/// clean end when the source is exhausted exactly at a frame boundary — so a
/// cut file is `truncated`, not silently short.
///
/// The window size stays capped at libzstd's default (2^27) so a hostile frame
/// header cannot make us allocate gigabytes.
final class ZstdDecompressor {
    private let dctx: OpaquePointer
    private let source: () throws -> Data?
    private let outCapacity: Int
    private let outBuffer: UnsafeMutableRawPointer
    private var input = Data()
    private var inputPos = 0
    private var sourceEnded = false
    private var ended = false
    /// The last ZSTD_decompressStream call returned 0: a frame is complete
    /// and fully flushed, so the source may end here.
    private var atFrameBoundary = false
    private var sawFrameEnd = false
    private var consumedAny = false
    /// The decoder may hold more output than fit; it must be drained before
    /// more input is fed.
    private var outputWasFull = false

    init(source: @escaping () throws -> Data?) throws(ZstdError) {
        guard let dctx = ZSTD_createDCtx() else { throw .failed("cannot allocate decompression context") }
        self.dctx = dctx
        self.source = source
        outCapacity = ZSTD_DStreamOutSize()
        outBuffer = .allocate(byteCount: outCapacity, alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        outBuffer.deallocate()
    }

    /// Next decompressed bytes, or nil once the stream ended cleanly
    /// (every frame complete and checksum-verified by libzstd).
    func read() throws -> Data? {
        let produced = try read(into: UnsafeMutableRawBufferPointer(start: outBuffer, count: outCapacity))
        return produced > 0 ? Data(bytes: outBuffer, count: produced) : nil
    }

    /// Decompresses straight into `buffer` (no copy on the way): the number
    /// of bytes written, 0 once the stream ended cleanly.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while !ended {
            if inputPos == input.count && !outputWasFull && !sourceEnded {
                if let next = try source() {
                    input = next
                    inputPos = 0
                    if next.isEmpty { continue }
                } else {
                    sourceEnded = true
                }
            }
            if inputPos == input.count && !outputWasFull && sourceEnded {
                if !consumedAny { throw ZstdError.truncated("the file is empty") }
                if !atFrameBoundary {
                    throw ZstdError.truncated("zstd frame ends early")
                }
                ended = true
                return 0
            }
            let produced = try step(into: buffer)
            if produced > 0 { return produced }
        }
        return 0
    }

    private func step(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let startPos = inputPos
        var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        let hint: Int = input.withUnsafeBytes { raw in
            var inBuf = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: inputPos)
            let hint = ZSTD_decompressStream(dctx, &output, &inBuf)
            inputPos = inBuf.pos
            return hint
        }
        if ZSTD_isError(hint) != 0 {
            let code = ZSTD_getErrorCode(hint)
            if code == ZSTD_error_checksum_wrong { throw ZstdError.checksumMismatch }
            if code == ZSTD_error_prefix_unknown {
                if !sawFrameEnd { throw ZstdError.notZstd }
                throw ZstdError.corrupt("unexpected data after the end of the last zstd frame")
            }
            throw ZstdError.corrupt(zstdErrorName(hint))
        }
        if inputPos > startPos { consumedAny = true }
        atFrameBoundary = hint == 0
        if atFrameBoundary { sawFrameEnd = true }
        outputWasFull = output.pos == output.size
        return output.pos
    }
}
