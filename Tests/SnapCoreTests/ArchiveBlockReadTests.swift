import Foundation
import Testing

@testable import SnapCore

/// The reader takes member data where libarchive holds it, in pieces of any
/// size across its blocks, as arrays or as Data alike, and a sparse member
/// (another writer's) still reads whole, its holes as zeros.
@Suite struct ArchiveBlockReadTests {
    /// Every member of `path`, read in pieces of `size` bytes.
    func members(_ path: String, size: Int, asBytes: Bool) throws -> [String: [UInt8]] {
        let reader = try ArchiveReader(path: path)
        var out: [String: [UInt8]] = [:]
        while let entry = try reader.nextEntry() {
            var bytes: [UInt8] = []
            if asBytes {
                while let chunk = try reader.readBytes(maxBytes: size) {
                    #expect(chunk.count <= size)
                    bytes += chunk
                }
            } else {
                while let chunk = try reader.read(maxBytes: size) {
                    #expect(chunk.count <= size)
                    bytes += chunk
                }
            }
            out[entry.name] = bytes
        }
        return out
    }

    @Test func piecesOfAnySizeAcrossBlocksComeOutWhole() throws {
        let dir = try TempDir()
        var rng = JSONLineScannerTests.Seeded(state: 7)
        let big = (0..<700_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let small = Array("x\n".utf8)
        let path = dir.file("a.tar.zst")
        let w = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        try w.addData(name: "big", Data(big))
        try w.addData(name: "small", Data(small))
        _ = try w.finish()
        for size in [1 << 18, 100_003, 4096] {
            for asBytes in [true, false] {
                let got = try members(path, size: size, asBytes: asBytes)
                #expect(got["big"] == big && got["small"] == small, "pieces of \(size), arrays \(asBytes)")
            }
        }
    }

    @Test func aSparseMemberReadsWithItsHolesAsZeros() throws {
        let dir = try TempDir()
        // 3 MB with data only at 1 MB and at the end: GNU tar stores the holes as a sparse map.
        try archiveShell(
            "truncate -s 3000000 s && printf 'middle' | dd of=s bs=1 seek=1000000 conv=notrunc 2>/dev/null"
                + " && printf 'end' | dd of=s bs=1 seek=2999997 conv=notrunc 2>/dev/null"
                + " && tar --format=pax --sparse -cf - s | zstd -q --check -o sparse.tar.zst",
            in: dir.path)
        var want = [UInt8](repeating: 0, count: 3_000_000)
        want.replaceSubrange(1_000_000..<1_000_006, with: Array("middle".utf8))
        want.replaceSubrange(2_999_997..<3_000_000, with: Array("end".utf8))
        for size in [1 << 18, 65536, 999] {
            #expect(try members(dir.file("sparse.tar.zst"), size: size, asBytes: true)["s"] == want, "pieces of \(size)")
        }
        // A hole at the end too: libarchive ends the member with an empty block at its size.
        try archiveShell(
            "truncate -s 2000000 t && printf 'data' | dd of=t bs=1 seek=500000 conv=notrunc 2>/dev/null"
                + " && tar --format=pax --sparse -cf - t | zstd -q --check -o tail.tar.zst",
            in: dir.path)
        var tail = [UInt8](repeating: 0, count: 2_000_000)
        tail.replaceSubrange(500_000..<500_004, with: Array("data".utf8))
        #expect(try members(dir.file("tail.tar.zst"), size: 1 << 18, asBytes: false)["t"] == tail)
    }
}
