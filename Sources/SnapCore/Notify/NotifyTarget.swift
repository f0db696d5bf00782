import AWS
import Foundation

/// Where a summary goes: `sns:TOPIC_ARN` (the topic's region is in its ARN).
public enum NotifyTarget: Sendable, Equatable, CustomStringConvertible {
    case sns(topicArn: String, region: String)

    public init(_ text: String) throws(SnapError) {
        guard text.hasPrefix("sns:") else {
            throw SnapError.configuration("notify \(text): use sns:TOPIC_ARN (e.g. sns:arn:aws:sns:eu-west-1:123456789012:snap)")
        }
        let arn = String(text.dropFirst(4))
        guard let region = SNSClient.region(ofTopic: arn) else {
            throw SnapError.configuration("notify \(text): \(arn) is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
        }
        self = .sns(topicArn: arn, region: region)
    }

    public var description: String {
        switch self {
        case .sns(let arn, _): "sns:\(arn)"
        }
    }
}
