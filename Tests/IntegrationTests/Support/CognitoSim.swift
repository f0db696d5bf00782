import Foundation

/// scripts/cognito_sim.py: a lazily generated pool with quotas, token life,
/// a neighbour and storms, checking SigV4. It exits when the test process
/// does; `stop()` ends it early.
final class CognitoSim: @unchecked Sendable {
    let endpoint: String
    let poolId: String
    let accessKeyId: String
    let secretAccessKey: String
    private let process: Process

    init(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Repo.root + "/scripts/cognito_sim.py"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("cognito_sim.py exited before printing its endpoint") }
            line += chunk
        }
        let json = try JSONSerialization.jsonObject(with: line.prefix { $0 != 0x0A }) as! [String: Any]
        endpoint = json["endpoint"] as! String
        // `--fleet` prints its accounts and pools instead of one pool and one key (SimulatorFleetTests).
        poolId = json["userPoolId"] as? String ?? ""
        accessKeyId = json["accessKeyId"] as? String ?? ""
        secretAccessKey = json["secretAccessKey"] as? String ?? ""
        process = p
    }

    /// Environment for snap and the AWS CLI against this simulator only.
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

    /// Per-operation counts: requests, throttled, refused (expired tokens).
    func stats() throws -> [String: [String: Int]] {
        let r = try run("curl", ["-sf", endpoint + "/__sim/stats"], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("simulator stats: curl exited \(r.status)") }
        let json = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        return (json["operations"] as! [String: [String: Any]]).mapValues { $0.compactMapValues { $0 as? Int } }
    }

    /// The whole /__sim/stats answer (shortPages, categories, ...).
    func rawStats() throws -> [String: Any] {
        let r = try run("curl", ["-sf", endpoint + "/__sim/stats"], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("simulator stats: curl exited \(r.status)") }
        return try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
    }

    func stop() { process.terminate() }
    deinit { process.terminate() }
}
