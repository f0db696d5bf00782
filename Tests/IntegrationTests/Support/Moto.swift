import Foundation

/// A moto server for this test process, started once by scripts/moto.py on
/// a free loopback port with signature checking on. moto.py exits when this
/// process does, so no server outlives the tests.
struct Moto: Sendable {
    let endpoint: String
    let accessKeyId: String
    let secretAccessKey: String

    private static let started: Result<Moto, TestFailure> = {
        do { return .success(try start()) } catch { return .failure(TestFailure("cannot start moto: \(error)")) }
    }()

    /// The one server of this test process, started on first use.
    static func shared() throws -> Moto { try started.get() }

    /// A server of its own, with moto.py's `extra` arguments (`--model-log FILE`, `--rule-off NAME`): for a test
    /// that counts what the proxy in front of moto saw, or needs a rule off.
    static func start(_ extra: [String] = []) throws -> Moto {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Every request snap sends goes through the model check (scripts/model_check.py): one the
        // AWS service model refuses is refused, named, and logged here.
        p.arguments =
            [
                "python3", Repo.root + "/scripts/moto.py", "--log", NSTemporaryDirectory() + "snap-tests-moto.log", "--model-log",
                NSTemporaryDirectory() + "snap-tests-model-violations.jsonl",
            ] + extra
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var line = Data()
        let handle = out.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { throw TestFailure("moto.py exited before printing its endpoint") }
            line += chunk
        }
        guard let json = try JSONSerialization.jsonObject(with: line.prefix { $0 != 0x0A }) as? [String: Any],
            let endpoint = json["endpoint"] as? String, let id = json["accessKeyId"] as? String,
            let secret = json["secretAccessKey"] as? String
        else { throw TestFailure("moto.py printed \(String(decoding: line, as: UTF8.self))") }
        return Moto(endpoint: endpoint, accessKeyId: id, secretAccessKey: secret)
    }

    /// Environment for snap, aws and boto3 against this server, isolated from the user's own AWS files.
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("AWS_") || k.hasPrefix("SNAP_") { env[k] = nil }
        env["AWS_ENDPOINT_URL"] = endpoint
        env["AWS_ACCESS_KEY_ID"] = accessKeyId
        env["AWS_SECRET_ACCESS_KEY"] = secretAccessKey
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials"
        env["AWS_CONFIG_FILE"] = "/nonexistent/config"
        return env
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
