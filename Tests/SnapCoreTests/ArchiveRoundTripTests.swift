import Foundation
import Testing

@testable import SnapCore

struct ShellResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `command` with /bin/sh in `directory`; throws on a non-zero exit unless
/// `allowFailure`.
@discardableResult
func archiveShell(_ command: String, in directory: String? = nil, allowFailure: Bool = false) throws -> ShellResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read stdout to the end before waiting so a full pipe cannot deadlock.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let result = ShellResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    if !allowFailure && result.status != 0 {
        throw ShellFailure(command: command, result: result)
    }
    return result
}

struct ShellFailure: Error, CustomStringConvertible {
    var command: String
    var result: ShellResult
    var description: String { "`\(command)` exited \(result.status): \(result.stderr)" }
}

/// Reads every member fully, checking the reader's size claims.
func readAllMembers(_ path: String, limits: ArchiveLimits = .default) throws -> [(name: String, data: Data)] {
    let reader = try ArchiveReader(path: path, limits: limits)
    var members: [(name: String, data: Data)] = []
    while let entry = try reader.nextEntry() {
        var data = Data()
        while let chunk = try reader.read() { data.append(chunk) }
        #expect(Int64(data.count) == entry.size)
        members.append((entry.name, data))
    }
    return members
}

/// Deterministic, poorly compressible bytes (so archives have real size).
func pseudoRandomData(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> Data {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        bytes[i] = UInt8(truncatingIfNeeded: state)
    }
    return Data(bytes)
}

let sampleMembers: [(String, Data)] = [
    ("pool.json", Data("{\"Id\":\"eu-west-1_abc\"}\n".utf8)),
    ("groups.jsonl", Data()),
    ("users.jsonl", Data((0..<2000).map { "{\"Username\":\"user\($0)\"}\n" }.joined().utf8)),
    ("memberships.jsonl", pseudoRandomData(count: 200_000)),
    ("manifest.json", Data("{\"format\":1}\n".utf8)),
]

/// Writes `sampleMembers` (one of them via addFile) into `dir/name`.
@discardableResult
func writeSampleArchive(in dir: TempDir, name: String = "snap.tar.zst", level: Int32 = 3) throws -> (String, ArchiveDigest) {
    let path = dir.file(name)
    let writer = try ArchiveWriter(path: path, level: level, modificationTime: Date(timeIntervalSince1970: 1_700_000_000.75))
    for (member, data) in sampleMembers {
        if member == "users.jsonl" {
            let source = try dir.write("source-\(name)-users", data)
            try writer.addFile(name: member, from: source)
        } else {
            try writer.addData(name: member, data)
        }
    }
    return (path, try writer.finish())
}

@Suite("Archive round trip")
struct ArchiveRoundTripTests {
    @Test func cliExtractsWhatWeWrite() throws {
        let dir = try TempDir()
        let (path, digest) = try writeSampleArchive(in: dir)
        let out = dir.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try archiveShell("zstd -dc '\(path)' | tar -x -C '\(out)'")
        for (member, data) in sampleMembers {
            #expect(FileManager.default.contents(atPath: "\(out)/\(member)") == data, "\(member)")
        }
        let listing = try archiveShell("tar --zstd -tvf '\(path)'").text
        #expect(listing.contains("-rw-r--r-- 0/0"))
        #expect(listing.contains("2023-11-14"))

        try archiveShell("zstd -t -q '\(path)'")
        let info = try archiveShell("zstd -lv '\(path)'")
        #expect((info.text + info.stderr).contains("XXH64"))

        let sha = try archiveShell("sha256sum '\(path)'").text.prefix(64)
        #expect(String(sha) == digest.sha256)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(Int64(size ?? -1) == digest.bytes)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func readerReadsWhatWeWriteAndVerifiesDigest() throws {
        let dir = try TempDir()
        let (path, digest) = try writeSampleArchive(in: dir)
        let reader = try ArchiveReader(path: path)
        var names: [String] = []
        while let entry = try reader.nextEntry() {
            names.append(entry.name)
            var data = Data()
            while let chunk = try reader.read(maxBytes: 1000) {
                #expect(chunk.count <= 1000)
                data.append(chunk)
            }
            #expect(data == sampleMembers.first { $0.0 == entry.name }?.1)
        }
        #expect(names == sampleMembers.map(\.0))
        #expect(reader.compressedSHA256 == digest.sha256)
        #expect(reader.compressedBytes == digest.bytes)
        #expect(try reader.nextEntry() == nil)
    }

    @Test func skippingUnreadMembersStillVerifiesTheStream() throws {
        let dir = try TempDir()
        let (path, digest) = try writeSampleArchive(in: dir)
        let reader = try ArchiveReader(path: path)
        var count = 0
        while try reader.nextEntry() != nil { count += 1 }
        #expect(count == sampleMembers.count)
        #expect(reader.compressedSHA256 == digest.sha256)
    }

    @Test func readsArchiveMadeByCLIs() throws {
        let dir = try TempDir()
        let a = pseudoRandomData(count: 300_000, seed: 7)
        let b = Data("line one\nline two\n".utf8)
        try dir.write("a", a)
        try dir.write("b", b)
        try dir.write("empty", Data())
        try archiveShell("tar --format=pax -cf - a b empty | zstd --check -q -o x.tar.zst", in: dir.path)
        let members = try readAllMembers(dir.file("x.tar.zst"))
        #expect(members.map(\.name) == ["a", "b", "empty"])
        #expect(members[0].data == a)
        #expect(members[1].data == b)
        #expect(members[2].data.isEmpty)
    }

    @Test func readsConcatenatedFrames() throws {
        let dir = try TempDir()
        let a = pseudoRandomData(count: 100_000, seed: 3)
        try dir.write("a", a)
        try archiveShell(
            "tar --format=pax -cf t.tar a && head -c 5000 t.tar | zstd -q --check > x.tar.zst && "
                + "tail -c +5001 t.tar | zstd -q --check >> x.tar.zst", in: dir.path)
        let members = try readAllMembers(dir.file("x.tar.zst"))
        #expect(members.map(\.name) == ["a"])
        #expect(members[0].data == a)
    }

    @Test func sameInputsGiveIdenticalBytes() throws {
        let dir = try TempDir()
        let (first, d1) = try writeSampleArchive(in: dir, name: "one.tar.zst")
        Thread.sleep(forTimeInterval: 1.1)  // a wall-clock leak into headers would show
        let (second, d2) = try writeSampleArchive(in: dir, name: "two.tar.zst")
        #expect(d1 == d2)
        #expect(FileManager.default.contents(atPath: first) == FileManager.default.contents(atPath: second))
        // A different level changes the bytes but not the content.
        let (third, d3) = try writeSampleArchive(in: dir, name: "three.tar.zst", level: 19)
        #expect(d3 != d1)
        #expect(try readAllMembers(third).map(\.data) == sampleMembers.map(\.1))
    }

    @Test func bigMemberStreams() throws {
        let dir = try TempDir()
        let big = dir.file("big")
        // ~50 MB, partly compressible, made without holding it in memory.
        try archiveShell("head -c 30000000 /dev/urandom > big && head -c 20000000 /dev/zero >> big", in: dir.path)
        let path = dir.file("big.tar.zst")
        let writer = try ArchiveWriter(path: path, level: 1, modificationTime: Date(timeIntervalSince1970: 0))
        try writer.addFile(name: "users.jsonl", from: big)
        let digest = try writer.finish()

        let expected = try archiveShell("sha256sum big", in: dir.path).text.prefix(64)
        let reader = try ArchiveReader(path: path)
        let entry = try #require(try reader.nextEntry())
        #expect(entry == ArchiveEntryInfo(name: "users.jsonl", size: 50_000_000))
        let copy = dir.file("copy")
        #expect(FileManager.default.createFile(atPath: copy, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
        var total = 0
        while let chunk = try reader.read() {
            total += chunk.count
            try handle.write(contentsOf: chunk)
        }
        try handle.close()
        #expect(total == 50_000_000)
        #expect(try reader.nextEntry() == nil)
        #expect(reader.compressedSHA256 == digest.sha256)
        let actual = try archiveShell("sha256sum copy", in: dir.path).text.prefix(64)
        #expect(actual == expected)
    }

    @Test func writerRejectsUnsafeNames() throws {
        let dir = try TempDir()
        let writer = try ArchiveWriter(path: dir.file("x.tar.zst"), modificationTime: Date())
        for name in ["", "/etc/passwd", "../x", "a/b", "..", "a/../b"] {
            #expect {
                try writer.addData(name: name, Data("x".utf8))
            } throws: { error in
                guard case ArchiveError.unsafeEntry(_, let entryName, _) = error else { return false }
                return entryName == name
            }
        }
        try writer.addData(name: "ok.json", Data("{}".utf8))
        _ = try writer.finish()
        #expect(throws: ArchiveError.self) { try writer.addData(name: "late", Data()) }
        #expect(try readAllMembers(dir.file("x.tar.zst")).map(\.name) == ["ok.json"])
    }

    @Test func addFileFailsForMissingFile() throws {
        let dir = try TempDir()
        let writer = try ArchiveWriter(path: dir.file("x.tar.zst"), modificationTime: Date())
        #expect {
            try writer.addFile(name: "a", from: dir.file("missing"))
        } throws: { error in
            guard case ArchiveError.io(let path, _, _) = error else { return false }
            return path.hasSuffix("missing") && "\(error)".contains("missing")
        }
    }
}
