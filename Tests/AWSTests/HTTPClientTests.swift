import Foundation
import Testing

@testable import AWS

@Suite("HTTPClient against a local test server")
struct HTTPClientTests {
    @Test func getSendsOurHeadersVerbatimAndNoOthers() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let request = server.request(
            "GET", "/echo",
            headers: [
                HTTPHeader("X-Amz-Date", "20240101T000000Z"),
                HTTPHeader("X-Mixed-Case", "Value  with  spaces"),
                HTTPHeader("X-Empty", ""),
            ])
        let response = try await client.send(request)
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        let echo = try EchoDocument(response.body)
        #expect(echo.method == "GET")
        #expect(echo.header("X-Amz-Date") == ["20240101T000000Z"])
        #expect(echo.headers.contains { $0 == ["X-Mixed-Case", "Value  with  spaces"] })
        #expect(echo.header("X-Empty") == [""])
        #expect(echo.header("Host") == ["127.0.0.1:\(server.port)"])
        #expect(echo.header("User-Agent") == ["snap"])
        for absent in ["Expect", "Content-Type", "Accept", "Accept-Encoding", "Content-Length", "Transfer-Encoding"] {
            #expect(echo.header(absent).isEmpty, "unexpected \(absent)")
        }
    }

    @Test func postSendsDataBodyWithOurContentTypeOnly() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let body = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let request = server.request(
            "POST", "/echo", headers: [HTTPHeader("Content-Type", "application/x-amz-json-1.1")], body: .data(body))
        let response = try await client.send(request)
        let echo = try EchoDocument(response.body)
        #expect(echo.method == "POST")
        #expect(echo.body == body)
        #expect(echo.header("Content-Type") == ["application/x-amz-json-1.1"])
        #expect(echo.header("Content-Length") == ["5000"])
        #expect(echo.header("Expect").isEmpty)
    }

    @Test func emptyPostAndPutStillSendContentLength() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        for method in ["POST", "PUT"] {
            let echo = try EchoDocument(try await client.send(server.request(method, "/echo")).body)
            #expect(echo.method == method)
            #expect(echo.header("Content-Length") == ["0"])
            #expect(echo.header("Content-Type").isEmpty)
        }
        let echo = try EchoDocument(try await client.send(server.request("DELETE", "/echo?x=1")).body)
        #expect(echo.method == "DELETE")
        #expect(echo.path == "/echo?x=1")
    }

    @Test func putStreamsALargeFileBody() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("upload.bin").path
        let size = 20 * 1024 * 1024
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var chunk = Data((0..<(1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        for i in 0..<(size / chunk.count) {
            chunk[0] = UInt8(i)
            try handle.write(contentsOf: chunk)
        }
        try handle.close()

        let client = HTTPClient()
        let response = try await client.send(server.request("PUT", "/echo", body: .file(path: path)))
        #expect(response.status == 200)
        let echo = try EchoDocument(response.body)
        #expect(echo.method == "PUT")
        #expect(echo.bodyLength == size)
        #expect(echo.bodySHA256 == (try sha256sum(path)))
        #expect(echo.header("Content-Length") == ["\(size)"])
        #expect(echo.header("Expect").isEmpty)
    }

    @Test func twoHundredBodyGoesToAFileWithMode0600() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = HTTPClient()
        let n = 3_000_000

        let fresh = dir.appendingPathComponent("fresh.bin").path
        let response = try await client.send(server.request("GET", "/bytes?n=\(n)"), responseBodyTo: fresh)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.header("Content-Length") == "\(n)")
        #expect(FileManager.default.contents(atPath: fresh) == bytePattern(n))
        #expect(try permissions(fresh) == 0o600)

        // An existing longer file is truncated and made private.
        let old = dir.appendingPathComponent("old.bin").path
        _ = FileManager.default.createFile(
            atPath: old, contents: Data(repeating: 0xEE, count: 100_000), attributes: [.posixPermissions: 0o644])
        _ = try await client.send(server.request("GET", "/bytes?n=1000"), responseBodyTo: old)
        #expect(FileManager.default.contents(atPath: old) == bytePattern(1000))
        #expect(try permissions(old) == 0o600)

        // An empty 2xx body still leaves an (empty) file.
        let empty = dir.appendingPathComponent("empty.bin").path
        _ = try await client.send(server.request("GET", "/bytes?n=0"), responseBodyTo: empty)
        #expect(FileManager.default.contents(atPath: empty) == Data())
    }

    @Test func errorStatusIsReturnedWithItsBodyNotThrown() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("never.bin").path
        let client = HTTPClient()
        let response = try await client.send(
            server.request("GET", "/status", query: [QueryItem("code", "404"), QueryItem("body", "<Error>NoSuchKey</Error>")]),
            responseBodyTo: path)
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self) == "<Error>NoSuchKey</Error>")
        #expect(response.header("Content-Type") == "application/xml")
        #expect(!FileManager.default.fileExists(atPath: path))

        let redirect = try await client.send(server.request("GET", "/status?code=301"))
        #expect(redirect.status == 301)
    }

    @Test func headReturnsHeadersOnly() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let response = try await client.send(server.request("HEAD", "/bytes?n=1234"))
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "1234")
        #expect(response.body.isEmpty)
        // The connection stays usable after a HEAD.
        let next = try await client.send(server.request("GET", "/bytes?n=10"))
        #expect(next.body == bytePattern(10))
    }

    @Test func connectionRefusedIsARetryableTransportError() async throws {
        let client = HTTPClient()
        let request = HTTPRequest(
            method: "GET", scheme: "http", host: "127.0.0.1", port: 1, path: "/",
            query: [QueryItem("X-Amz-Signature", "secret-signature")],
            headers: [HTTPHeader("Authorization", "AWS4-HMAC-SHA256 secret")])
        let error = try await expectHTTPError { try await client.send(request) }
        guard case .transport(let kind, let code, _, let host) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(kind == .couldNotConnect)
        #expect(code == 7)
        #expect(host == "127.0.0.1:1")
        #expect(error.isRetryable)
        #expect(error.description == "cannot connect to 127.0.0.1:1: Connection refused; is the endpoint right and reachable?")
        #expect(!error.description.contains("secret"))
    }

    @Test func unresolvableHostIsCouldNotResolve() async throws {
        let client = HTTPClient()
        let error = try await expectHTTPError {
            try await client.send(HTTPRequest(method: "GET", scheme: "http", host: "no-such-host.invalid"))
        }
        guard case .transport(let kind, _, _, _) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(kind == .couldNotResolve)
    }

    @Test func totalTimeoutGivesTimedOut() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient(timeouts: .init(total: .milliseconds(500)))
        let start = ContinuousClock.now
        let error = try await expectHTTPError { try await client.send(server.request("GET", "/sleep?s=600")) }
        // Far below the server's 600 s. Loose on purpose: blocking integration tests can hold the 2-core
        // cooperative pool for a minute, which stretches any wall-clock measurement here.
        #expect(ContinuousClock.now - start < .seconds(300))
        guard case .transport(let kind, _, _, _) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(kind == .timedOut)
        #expect(error.isRetryable)
    }

    @Test func lowSpeedTimeoutGivesTimedOut() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient(timeouts: .init(lowSpeedTime: .seconds(1)))
        let start = ContinuousClock.now
        let error = try await expectHTTPError { try await client.send(server.request("GET", "/sleep?s=600")) }
        // Far below the server's 600 s. Loose on purpose: blocking integration tests can hold the 2-core
        // cooperative pool for a minute, which stretches any wall-clock measurement here.
        #expect(ContinuousClock.now - start < .seconds(300))
        guard case .transport(let kind, _, _, _) = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(kind == .timedOut)
    }

    @Test func cancellationStopsATransfer() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let request = server.request("GET", "/sleep?s=600")
        let task = Task { try await client.send(request) }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        // Far below the server's 600 s. Loose on purpose: blocking integration tests can hold the 2-core
        // cooperative pool for a minute, which stretches any wall-clock measurement here.
        #expect(ContinuousClock.now - start < .seconds(300))
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test func twentyConcurrentRequestsAllSucceed() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let sizes = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
            for i in 0..<20 {
                let n = 100_000 + i
                let request = server.request("GET", "/bytes?n=\(n)")
                group.addTask {
                    let response = try await client.send(request)
                    #expect(response.body == bytePattern(n))
                    return (n, response.status, response.body.count)
                }
            }
            var all: [(Int, Int, Int)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(sizes.count == 20)
        for (n, status, count) in sizes {
            #expect(status == 200)
            #expect(count == n)
        }
    }

    @Test func sequentialRequestsReuseTheConnection() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let requests = 10
        for i in 0..<requests {
            let body: HTTPBody = i % 2 == 0 ? .empty : .data(Data("hello \(i)".utf8))
            let response = try await client.send(server.request(i % 2 == 0 ? "GET" : "PUT", "/echo", body: body))
            #expect(response.status == 200)
        }
        let stats = try await client.send(server.request("GET", "/stats"))
        let object = try JSONSerialization.jsonObject(with: stats.body) as? [String: Any]
        let connections = try #require(object?["connections"] as? Int)
        #expect(connections < requests)
        #expect(connections == 1)
    }

    @Test func unusableFilesAreFileErrors() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let client = HTTPClient()
        let unwritable = "/nonexistent-\(UUID().uuidString)/out.bin"
        let error = try await expectHTTPError {
            try await client.send(server.request("GET", "/bytes?n=100"), responseBodyTo: unwritable)
        }
        guard case .file(let path, _) = error else {
            Issue.record("expected a file error, got \(error)")
            return
        }
        #expect(path == unwritable)
        #expect(!error.isRetryable)

        let missing = "/nonexistent-\(UUID().uuidString)/in.bin"
        let readError = try await expectHTTPError {
            try await client.send(server.request("PUT", "/echo", body: .file(path: missing)))
        }
        guard case .file(let readPath, _) = readError else {
            Issue.record("expected a file error, got \(readError)")
            return
        }
        #expect(readPath == missing)

        // The pooled handle still works after the aborted transfer.
        let after = try await client.send(server.request("GET", "/bytes?n=5"))
        #expect(after.body == bytePattern(5))
    }
}

// MARK: - Streaming into a sink

extension HTTPClientTests {
    /// A pipe whose write end goes to a sink and whose read end is read to
    /// its end on a thread of its own (at most `limit` bytes, then closed).
    struct SinkPipe {
        let sink: HTTPBodySink
        let read: Task<Data, Never>

        init(limit: Int = .max) {
            // As snap does at start: a write to a closed pipe is EPIPE, not death.
            signal(SIGPIPE, SIG_IGN)
            var fds: [Int32] = [-1, -1]
            precondition(pipe(&fds) == 0)
            sink = HTTPBodySink(descriptor: fds[1], name: "the test's reader") { _ in }
            let reader = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
            read = Task.detached {
                var data = Data()
                while data.count < limit {
                    let chunk = reader.readData(ofLength: min(65536, limit - data.count))
                    if chunk.isEmpty { break }
                    data.append(chunk)
                }
                try? reader.close()  // the test's own pipe: closing it early is the point
                return data
            }
        }
    }

    @Test func aStreamedBodyGoesThroughTheSinkWhichTheTransferCloses() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let n = 3_000_000
        let pipe = SinkPipe()
        let response = try await HTTPClient().send(server.request("GET", "/bytes?n=\(n)"), responseBodyInto: pipe.sink)
        #expect(response.status == 200 && response.body.isEmpty)
        // The reader's end of input came from the transfer closing the sink, not from the test.
        #expect(await pipe.read.value == bytePattern(n))
        #expect(pipe.sink.hasBegun && pipe.sink.bytesWritten == Int64(n))
    }

    @Test func aBodyCutMidwayEndsTheReadersInputWithAnError() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let pipe = SinkPipe()
        let error = try await expectHTTPError {
            try await HTTPClient().send(server.request("GET", "/cut?n=1000000"), responseBodyInto: pipe.sink)
        }
        #expect(error.isRetryable, "\(error)")
        #expect(await pipe.read.value == bytePattern(500_000))
        #expect(pipe.sink.hasBegun)
    }

    @Test func aReaderThatStopsStopsTheTransfer() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let pipe = SinkPipe(limit: 1000)
        let error = try await expectHTTPError {
            try await HTTPClient().send(server.request("GET", "/bytes?n=20000000"), responseBodyInto: pipe.sink)
        }
        #expect("\(error)".contains("the reader stopped reading"), "\(error)")
        #expect(pipe.sink.readerClosed)
        #expect(await pipe.read.value.count == 1000)
    }

    @Test func anErrorStatusNeverReachesTheSink() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let pipe = SinkPipe()
        let response = try await HTTPClient().send(
            server.request("GET", "/status?code=503&body=busy"), responseBodyInto: pipe.sink)
        #expect(response.status == 503 && response.body == Data("busy".utf8))
        #expect(!pipe.sink.hasBegun, "an error answer leaves the sink open for a retry")
        pipe.sink.close()
        #expect(await pipe.read.value.isEmpty)
    }
}

// MARK: - Support

/// Runs Support/echo_server.py for one test.
private final class EchoServer {
    let port: Int
    private let process: Process
    private let stdin = Pipe()

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", echoServerScriptPath()]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw EchoServerError.noPort
        }
        self.port = port
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    func request(
        _ method: String, _ pathAndQuery: String, query: [QueryItem] = [], headers: [HTTPHeader] = [],
        body: HTTPBody = .empty
    ) -> HTTPRequest {
        var path = pathAndQuery
        var items = query
        if let mark = pathAndQuery.firstIndex(of: "?") {
            path = String(pathAndQuery[..<mark])
            for pair in pathAndQuery[pathAndQuery.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                items.append(QueryItem(parts[0], parts.count > 1 ? parts[1] : ""))
            }
        }
        return HTTPRequest(
            method: method, scheme: "http", host: "127.0.0.1", port: port, path: path, query: items,
            headers: headers, body: body)
    }
}

private enum EchoServerError: Error { case noPort, sha256sumFailed }

private func echoServerScriptPath(file: String = #filePath) -> String {
    URL(fileURLWithPath: file).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("Support/echo_server.py").path
}

/// The JSON /echo returns.
private struct EchoDocument {
    var method: String
    var path: String
    var headers: [[String]]
    var bodyLength: Int
    var bodySHA256: String
    var body: Data?

    init(_ data: Data) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        method = try #require(object["method"] as? String)
        path = try #require(object["path"] as? String)
        headers = try #require(object["headers"] as? [[String]])
        bodyLength = try #require(object["body_length"] as? Int)
        bodySHA256 = try #require(object["body_sha256"] as? String)
        body = (object["body_b64"] as? String).flatMap { Data(base64Encoded: $0) }
    }

    /// Every value sent under that name, any case.
    func header(_ name: String) -> [String] {
        headers.filter { $0[0].caseInsensitiveCompare(name) == .orderedSame }.map { $0[1] }
    }
}

/// What /bytes?n= returns: byte i is i % 251.
private func bytePattern(_ n: Int) -> Data {
    let block = Data((0..<251).map { UInt8($0) })
    var data = Data(capacity: n + 251)
    while data.count < n { data.append(block) }
    return data.prefix(n)
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("snap-http-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

private func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha256sum", path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let hex = String(decoding: data, as: UTF8.self).split(separator: " ").first
    else { throw EchoServerError.sha256sumFailed }
    return String(hex)
}

private func expectHTTPError(
    _ body: () async throws -> HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation
) async throws -> HTTPError {
    do {
        let response = try await body()
        Issue.record("expected an HTTPError, got status \(response.status)", sourceLocation: sourceLocation)
        throw EchoServerError.noPort
    } catch let error as HTTPError {
        return error
    }
}
