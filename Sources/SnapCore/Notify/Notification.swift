import AWS
import Foundation

/// The JSON summary a command publishes when it ends: on success, partial
/// success (exit 3) and failure alike, so silence itself is the alarm.
public struct Notification: Sendable {
    public enum Status: String, Sendable {
        case success, partial, failure
    }

    public var command: String
    public var exitCode: Int32
    public var userPoolId: String?
    /// What the command reports (its --json summary, or the parts of it that matter).
    public var summary: JSONValue?
    /// The error lines it printed.
    public var errors: [String]
    public var tool: String
    public var time = Date()
    public var host = ProcessInfo.processInfo.hostName

    public init(command: String, exitCode: Int32, userPoolId: String?, summary: JSONValue?, errors: [String], tool: String) {
        self.command = command
        self.exitCode = exitCode
        self.userPoolId = userPoolId
        self.summary = summary
        self.errors = errors
        self.tool = tool
    }

    public var status: Status {
        switch exitCode {
        case 0: .success
        case 3: .partial
        default: .failure
        }
    }

    /// `snap create succeeded for us-east-1_X`, short enough for an e-mail subject.
    public var subject: String {
        let what: String
        switch status {
        case .success: what = "succeeded"
        case .partial: what = "partly failed"
        case .failure: what = "FAILED"
        }
        return "snap \(command) \(what)" + (userPoolId.map { " for \($0)" } ?? "")
    }

    public var json: JSONValue {
        [
            "source": "snap", "command": .string(command), "status": .string(status.rawValue), "exitCode": .int(Int(exitCode)),
            "userPoolId": userPoolId.map { .string($0) } ?? .null, "summary": summary ?? .null,
            "errors": .array(errors.map { .string($0) }), "host": .string(host), "time": .string(Timestamp.format(time)),
            "tool": .string(tool),
        ]
    }
}

/// Publishes notifications. A target that fails is reported back to the
/// caller, never thrown: a failed notification must not change the outcome.
public struct Notifier: Sendable {
    public let targets: [NotifyTarget]
    let environment: AWSEnvironment
    let http: HTTPClient
    let credentials: any CredentialsProvider

    public init(targets: [NotifyTarget], environment: AWSEnvironment, http: HTTPClient, credentials: any CredentialsProvider) {
        self.targets = targets
        self.environment = environment
        self.http = http
        self.credentials = credentials
    }

    /// Returns one line per target that could not be told.
    public func send(_ n: Notification) async -> [String] {
        var failures: [String] = []
        let message = String(decoding: n.json.canonicalData(), as: UTF8.self)
        for target in targets {
            switch target {
            case .sns(let arn, let region):
                do {
                    let sns = try SNSClient(region: region, environment: environment, http: http, credentials: credentials)
                    try await sns.publish(topicArn: arn, subject: n.subject, message: message)
                } catch {
                    failures.append("notification to \(target) failed: \(error)")
                }
            }
        }
        return failures
    }
}
