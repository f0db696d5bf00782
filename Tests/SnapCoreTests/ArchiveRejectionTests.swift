import Foundation
import Testing

@testable import SnapCore

/// Reads the whole archive and returns the error it fails with (nil if none).
private func readFailure(_ path: String, limits: ArchiveLimits = .default) -> ArchiveError? {
    do {
        _ = try readAllMembers(path, limits: limits)
        return nil
    } catch let error as ArchiveError {
        return error
    } catch {
        Issue.record("unexpected non-ArchiveError \(type(of: error)): \(error)")
        return nil
    }
}

private func unsafeEntryName(_ error: ArchiveError?) -> (String, ArchiveError.UnsafeEntryReason)? {
    guard case .unsafeEntry(_, let name, let reason)? = error else { return nil }
    return (name, reason)
}

@Suite("Archive rejection")
struct ArchiveRejectionTests {
    @Test func truncatedArchive() throws {
        let dir = try TempDir()
        let (path, _) = try writeSampleArchive(in: dir)
        let whole = try #require(FileManager.default.contents(atPath: path))
        for cut in [0, 1, 3, 4, 10, 100, whole.count / 2, whole.count - 5, whole.count - 4, whole.count - 1] {
            let cutPath = try dir.write("cut-\(cut).tar.zst", whole.prefix(cut))
            let error = readFailure(cutPath)
            switch error {
            case .truncated(let p, _)?, .corrupt(let p, _, _)?:
                #expect(p == cutPath)
                #expect("\(error!)".contains("use another store's copy"))
            default:
                Issue.record("cut at \(cut): expected truncated/corrupt, got \(String(describing: error))")
            }
        }
    }

    @Test func flippedByteInCompressedData() throws {
        let dir = try TempDir()
        let (path, _) = try writeSampleArchive(in: dir)
        let whole = try #require(FileManager.default.contents(atPath: path))
        for offset in [whole.count / 3, whole.count / 2, whole.count - 20, whole.count - 2] {
            var bytes = whole
            bytes[offset] ^= 0x40
            let bad = try dir.write("flip-\(offset).tar.zst", bytes)
            let error = readFailure(bad)
            switch error {
            case .checksumMismatch?, .corrupt?, .truncated?: break
            default: Issue.record("flip at \(offset): got \(String(describing: error))")
            }
        }
        // Damage confined to the stored checksum can only be the checksum.
        var bytes = whole
        bytes[whole.count - 1] ^= 0x01
        let bad = try dir.write("flip-checksum.tar.zst", bytes)
        #expect(readFailure(bad) == .checksumMismatch(path: bad))
        #expect("\(readFailure(bad)!)".contains("checksum"))
    }

    @Test func absolutePathMember() throws {
        let dir = try TempDir()
        try dir.write("f", "x\n")
        try archiveShell("tar --format=pax -P -cf - '\(dir.file("f"))' | zstd -q --check -o abs.tar.zst", in: dir.path)
        let got = unsafeEntryName(readFailure(dir.file("abs.tar.zst")))
        #expect(got?.0 == dir.file("f"))
        #expect(got?.1 == .absolutePath)
    }

    @Test func parentDirectoryMember() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        try dir.write("x", "x\n")
        try archiveShell("tar --format=pax -P -cf - -C sub ../x | zstd -q --check -o up.tar.zst", in: dir.path)
        let got = unsafeEntryName(readFailure(dir.file("up.tar.zst")))
        #expect(got?.0 == "../x")
        #expect(got?.1 == .parentDirectory)
    }

    @Test func nestedPathMember() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("a"), withIntermediateDirectories: true)
        try dir.write("a/b", "x\n")
        try archiveShell("tar --format=pax -cf - a/b | zstd -q --check -o nested.tar.zst", in: dir.path)
        let got = unsafeEntryName(readFailure(dir.file("nested.tar.zst")))
        #expect(got?.0 == "a/b")
        #expect(got?.1 == .nestedPath)
    }

    @Test func symlinkMember() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("d/link"), withDestinationPath: "/etc/passwd")
        try archiveShell("tar --format=pax -cf - -C d link | zstd -q --check -o sym.tar.zst", in: dir.path)
        let error = readFailure(dir.file("sym.tar.zst"))
        let got = unsafeEntryName(error)
        #expect(got?.0 == "link")
        #expect(got?.1 == .symbolicLink(target: "/etc/passwd"))
        #expect("\(error!)".contains("\"link\""))
    }

    @Test func hardlinkMember() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("d"), withIntermediateDirectories: true)
        try dir.write("d/f", "x\n")
        try FileManager.default.linkItem(atPath: dir.file("d/f"), toPath: dir.file("d/g"))
        try archiveShell("tar --format=pax -cf - -C d f g | zstd -q --check -o hard.tar.zst", in: dir.path)
        let got = unsafeEntryName(readFailure(dir.file("hard.tar.zst")))
        #expect(got?.0 == "g")
        #expect(got?.1 == .hardLink(target: "f"))
    }

    @Test func directoryMember() throws {
        let dir = try TempDir()
        try FileManager.default.createDirectory(atPath: dir.file("d/e"), withIntermediateDirectories: true)
        try archiveShell("tar --format=pax -cf - -C d e | zstd -q --check -o dir.tar.zst", in: dir.path)
        let got = unsafeEntryName(readFailure(dir.file("dir.tar.zst")))
        #expect(got?.0.hasPrefix("e") == true)
        #expect(got?.1 == .notRegularFile(kind: "directory"))
    }

    @Test func memberLargerThanLimit() throws {
        let dir = try TempDir()
        let path = dir.file("bomb.tar.zst")
        let writer = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        try writer.addData(name: "small", Data("ok".utf8))
        try writer.addData(name: "zeros", Data(count: 1_000_000))
        _ = try writer.finish()
        let limits = ArchiveLimits(maxEntries: 16, maxMemberBytes: 1000, maxTotalBytes: 1 << 30)
        #expect(readFailure(path, limits: limits) == .tooLarge(path: path, scope: .member("zeros"), limit: 1000))
        let total = ArchiveLimits(maxEntries: 16, maxMemberBytes: 1 << 30, maxTotalBytes: 500_000)
        #expect(readFailure(path, limits: total) == .tooLarge(path: path, scope: .total, limit: 500_000))
        #expect("\(readFailure(path, limits: limits)!)".contains("decompression bomb"))
    }

    @Test func decompressedStreamIsBoundedBeyondHeaders() throws {
        // Headers declare a tiny member, but 20 MB of zeros follow the tar end
        // marker inside the zstd frame: only a guard on the stream catches it.
        let dir = try TempDir()
        try dir.write("a", "tiny\n")
        try archiveShell(
            "(tar --format=pax -cf - a; head -c 20000000 /dev/zero) | zstd -q --check -o padded.tar.zst",
            in: dir.path)
        let path = dir.file("padded.tar.zst")
        let limits = ArchiveLimits(maxEntries: 2, maxMemberBytes: 1 << 20, maxTotalBytes: 1 << 20)
        #expect(readFailure(path, limits: limits) == .tooLarge(path: path, scope: .total, limit: 1 << 20))
        #expect(try readAllMembers(path).map(\.name) == ["a"])
    }

    @Test func tooManyEntries() throws {
        let dir = try TempDir()
        let path = dir.file("many.tar.zst")
        let writer = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        for i in 0..<5 { try writer.addData(name: "m\(i)", Data()) }
        _ = try writer.finish()
        let limits = ArchiveLimits(maxEntries: 4)
        #expect(readFailure(path, limits: limits) == .tooManyEntries(path: path, limit: 4))
        #expect(try readAllMembers(path, limits: ArchiveLimits(maxEntries: 5)).count == 5)
    }

    @Test func plainTarIsNotZstd() throws {
        let dir = try TempDir()
        try dir.write("a", "x\n")
        try archiveShell("tar --format=pax -cf plain.tar.zst a", in: dir.path)
        let path = dir.file("plain.tar.zst")
        #expect(readFailure(path) == .notZstd(path: path))
        #expect("\(readFailure(path)!)".contains("not a zstd-compressed"))
    }

    @Test func randomBytesAreNotZstd() throws {
        let dir = try TempDir()
        let path = try dir.write("random.tar.zst", pseudoRandomData(count: 5000, seed: 42))
        #expect(readFailure(path) == .notZstd(path: path))
    }

    @Test func emptyFile() throws {
        let dir = try TempDir()
        let path = try dir.write("empty.tar.zst", Data())
        guard case .truncated(let p, let detail)? = readFailure(path) else {
            Issue.record("expected truncated")
            return
        }
        #expect(p == path)
        #expect(detail.contains("empty"))
    }

    @Test func zstdOfNonTar() throws {
        let dir = try TempDir()
        try dir.write("text", String(repeating: "not a tar archive\n", count: 100))
        try archiveShell("zstd -q --check -o x.tar.zst text", in: dir.path)
        let path = dir.file("x.tar.zst")
        guard case .corrupt(let p, .tar, _)? = readFailure(path) else {
            Issue.record("expected tar corruption, got \(String(describing: readFailure(path)))")
            return
        }
        #expect(p == path)
    }

    @Test func trailingGarbageAfterFrame() throws {
        let dir = try TempDir()
        let (path, _) = try writeSampleArchive(in: dir)
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes.append(Data("GARBAGE GARBAGE GARBAGE".utf8))
        let bad = try dir.write("garbage.tar.zst", bytes)
        guard case .corrupt(let p, .zstd, let message)? = readFailure(bad) else {
            Issue.record("expected zstd corruption, got \(String(describing: readFailure(bad)))")
            return
        }
        #expect(p == bad)
        #expect(message.contains("after the end"))
    }

    @Test func missingFile() throws {
        let dir = try TempDir()
        #expect {
            _ = try ArchiveReader(path: dir.file("nope.tar.zst"))
        } throws: { error in
            guard case ArchiveError.io(let path, _, _) = error else { return false }
            return path == dir.file("nope.tar.zst")
        }
    }

    @Test func errorsAreSticky() throws {
        let dir = try TempDir()
        try dir.write("f", "x\n")
        try dir.write("g", "y\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("l"), withDestinationPath: "f")
        try archiveShell("tar --format=pax -cf - f l g | zstd -q --check -o s.tar.zst", in: dir.path)
        let reader = try ArchiveReader(path: dir.file("s.tar.zst"))
        #expect(try reader.nextEntry()?.name == "f")
        #expect(throws: ArchiveError.self) { try reader.nextEntry() }
        #expect(throws: ArchiveError.self) { try reader.nextEntry() }
    }
}
