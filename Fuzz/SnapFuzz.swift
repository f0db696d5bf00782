// libFuzzer entry point (issue 11, item 3) over the two parsers that read
// untrusted bytes: the archive reader (zstd -> libarchive -> members) and
// the tree-free JSON line scanner, the latter checked against JSONParser,
// which it must agree with on every input. scripts/fuzz.sh builds and runs it.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where each input is written for `ArchiveReader`, which reads a file.
private let scratch: String = {
    let dir = ProcessInfo.processInfo.environment["SNAP_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
    return dir + "/snap-fuzz-\(getpid()).tar.zst"
}()

/// Small limits, so a decompression bomb is refused in milliseconds.
private let limits = ArchiveLimits(maxEntries: 16, maxMemberBytes: 1 << 20, maxTotalBytes: 4 << 20)

private func fuzzArchive(_ data: Data) {
    guard FileManager.default.createFile(atPath: scratch, contents: data) else { fatalError("cannot write \(scratch)") }
    guard let reader = try? ArchiveReader(path: scratch, limits: limits) else { return }
    var scanner = JSONLineScanner(first: "username")
    do {
        while let entry = try reader.nextEntry() {
            var pending: [UInt8] = []
            var total = 0
            while let chunk = try reader.read() {
                total += chunk.count
                pending += chunk
                // Lines of each member go through the scanner, as MemberCheck does.
                while let nl = pending.firstIndex(of: 0x0A) {
                    let line = Array(pending[..<nl])
                    pending.removeSubrange(...nl)
                    _ = try? scanner.scan(line.span)
                }
            }
            precondition(Int64(total) == entry.size, "member \(entry.name): read \(total) of \(entry.size) bytes without an error")
        }
        precondition(reader.compressedBytes == Int64(data.count), "a clean end before the input's end")
    } catch {
        _ = "\(error)"  // every error must describe itself without trapping
    }
}

/// The scanner accepts exactly what JSONParser accepts, and captures the same key.
private func fuzzLine(_ bytes: [UInt8]) {
    var scanner = JSONLineScanner(first: "username", second: "group")
    let scanned: Bool
    do {
        try scanner.scan(bytes.span)
        scanned = true
    } catch {
        _ = error.description
        scanned = false
    }
    let parsed = try? JSONParser.parse(bytes: bytes)
    if scanned != (parsed != nil) {
        fatalError("scanner \(scanned ? "accepts" : "refuses") what JSONParser \(parsed != nil ? "accepts" : "refuses"): \(bytes)")
    }
    if case .object(let members)? = parsed {
        let want: [UInt8]? = members["username"].flatMap { if case .string(let s) = $0 { Array(s.utf8) } else { nil } }
        if scanner.first != want { fatalError("captured \(String(describing: scanner.first)), JSONParser has \(String(describing: want))") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    // A zstd frame starts with 28 B5 2F FD; "TAR:" then bytes is a tar stream,
    // compressed here so mutations reach libarchive and the entry checks
    // rather than dying in zstd; anything else is taken as a JSON line.
    if count >= 4 && data.prefix(4) == Data([0x28, 0xB5, 0x2F, 0xFD]) {
        fuzzArchive(data)
    } else if count >= 4 && data.prefix(4) == Data("TAR:".utf8) {
        var compressed = Data()
        do {
            let z = try ZstdCompressor(level: 1)
            try z.compress(Data(data.dropFirst(4))) { compressed += $0 }
            try z.finish { compressed += $0 }
        } catch {
            fatalError("zstd cannot compress: \(error)")
        }
        fuzzArchive(compressed)
    } else {
        fuzzLine(Array(data))
    }
    return 0
}
