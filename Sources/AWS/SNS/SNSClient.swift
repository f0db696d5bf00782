import Foundation
import Logging

/// Amazon SNS over the Query protocol (like STS): a form-encoded POST to `/`
/// with `Action=Publish&Version=2010-03-31`, answered with XML. Only what
/// notifications need.
public struct SNSClient: Sendable {
    public static let apiVersion = "2010-03-31"

    public let region: String
    let sender: SignedSender

    public init(
        region: String, environment: AWSEnvironment, http: HTTPClient, credentials: any CredentialsProvider,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4)
    ) throws {
        self.region = region
        let endpoint = try Endpoint.resolve(serviceId: "SNS", hostPrefix: "sns", region: region, environment: environment)
        sender = SignedSender(
            service: "sns", signingName: "sns", region: region, endpoint: endpoint, http: http, credentials: credentials,
            retry: retry, logger: Logger(label: "snap.aws.sns"))
    }

    /// The region in a topic ARN, `arn:PARTITION:sns:REGION:ACCOUNT:NAME`; nil when it is not one.
    public static func region(ofTopic arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sns", !parts[3].isEmpty, !parts[5].isEmpty else { return nil }
        return String(parts[3])
    }

    /// application/x-www-form-urlencoded as HTML forms (and Python's
    /// urlencode) write it: a space is "+". AWS takes either form; servers
    /// that check the signature over the re-encoded form (moto) need this one.
    static func formEncode(_ text: String) -> String {
        URIEncoding.encode(text).replacingOccurrences(of: "%20", with: "+")
    }

    /// Publishes `message` to `topicArn`; returns the message id.
    @discardableResult
    public func publish(topicArn: String, subject: String?, message: String) async throws -> String {
        var params = [("TopicArn", topicArn), ("Message", message)]
        // SNS refuses a subject over 100 characters or with control characters.
        if let subject { params.append(("Subject", String(subject.filter { !$0.isNewline }.prefix(100)))) }
        let form = ([("Action", "Publish"), ("Version", Self.apiVersion)] + params)
            .map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }
            .joined(separator: "&")
        let request = HTTPRequest(
            method: "POST", host: "", path: "/",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: .data(Data(form.utf8)))
        let response = try await sender.send(request, operation: "Publish")
        let xml = String(decoding: response.body, as: UTF8.self)
        return ErrorDocument.xmlElement("MessageId", in: xml) ?? ""
    }
}
