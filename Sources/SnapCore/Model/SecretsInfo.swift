import AWS
import Foundation

/// The manifest's `"secrets":{"kmsKeyArn","encryptedDataKey","sha256"}` (`create --with-secrets`):
/// the KMS key the data key was generated under, that data key as KMS encrypted it (base64 of
/// GenerateDataKey's CiphertextBlob; only KMS Decrypt, with the snapshot's encryption context, opens
/// it), and the SHA-256 of secrets.enc, which every reader checks without decrypting anything.
public struct SecretsInfo: Sendable, Equatable {
    public var kmsKeyArn: String
    public var encryptedDataKey: Data
    public var sha256: String

    public init(kmsKeyArn: String, encryptedDataKey: Data, sha256: String) {
        self.kmsKeyArn = kmsKeyArn
        self.encryptedDataKey = encryptedDataKey
        self.sha256 = sha256
    }

    public var json: JSONValue {
        [
            "kmsKeyArn": .string(kmsKeyArn), "encryptedDataKey": .string(encryptedDataKey.base64EncodedString()),
            "sha256": .string(sha256),
        ]
    }

    /// nil when a field is missing or not of its form (a sha256 is 64 lowercase hex digits).
    public init?(json: JSONValue) {
        guard let arn = json["kmsKeyArn"]?.stringValue, !arn.isEmpty,
            let key = json["encryptedDataKey"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), !key.isEmpty,
            let sha = json["sha256"]?.stringValue, sha.count == 64, sha.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        self.init(kmsKeyArn: arn, encryptedDataKey: key, sha256: sha)
    }
}
