import Foundation
import Testing

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

    /// The `snap` the integration tests run: the one operators run. scripts/test.sh
    /// builds it with `-c release` and names it in `SNAP_BINARY`; without that
    /// (a bare `swift test`, the sanitizer runs) the build beside this test bundle.
    static let snapBinary: String = {
        if let path = ProcessInfo.processInfo.environment["SNAP_BINARY"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else { fatalError("SNAP_BINARY=\(path) is not an executable") }
            return path
        }
        return snapBesideTests
    }()

    /// The `snap` built next to this test bundle, with the tests' configuration
    /// (debug, or a sanitizer's debug build): the one that holds the test hooks.
    static let snapBesideTests: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("snap").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return root + "/.build/debug/snap"
    }()

    /// The binary for a run with this environment. The `SNAP_TEST_` hooks
    /// (kill after N writes, short stall timeouts, no archive downloads) are
    /// compiled out of release builds (`TestHooks`), so a run that sets one
    /// needs the debug build; every other run takes `snapBinary`.
    static func snapBinary(for env: [String: String]) -> String {
        env.keys.contains { $0.hasPrefix("SNAP_TEST_") } ? snapBesideTests : snapBinary
    }
}

/// Swift's backtracer, on for every snap the tests start: a crash prints its
/// backtrace to stderr, where `crashReport` finds it.
func withBacktraces(_ env: [String: String]) -> [String: String] {
    var env = env
    if env["SWIFT_BACKTRACE"] == nil { env["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,output-to=stderr" }
    return env
}

struct RunResult {
    /// The exit status; for a process killed by a signal, the signal number (see `signal`).
    var status: Int32
    /// The signal that ended the process, if one did.
    var signal: Int32? = nil
    var stdout: Data
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion, collecting both streams.
///
/// The child is started with posix_spawn, its output goes to files, and this
/// thread waits for it with waitpid: nothing here needs a dispatch thread.
/// (Foundation's Process with two pipe readers on DispatchQueue.global() did:
/// each run held two of the few threads dispatch's global pool has on 2 cores,
/// so concurrent runs waited minutes for each other's readers, and a 30 s
/// suite took 800 s in the full run.)
func run(_ executable: String, _ args: [String], env: [String: String], cwd: String? = nil, stdin: Data? = nil) throws -> RunResult {
    let dir = try tempFolder("run")
    defer { try? FileManager.default.removeItem(atPath: dir) }  // scratch for this run's streams; read below
    let outPath = dir + "/stdout", errPath = dir + "/stderr"
    var inPath = "/dev/null"
    if let stdin {
        inPath = dir + "/stdin"
        try stdin.write(to: URL(fileURLWithPath: inPath))
    }
    var argv = executable.hasPrefix("/") ? [executable] + args : ["/usr/bin/env", executable] + args
    // glibc's posix_spawn_file_actions_addchdir_np is not imported into Swift: a shell changes directory, then execs.
    if let cwd { argv = ["/bin/sh", "-c", "cd \"$1\" || exit 127; shift; exec \"$@\"", "sh", cwd] + argv }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    let cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in cArgs + cEnv { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    guard spawned == 0 else { throw TestFailure("cannot start \(argv[0]): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        guard errno == EINTR else { throw TestFailure("waitpid for \(argv[0]) failed: \(String(cString: strerror(errno)))") }
    }
    // The wait status, decoded as <sys/wait.h> does (its macros are not imported into Swift).
    let signal = status & 0x7f
    let killed = signal != 0 && signal != 0x7f
    return RunResult(
        status: killed ? signal : (status >> 8) & 0xff, signal: killed ? signal : nil,
        stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
        stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self))
}

/// Runs snap to completion. Nothing here sends it a signal, so a run that a
/// signal ended is a crash: the test fails with the signal and the backtrace,
/// whatever status it expected (a run the kill hook ends: `snapKilledByHook`).
func snap(_ args: [String], env: [String: String], cwd: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> RunResult
{
    let binary = Repo.snapBinary(for: env)
    let r = try run(binary, args, env: withBacktraces(env), cwd: cwd)
    if r.signal != nil {
        Issue.record(Comment(rawValue: crashReport(r, binary: binary, args: args)), sourceLocation: sourceLocation)
    }
    return r
}

/// Runs snap with the `SNAP_TEST_KILL_AFTER_WRITES` hook set in `env`: the hook ends it with SIGKILL
/// on purpose, so that signal is the expected end, not a crash (any other signal still is one).
func snapKilledByHook(
    _ args: [String], env: [String: String], cwd: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) throws -> RunResult {
    precondition(env["SNAP_TEST_KILL_AFTER_WRITES"] != nil, "snapKilledByHook without the kill hook")
    let binary = Repo.snapBinary(for: env)
    let r = try run(binary, args, env: withBacktraces(env), cwd: cwd)
    if let signal = r.signal, signal != SIGKILL {
        Issue.record(Comment(rawValue: crashReport(r, binary: binary, args: args)), sourceLocation: sourceLocation)
    }
    return r
}

/// The names of the signals a crash ends with, and the ones tests send.
let signalNames: [Int32: String] = [
    SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGFPE: "SIGFPE",
    SIGSYS: "SIGSYS", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGPIPE: "SIGPIPE",
]

/// What a test says when snap died of a signal: which signal, which command,
/// and everything snap wrote to stderr, where Swift's backtracer puts the
/// backtrace. Never "exit status not 0".
func crashReport(_ r: RunResult, binary: String, args: [String]) -> String {
    let sig = r.signal ?? 0
    return """
        snap was killed by signal \(sig) (\(signalNames[sig] ?? "signal \(sig)")): a crash, not an exit status
          binary: \(binary)
          command: snap \(args.joined(separator: " "))
        --- stderr, with the backtrace ---
        \(r.stderr)
        --- end of stderr ---
        """
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
