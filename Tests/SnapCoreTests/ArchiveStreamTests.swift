import AWS
import Crypto
import Foundation
import Testing

@testable import SnapCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's write, which the fake store's own `write` would shadow.
private func writeBytes(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }

/// The pipe between a streaming download and its reader (`ArchiveStream`),
/// with a store that writes from memory: a whole archive is proven; a body
/// cut mid-way, damage found early, a wrong size and a GET that never begins
/// each end in the right error, and nothing is left waiting.
@Suite struct ArchiveStreamTests {
    init() {
        // As snap does at start (StandardStreams): a write to a closed pipe is EPIPE, not death.
        signal(SIGPIPE, SIG_IGN)
    }

    /// A store whose archive "download" writes `bytes` into the pipe on a thread of its own.
    struct MemoryStore: SnapshotStore {
        enum Body: Sendable {
            case whole
            /// Writes this many bytes, then fails as a broken connection would.
            case cutAfter(Int)
            /// Fails before any body.
            case refused
        }

        let url = "mem://store"
        let bytes: Data
        let body: Body
        var statedSize: Int64?
        let sawReaderClose = Flag()

        final class Flag: @unchecked Sendable {
            private let lock = NSLock()
            private var value = false
            func set() { lock.withLock { value = true } }
            var isSet: Bool { lock.withLock { value } }
        }

        struct Broke: Error, CustomStringConvertible {
            var description: String { "the connection broke (test)" }
        }

        var streamsArchives: Bool { true }

        func streamArchive(pool: String, id: SnapshotID, into fd: Int32, begun: @escaping @Sendable (Int64?) -> Void) async throws {
            if case .refused = body {
                close(fd)
                throw SnapError.storeFailed(store: url, reason: "refused (test)")
            }
            begun(statedSize ?? Int64(bytes.count))
            let (bytes, body, flag) = (bytes, body, sawReaderClose)
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                Thread {
                    defer { close(fd) }
                    var end = bytes.count
                    if case .cutAfter(let n) = body { end = n }
                    let failure: (any Error)? = bytes.withUnsafeBytes { raw in
                        var offset = 0
                        while offset < end {
                            let n = writeBytes(fd, raw.baseAddress! + offset, min(16384, end - offset))
                            if n < 0 {
                                if errno == EINTR { continue }
                                if errno == EPIPE { flag.set() }
                                return ArchiveStream.ReaderStopped()
                            }
                            offset += n
                        }
                        if case .cutAfter = body { return Broke() }
                        return nil
                    }
                    if let failure { c.resume(throwing: failure) } else { c.resume() }
                }.start()
            }
        }

        func listing(pool: String) async throws -> StoreListing { throw Broke() }
        func pools() async throws -> [String] { throw Broke() }
        func write(
            pool: String, id: SnapshotID, archivePath: String, manifest: Data, beforeCommit: @Sendable () async throws -> Void
        ) async throws { throw Broke() }
        func downloadArchive(pool: String, id: SnapshotID, to path: String) async throws { throw Broke() }
        func clearDebris(pool: String, log: @Sendable (String) -> Void) async throws { throw Broke() }
        func delete(pool: String, id: SnapshotID) async throws { throw Broke() }
        func writeRecord(pool: String, name: String, data: Data) async throws { throw Broke() }
        func records(pool: String) async throws -> [(name: String, data: Data)] { throw Broke() }
        func removeDebris(pool: String, olderThan: Date, log: @Sendable (String) -> Void) async throws -> [String] { throw Broke() }
        func lock(pool: String, owner: LockOwner, wait: Duration, log: @escaping @Sendable (String) -> Void) async throws
            -> any StoreLock
        { throw Broke() }
    }

    /// An archive of `users` hard-to-compress users (well past a pipe's 64 KiB) and its manifest.
    static func archive(users: Int) throws -> (Data, Manifest) {
        let dir = try TempDir()
        var text = ""
        for i in 0..<users {
            let noise = SHA256.hash(data: Data("\(i)".utf8)).map { String(format: "%02x", $0) }.joined()
            text +=
                "{\"attributes\":{\"sub\":\"\(noise)\"},\"enabled\":true,\"status\":\"CONFIRMED\",\"username\":\"u\(String(format: "%08d", i))\"}\n"
        }
        let members = [
            ("pool.json", "{\"Id\":\"us-east-1_x\"}"), ("groups.jsonl", "{\"name\":\"g\"}\n"), ("users.jsonl", text),
            ("memberships.jsonl", "{\"group\":\"g\",\"username\":\"u00000000\"}\n"),
        ]
        var files: [Member: Manifest.FileInfo] = [:]
        for (name, body) in members {
            let data = Data(body.utf8)
            let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            let member = Member(rawValue: name)!
            files[member] = .init(sha256: sha, bytes: Int64(data.count), records: member == .pool ? 1 : data.split(separator: 0x0A).count)
        }
        var manifest = Manifest(
            id: SnapshotID("20261127T000000Z-00000001")!, createdAt: "2026-11-27T00:00:00Z",
            userPool: .init(id: "us-east-1_x", name: "x", region: "us-east-1"),
            counts: .init(users: users, groups: 1, memberships: 1), files: files, previous: nil, changes: nil, warnings: [], tool: "test")
        let path = dir.file("a.tar.zst")
        let w = try ArchiveWriter(path: path, modificationTime: Date(timeIntervalSince1970: 0))
        for (name, body) in members { try w.addData(name: name, Data(body.utf8)) }
        try w.addData(name: "manifest.json", manifest.json.canonicalData())
        let digest = try w.finish()
        manifest.archive = .init(sha256: digest.sha256, bytes: digest.bytes)
        return (try Data(contentsOf: URL(fileURLWithPath: path)), manifest)
    }

    /// Streams `store`'s copy through `SnapshotReader`, as `verify` does; the error to tell, nil when intact.
    func read(_ store: MemoryStore, _ manifest: Manifest) async throws -> (any Error)? {
        let stream = try await ArchiveStream.start(store, pool: "p", id: manifest.id, manifest: manifest)
        var readError: (any Error)?
        do {
            try SnapshotReader.read(.descriptor(try stream.takeReadEnd()), expected: manifest, source: stream.source)
        } catch {
            readError = error
        }
        return await stream.finish(readerError: readError)
    }

    @Test(.timeLimit(.minutes(1))) func aWholeArchiveIsProvenAsItStreams() async throws {
        let (bytes, manifest) = try Self.archive(users: 8000)
        #expect(bytes.count > 256 << 10, "the archive must outgrow the pipe many times: \(bytes.count) bytes")
        let error = try await read(MemoryStore(bytes: bytes, body: .whole), manifest)
        #expect(error == nil, "\(String(describing: error))")
    }

    @Test(.timeLimit(.minutes(1))) func aBodyCutMidwayIsToldAsTheDownloadsOwnError() async throws {
        let (bytes, manifest) = try Self.archive(users: 8000)
        let error = try await read(MemoryStore(bytes: bytes, body: .cutAfter(bytes.count / 2)), manifest)
        #expect(error is MemoryStore.Broke, "\(String(describing: error))")
    }

    @Test(.timeLimit(.minutes(1))) func damageFoundEarlyStopsTheDownload() async throws {
        var (bytes, manifest) = try Self.archive(users: 8000)
        for k in (bytes.count / 5)..<(bytes.count / 5 + 64) { bytes[k] ^= 0x5A }
        let store = MemoryStore(bytes: bytes, body: .whole)
        let error = try await read(store, manifest)
        #expect("\(String(describing: error))".contains("damaged"), "\(String(describing: error))")
        #expect(store.sawReaderClose.isSet, "the writer should have been stopped by the closed read end")
    }

    @Test(.timeLimit(.minutes(1))) func aSizeOtherThanTheManifestsIsDamagedBeforeReading() async throws {
        let (bytes, manifest) = try Self.archive(users: 100)
        var store = MemoryStore(bytes: bytes, body: .whole)
        store.statedSize = Int64(bytes.count + 1)
        await #expect(throws: SnapError.self) {
            _ = try await ArchiveStream.start(store, pool: "p", id: manifest.id, manifest: manifest)
        }
        do { _ = try await ArchiveStream.start(store, pool: "p", id: manifest.id, manifest: manifest) } catch {
            #expect("\(error)".contains("its .json says \(bytes.count)"), "\(error)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aDownloadThatNeverBeginsIsItsOwnError() async throws {
        let (bytes, manifest) = try Self.archive(users: 100)
        do {
            _ = try await ArchiveStream.start(MemoryStore(bytes: bytes, body: .refused), pool: "p", id: manifest.id, manifest: manifest)
            Issue.record("a refused download began")
        } catch {
            #expect("\(error)".contains("refused (test)"), "\(error)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func aStreamDroppedUnreadStopsItsDownload() async throws {
        let (bytes, manifest) = try Self.archive(users: 8000)
        let store = MemoryStore(bytes: bytes, body: .whole)
        var stream: ArchiveStream? = try await ArchiveStream.start(store, pool: "p", id: manifest.id, manifest: manifest)
        #expect(stream != nil)
        stream = nil
        // The dropped stream closed its read end: the writer ends with EPIPE instead of waiting forever.
        let deadline = ContinuousClock.now + .seconds(20)
        while !store.sawReaderClose.isSet && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(store.sawReaderClose.isSet)
    }

    @Test func aProducerFailingAfterItsConsumerLeftIsOnlyStopped() {
        let queue = ChunkQueue()
        queue.cancel()
        queue.close(.failure(SnapError.io(path: "x", reason: "input cut on purpose")))
        #expect(queue.stop() == nil)
    }
}
