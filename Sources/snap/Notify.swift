import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `--notify sns:TOPIC_ARN` for create, prune, sync and restore.
struct NotifyOptions: ParsableArguments {
    @Option(
        name: .customLong("notify"),
        help: ArgumentHelp(
            "Publish a JSON summary when the command ends (success, partial or failure) to sns:TOPIC_ARN; repeatable (default: notify in snap.toml). A failed notification is reported; the exit status stays the command's.",
            valueName: "TARGET"))
    var targets: [String] = []

    func validate() throws {
        for t in targets {
            do { _ = try NotifyTarget(t) } catch { throw ValidationError("--notify \(t): \(error)") }
        }
    }

    /// Runs `body` (a whole command, exit status included) and then
    /// publishes its summary: the exit status, what `report` holds, and the
    /// error lines it printed. The command's own outcome is rethrown unchanged.
    func run(
        _ command: String, ctx: Context, pool: String?, report: NotifyReport, _ body: () async throws -> Void
    ) async throws {
        let targets: [NotifyTarget]
        do {
            targets = try (self.targets.isEmpty ? ctx.config().notify : self.targets).map { try NotifyTarget($0) }
        } catch {
            // A bad notify setting in snap.toml must not stop the backup: say so, and go on.
            Output.error("\(error)")
            targets = []
        }
        if targets.isEmpty { return try await body() }
        var outcome: Error?
        do {
            try await Output.$errorReport.withValue(report) { try await body() }
        } catch {
            outcome = error
        }
        let code: Int32
        switch outcome {
        case nil: code = 0
        case let e as ExitCode: code = e.rawValue
        default:
            code = 1
            if let outcome { report.error("\(outcome)") }
        }
        let notification = Notification(
            command: command, exitCode: code, userPoolId: pool, summary: report.summary, errors: report.errors,
            tool: Snap.versionText)
        let failures = await Notifier(targets: targets, environment: ctx.environment, http: ctx.http, credentials: ctx.credentials)
            .send(notification)
        // Reported after the command's own lines; the exit status stays the command's.
        for f in failures { StandardStreams.err(Data("snap: warning: \(f)\n".utf8)) }
        if let outcome { throw outcome }
    }
}

/// What a command tells its notification: a summary and its error lines.
final class NotifyReport: @unchecked Sendable {
    private let lock = NSLock()
    private var _summary: JSONValue?
    private var _errors: [String] = []

    var summary: JSONValue? {
        get { lock.withLock { _summary } }
        set { lock.withLock { _summary = newValue } }
    }

    var errors: [String] { lock.withLock { _errors } }

    func error(_ line: String) {
        lock.withLock { _errors.append(line) }
    }
}
