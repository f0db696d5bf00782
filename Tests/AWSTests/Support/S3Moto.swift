import Foundation

/// A moto server for the S3 tests of this process, started once by
/// scripts/moto.py (signature checking on). moto.py exits with this process,
/// so no server outlives the tests.
struct S3Moto: Sendable {
    let endpoint: String
    let accessKeyId: String
    let secretAccessKey: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    // A lazily started, immutable value: every test shares one server.
    private static let started: Result<S3Moto, Failure> = {
        do { return .success(try start()) } catch { return .failure(Failure(description: "cannot start moto: \(error)")) }
    }()

    static func shared() throws -> S3Moto { try started.get() }

    /// A second server with signature checking switched off after its
    /// bootstrap. moto 5.2 checks signatures against a URL that werkzeug has
    /// partly percent-decoded (uri_to_iri: %2F in a query, %2B, %3F, %26 and
    /// UTF-8 in a path), so it rejects correctly signed requests whose key or
    /// prefix holds such characters; boto3 fails the same way. Key-encoding
    /// and prefix listing are tested here; everything else on `shared()`.
    private static let lenientStarted: Result<S3Moto, Failure> = {
        do {
            let moto = try start()
            // text/plain: with urllib's default form type werkzeug eats the body.
            try run([
                "python3", "-c",
                "import sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1] + '/moto-api/reset-auth', data=b'inf', headers={'Content-Type': 'text/plain'}), timeout=10).read()",
                moto.endpoint,
            ])
            return .success(moto)
        } catch {
            return .failure(Failure(description: "cannot start the lenient moto: \(error)"))
        }
    }()

    static func lenient() throws -> S3Moto { try lenientStarted.get() }

    /// A third server whose identity may do anything in S3 but PutObject.
    private static let denyingStarted: Result<S3Moto, Failure> = {
        do {
            let policy = NSTemporaryDirectory() + "snap-s3-deny-\(UUID().uuidString).json"
            try Data(
                #"""
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}
                """#.utf8
            ).write(to: URL(fileURLWithPath: policy))
            defer { try? FileManager.default.removeItem(atPath: policy) }
            return .success(try start(extraArguments: ["--policy", policy]))
        } catch {
            return .failure(Failure(description: "cannot start the denying moto: \(error)"))
        }
    }()

    static func denyingPutObject() throws -> S3Moto { try denyingStarted.get() }

    private static func run(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure(description: "\(arguments[0]) exited \(p.terminationStatus)") }
    }

    /// scripts/moto.py, found by walking up from this file with symlinks
    /// resolved, since test trees may link to the repository's files.
    static func script(from file: String = #filePath) throws -> String {
        var dir = URL(fileURLWithPath: file).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            let candidate = dir.appendingPathComponent("scripts/moto.py").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw Failure(description: "scripts/moto.py not found above \(file)")
    }

    static func start(extraArguments: [String] = []) throws -> S3Moto {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", try script(), "--log", NSTemporaryDirectory() + "snap-s3-tests-moto.log"] + extraArguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var line = Data()
        let handle = out.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { throw Failure(description: "moto.py exited before printing its endpoint") }
            line += chunk
        }
        guard let json = try JSONSerialization.jsonObject(with: line.prefix { $0 != 0x0A }) as? [String: Any],
            let endpoint = json["endpoint"] as? String, let id = json["accessKeyId"] as? String,
            let secret = json["secretAccessKey"] as? String
        else { throw Failure(description: "moto.py printed \(String(decoding: line, as: UTF8.self))") }
        return S3Moto(endpoint: endpoint, accessKeyId: id, secretAccessKey: secret)
    }
}
