import Foundation
import Logging
import Testing

@testable import AWS

/// Redaction of log lines, the log line formats, and the SNS client's ARN parsing.
@Suite struct LoggingTests {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJGMEQCIA=="

    @Test func presignedQueryValuesAreRedacted() {
        let url =
            "https://bucket.s3.amazonaws.com/import.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261127%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261127T000000Z&X-Amz-Expires=900&X-Amz-Security-Token=\(token)&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        let out = Redactor().redact("uploading to \(url) now")
        #expect(!out.contains("0123456789abcdef"))
        #expect(!out.contains("AKIAEXAMPLE"))
        #expect(!out.contains("IQoJb3JpZ2lu"))
        #expect(out.contains("X-Amz-Signature=[REDACTED]"))
        #expect(out.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"))
        #expect(out.contains("X-Amz-SignedHeaders=host"))
        #expect(out.hasSuffix(" now"))
    }

    @Test func headersAndEchoedCanonicalRequestsAreRedacted() {
        let header =
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261127/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024\nnext line"
        let out = Redactor().redact(header)
        #expect(!out.contains("fe5f80f77d5f"))
        #expect(out.hasSuffix("\nnext line"))
        let canonical = "host:bucket.s3.amazonaws.com\nx-amz-security-token:\(token)\nx-amz-date:20261127T000000Z"
        let c = Redactor().redact(canonical)
        #expect(!c.contains("IQoJb3JpZ2lu"))
        #expect(c.contains("x-amz-date:20261127T000000Z"))
        let json = #"{"SecretAccessKey":"abc/def+ghi","SessionToken":"tok"}"#
        let j = Redactor().redact(json)
        #expect(!j.contains("abc/def") && !j.contains("\"tok\""))
    }

    @Test func literalSecretsAreRedactedAnywhere() {
        let r = Redactor(secrets: [secret, token, "short"])
        let out = r.redact("key \(secret) and \(token) but short stays")
        #expect(!out.contains(secret) && !out.contains(token))
        #expect(out.contains("short stays"))
    }

    @Test func wordsThatMerelyContainAKeyAreLeftAlone() {
        let text = "SignedHeaders=host;x-amz-date authorizationMode=x"
        #expect(Redactor().redact(text) == text)
    }

    @Test func jsonLinesAreOneObjectEach() throws {
        let line = StderrLogHandler.line(
            time: Date(timeIntervalSince1970: 1_795_000_000.25), level: .info, label: "snap.aws",
            message: "s3 PutObject: \"SlowDown\"\nretry", metadata: ["store": "s3://b"], format: .json)
        #expect(!line.contains("\n"))
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(o["level"] as? String == "info")
        #expect(o["logger"] as? String == "snap.aws")
        #expect(o["message"] as? String == "s3 PutObject: \"SlowDown\"\nretry")
        #expect(o["store"] as? String == "s3://b")
        #expect((o["time"] as? String)?.hasSuffix(".250Z") == true)
        let text = StderrLogHandler.line(
            time: Date(timeIntervalSince1970: 0), level: .debug, label: "x", message: "m", metadata: [:], format: .text)
        #expect(text == "1970-01-01T00:00:00.000Z DEBUG [x] m")
    }

    @Test func verbosityLevels() {
        #expect(SnapLogging.level(verbosity: 0) == .warning)
        #expect(SnapLogging.level(verbosity: 1) == .info)
        #expect(SnapLogging.level(verbosity: 2) == .debug)
        #expect(SnapLogging.level(verbosity: 5) == .trace)
    }

    @Test func requestLinesHidePresigningValues() {
        let req = HTTPRequest(
            method: "PUT", host: "b.s3.amazonaws.com", path: "/k",
            query: [QueryItem("X-Amz-Signature", "abc123"), QueryItem("partNumber", "2")])
        let line = RequestLog.line(req, operation: "UploadPart", status: 200, since: .now, attempt: 2)
        #expect(!line.contains("abc123"))
        #expect(line.contains("partNumber=2") && line.contains("-> 200 in") && line.contains("(attempt 2)"))
    }

    @Test func topicRegions() {
        #expect(SNSClient.region(ofTopic: "arn:aws:sns:eu-west-1:123456789012:snap") == "eu-west-1")
        #expect(SNSClient.region(ofTopic: "arn:aws:s3:::bucket") == nil)
        #expect(SNSClient.region(ofTopic: "snap") == nil)
    }
}
