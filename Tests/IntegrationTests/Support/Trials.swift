import Foundation
import Testing

/// Randomised trials (issue 11): how many, from which seed, and the checks
/// every trial ends with. `SNAP_TRIALS=full` runs the full counts (at least
/// 50 per crash scenario); the default is the short CI version.
/// `SNAP_TRIAL_SEED=N` replays a run; the seed in use is printed.
enum Trials {
    static let full = ProcessInfo.processInfo.environment["SNAP_TRIALS"] == "full"

    static func count(short: Int, full: Int) -> Int { Self.full ? full : short }

    static let seed: UInt64 = {
        if let s = ProcessInfo.processInfo.environment["SNAP_TRIAL_SEED"].flatMap({ UInt64($0) }) { return s }
        return UInt64(Date().timeIntervalSince1970 * 1000)
    }()

    /// A generator for one scenario, derived from the run's seed and the scenario's name.
    static func generator(_ scenario: String) -> SplitMix64 {
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in scenario.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        print("trials: \(scenario) seed \(seed) (SNAP_TRIAL_SEED=\(seed) replays it)")
        return SplitMix64(seed: seed ^ h)
    }
}

/// A small reproducible generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A snap process started in the background, to be killed.
final class Background: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private let group = DispatchGroup()
    nonisolated(unsafe) private var outData = Data()
    nonisolated(unsafe) private var errData = Data()

    private let args: [String]

    init(_ args: [String], env: [String: String], cwd: String? = nil) throws {
        self.args = args
        process.executableURL = URL(fileURLWithPath: Repo.snapBinary(for: env))
        process.arguments = args
        process.environment = withBacktraces(env)
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading, e = err.fileHandleForReading
        DispatchQueue.global().async(group: group) { [self] in outData = o.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { [self] in errData = e.readDataToEndOfFile() }
    }

    private let started = Date()
    /// Seconds from start to exit (or to the kill).
    private(set) var elapsed = 0.0

    /// SIGKILL after `seconds`, unless it ended first; returns how it ended.
    func kill9(after seconds: Double) -> RunResult {
        let deadline = started.addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        elapsed = Date().timeIntervalSince(started)
        group.wait()
        process.waitUntilExit()
        let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        let r = RunResult(
            status: process.terminationStatus, signal: signal, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
        // SIGKILL is this test's own; any other signal is snap crashing.
        if let signal, signal != SIGKILL {
            Issue.record(Comment(rawValue: crashReport(r, binary: process.executableURL?.path ?? "?", args: args)))
        }
        return r
    }

    var killed: Bool { process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL }
}

/// Every output a trial captured must be free of the secrets it used.
func expectNoSecrets(_ r: RunResult, _ secrets: [String], _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let out = r.out + "\n" + r.stderr
    for s in secrets where !s.isEmpty && out.contains(s) {
        Issue.record("\(context): output holds a secret (\(s.prefix(4))…)", sourceLocation: sourceLocation)
    }
}

/// What every trial ends with, read directly from moto (no faults): `snap list`
/// shows only complete snapshots (each listed ID has its archive in every
/// store listing it, and no `.json` is hidden), and `snap verify --all` passes.
/// Returns the listed IDs.
@discardableResult
func expectStoresConsistent(
    pool: String, stores: [String], env: [String: String], _ context: String, verify: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String] {
    let storeArgs = stores.flatMap { ["--store", $0] }
    let list = try snap(["list", "--user-pool-id", pool, "--json"] + storeArgs, env: env)
    guard list.status == 0 else {
        Issue.record("\(context): snap list exited \(list.status): \(list.stderr)", sourceLocation: sourceLocation)
        return []
    }
    let listed = (try JSONSerialization.jsonObject(with: list.stdout) as? [[String: Any]]) ?? []
    let ids = listed.compactMap { $0["id"] as? String }
    // Every .json in every store is listed, and each listed snapshot's archive is there.
    for store in stores {
        let keys = try storeKeys(store, pool: pool, env: env)
        // The pool folder's own .json files: prune's records live one level down (pruned/).
        let jsons = Set(keys.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") && !$0.contains("/") }.map { String($0.dropLast(5)) })
        for id in jsons {
            #expect(ids.contains(id), "\(context): \(store) holds \(id).json that list does not show", sourceLocation: sourceLocation)
            #expect(
                keys.contains(id + ".tar.zst"), "\(context): \(store) holds \(id).json without its archive", sourceLocation: sourceLocation)
        }
    }
    // Each store on its own: a snapshot one store lacks is sync's business, not damage.
    for store in stores where verify && !ids.isEmpty {
        let verify = try snap(["verify", "--all", "--user-pool-id", pool, "--store", store], env: env)
        #expect(
            verify.status == 0, "\(context): verify --all of \(store): \(verify.out) \(verify.stderr)", sourceLocation: sourceLocation)
    }
    return ids
}

/// File names in a store's pool folder: a local path or `s3://BUCKET`.
func storeKeys(_ store: String, pool: String, env: [String: String]) throws -> [String] {
    if store.hasPrefix("s3://") {
        let bucket = String(store.dropFirst(5))
        // No --prefix: moto's signature check refuses some prefixes holding "/" (TESTING.md).
        let listed = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: env) as? [String: Any]
        let keys = ((listed?["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }
        return keys.filter { $0.hasPrefix(pool + "/") }.map { String($0.dropFirst(pool.count + 1)) }
    }
    return (try? FileManager.default.contentsOfDirectory(atPath: "\(store)/\(pool)")) ?? []
}

/// A new empty bucket.
func newBucket(_ label: String, env: [String: String]) throws -> String {
    let bucket = "snap-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: env)
    return bucket
}

/// The members' digests of a snapshot as its `.json` in a local store names them.
func memberDigests(store: String, pool: String, id: String) throws -> [String: String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(store)/\(pool)/\(id).json"))
    let doc = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    let files = doc["files"] as! [String: [String: Any]]
    return files.mapValues { $0["sha256"] as! String }
}
