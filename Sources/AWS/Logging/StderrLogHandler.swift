import Foundation
import Logging

/// How log lines look: text for people, or one JSON object per line for
/// CloudWatch, journald and friends.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// A swift-log handler writing one line per message to stderr, every line
/// passed through a `Redactor` first.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let redactor: Redactor

    public init(label: String, level: Logger.Level, format: LogFormat, redactor: Redactor) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let line = Self.line(
            time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: all, format: format)
        StderrLogHandler.write(redactor.redact(line) + "\n")
    }

    static func line(
        time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, format: LogFormat
    ) -> String {
        let stamp = timestamp(time)
        switch format {
        case .text:
            let extra = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            return "\(stamp) \(level.rawValue.uppercased()) [\(label)] \(message)\(extra)"
        case .json:
            var o: [String: JSONValue] = [
                "time": .string(stamp), "level": .string(level.rawValue), "logger": .string(label), "message": .string(message),
            ]
            for (k, v) in metadata where o[k] == nil { o[k] = .string("\(v)") }
            return String(decoding: JSONValue.object(o).canonicalData(), as: UTF8.self)
        }
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(ms % 1000))
    }

    private static let lock = NSLock()

    /// Whole lines under a lock, so lines from parallel tasks never interleave.
    static func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return  // stderr is gone: there is no one left to tell
            }
            offset += n
        }
    }
}

/// swift-log, set up once per process: every logger writes to stderr.
public enum SnapLogging {
    private static let once = NSLock()
    nonisolated(unsafe) private static var done = false

    /// The level for `-v` counted: none warnings only, 1 info (retries,
    /// throttling and pace, locks, store attempts), 2 debug (each request
    /// with its timing), 3 or more trace.
    public static func level(verbosity: Int) -> Logger.Level {
        switch verbosity {
        case ...0: .warning
        case 1: .info
        case 2: .debug
        default: .trace
        }
    }

    /// Later calls are ignored: swift-log allows one bootstrap per process.
    public static func bootstrap(verbosity: Int, format: LogFormat, secrets: [String]) {
        once.lock()
        defer { once.unlock() }
        guard !done else { return }
        done = true
        let level = level(verbosity: verbosity)
        let redactor = Redactor(secrets: secrets)
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, format: format, redactor: redactor) }
    }
}
