import Foundation

/// Where the repository and the built `snap` are.
enum Repo {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// The `snap` built next to this test bundle.
    static let snapBinary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("snap").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return root + "/.build/debug/snap"
    }()
}

struct RunResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion, collecting both streams (read concurrently so a full pipe never blocks it).
func run(_ executable: String, _ args: [String], env: [String: String], cwd: String? = nil, stdin: Data? = nil) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    p.arguments = executable.hasPrefix("/") ? args : [executable] + args
    p.environment = env
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    if stdin == nil { p.standardInput = FileHandle.nullDevice }
    try p.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    group.wait()
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

func snap(_ args: [String], env: [String: String], cwd: String? = nil) throws -> RunResult {
    try run(Repo.snapBinary, args, env: env, cwd: cwd)
}

/// The AWS CLI's JSON answer (it follows every page itself).
func aws(_ args: [String], env: [String: String]) throws -> Any {
    let r = try run("aws", args + ["--output", "json"], env: env)
    guard r.status == 0 else { throw TestFailure("aws \(args.joined(separator: " ")) failed: \(r.stderr)") }
    return try JSONSerialization.jsonObject(with: r.stdout.isEmpty ? Data("{}".utf8) : r.stdout)
}

/// A new pool from fixtures/demo/pool.json plus `extraUsers` synthetic ones; returns its id.
func seedPool(extraUsers: Int, env: [String: String], spec: String = Repo.root + "/fixtures/demo/pool.json") throws -> String {
    let r = try run("python3", [Repo.root + "/scripts/seed_pool.py", spec, "--extra-users", String(extraUsers)], env: env)
    guard r.status == 0 else { throw TestFailure("seeding failed: \(r.stderr)") }
    return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A fresh private folder.
func tempFolder(_ label: String = "t") throws -> String {
    let path = NSTemporaryDirectory() + "snap-test-\(label)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Unpacks an archive with the standard tools, not with snap's reader.
func untar(_ archive: String, into dir: String) throws {
    let r = try run("sh", ["-c", "zstd -dc \"$0\" | tar -x -C \"$1\"", archive, dir], env: ProcessInfo.processInfo.environment)
    guard r.status == 0 else { throw TestFailure("zstd -dc | tar -x failed: \(r.stderr)") }
}

func jsonLines(_ path: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }.map {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
}
