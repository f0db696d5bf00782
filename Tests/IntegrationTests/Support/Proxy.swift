import Foundation

/// scripts/aws_proxy.py in front of the shared moto: quotas, latency,
/// injected faults and edited listings, for what moto itself lacks.
/// It exits when the test process does; `stop()` ends it early.
final class AWSProxy: @unchecked Sendable {
    let endpoint: String
    private let process: Process

    init(_ args: [String], upstream: Moto) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Repo.root + "/scripts/aws_proxy.py", "--upstream", upstream.endpoint] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("aws_proxy.py exited before printing its endpoint") }
            line += chunk
        }
        let json = try JSONSerialization.jsonObject(with: line.prefix { $0 != 0x0A }) as! [String: Any]
        endpoint = json["endpoint"] as! String
        process = p
    }

    /// Per-operation request counts seen by the proxy.
    func operationCounts() throws -> [String: Int] {
        let r = try run("curl", ["-sf", endpoint + "/__proxy/stats"], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("proxy stats: curl exited \(r.status)") }
        let data = r.stdout
        let stats = try JSONSerialization.jsonObject(with: data) as! [String: [String: [String: Double]]]
        return (stats["operations"] ?? [:]).mapValues { Int($0["count"] ?? 0) }
    }

    /// Every signature, access key id and session token the proxy saw (with `--record-secrets`).
    func secrets() throws -> [String] {
        let r = try run("curl", ["-sf", endpoint + "/__proxy/secrets"], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("proxy secrets: curl exited \(r.status)") }
        let doc = try JSONSerialization.jsonObject(with: r.stdout) as! [String: [String]]
        return (doc["signatures"] ?? []) + (doc["sessionTokens"] ?? [])
    }

    /// How many faults `--fault-rate` injected.
    func injectedCount() throws -> Int {
        let r = try run("curl", ["-sf", endpoint + "/__proxy/stats"], env: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw TestFailure("proxy stats: curl exited \(r.status)") }
        let stats = try JSONSerialization.jsonObject(with: r.stdout) as! [String: Any]
        let injected = stats["injected"] as? [String: [String: Double]] ?? [:]
        return injected.values.reduce(0) { $0 + Int($1["count"] ?? 0) }
    }

    func stop() { process.terminate() }
    deinit { process.terminate() }
}
