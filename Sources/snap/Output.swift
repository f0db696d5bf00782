import AWS
import ArgumentParser
import Foundation
import SnapCore

/// Stdout for results, stderr for messages; progress only on a terminal and never with --json or --quiet.
struct Output: Sendable {
    let json: Bool
    let quiet: Bool

    var showsProgress: Bool { !json && !quiet && isatty(STDERR_FILENO) != 0 }

    func result(_ text: String) {
        StandardStreams.out(Data((text + "\n").utf8))
    }

    /// Under `--all` (`Output.pool` set), an object gains `"pool"`, and so does each object of an array.
    func result(json value: JSONValue) {
        StandardStreams.out(Self.tagged(value).canonicalData() + Data([0x0A]))
    }

    static func tagged(_ value: JSONValue) -> JSONValue {
        guard let pool else { return value }
        switch value {
        case .object(var o):
            o["pool"] = .string(pool)
            return .object(o)
        case .array(let items): return .array(items.map(tagged))
        default: return value
        }
    }

    func message(_ text: String) {
        guard !quiet, CleanupRegistry.shared.interruption == nil else { return }
        StandardStreams.err(Data((Self.prefix + text + "\n").utf8))
    }

    /// `POOL: ` under `--all`, so every line on stderr says which pool it is about.
    static var prefix: String { pool.map { $0 + ": " } ?? "" }

    func progress(_ text: String) {
        guard showsProgress else { return }
        StandardStreams.err(Data(("\r\u{1B}[K" + text).utf8))
    }

    func endProgress() {
        guard showsProgress else { return }
        StandardStreams.err(Data("\r\u{1B}[K".utf8))
    }

    /// Dropped once an interruption has begun: the work's errors then are
    /// its own cleanup's doing, and the signal is the answer.
    static func error(_ text: String) {
        guard CleanupRegistry.shared.interruption == nil else { return }
        errorReport?.error(prefix + text)
        StandardStreams.err(Data(("snap: error: " + prefix + text + "\n").utf8))
    }

    /// The pool a command of `--all` is working on (see `prefix`, `tagged`).
    @TaskLocal static var pool: String?

    /// Also told each error line, for the notification at the end (see `NotifyOptions`).
    /// A class, never a closure: a task-local value of function type (optional or
    /// not) crashes optimized builds of Swift 6.3 in `swift_task_localValuePush`
    /// (issue 18; `ReleaseHazardTests` keeps the pattern out).
    @TaskLocal static var errorReport: NotifyReport?
}

/// Runs a command body, turning errors into one line on stderr and the SPEC's
/// exit codes; with the signal handlers installed (130/143), and 141, quietly,
/// when the reader of stdout went away.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    TestHooks.crashIfAsked()
    Signals.install()
    do {
        try await body()
        try await settle()
    } catch {
        try await settle()
        try report(error)
    }
}

/// An interruption in progress ends the process from its handler; a closed
/// stdout ends it with 141.
private func settle() async throws {
    while CleanupRegistry.shared.interruption != nil { try? await Task.sleep(for: .seconds(1)) }
    if StandardStreams.isStdoutClosed { throw ExitCode(141) }
}

private func report(_ error: Error) throws {
    do {
        throw error
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch let e as SnapError {
        Output.error(e.description)
        if case .lockHeld = e { throw ExitCode(4) }
        throw ExitCode.failure
    } catch let e as AWSError {
        Output.error(e.description)
        throw ExitCode.failure
    } catch {
        Output.error("\(error)")
        throw ExitCode.failure
    }
}
