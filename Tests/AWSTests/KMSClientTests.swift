import Foundation
import Testing

@testable import AWS

/// The KMS client's pure parts (issue 21, item 2): the key ARN's region, and that a KMS answer's key
/// material never survives a log line. Its requests are proven against moto in SecretsCaptureTests.
@Suite struct KMSClientTests {
    @Test func aKeyARNGivesItsRegion() {
        #expect(KMSClient.region(ofKey: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab") == "eu-west-1")
        #expect(KMSClient.region(ofKey: "arn:aws-cn:kms:cn-north-1:123456789012:alias/backups") == "cn-north-1")
        #expect(KMSClient.region(ofKey: "alias/backups") == nil)
        #expect(KMSClient.region(ofKey: "arn:aws:sns:us-east-1:123456789012:topic") == nil)
    }

    @Test func dataKeysAndTheirEncryptedFormAreRedactedFromLogLines() {
        let plaintext = "c2VjcmV0LWRhdGEta2V5LTMyLWJ5dGVzLWxvbmctLS0tLQ=="
        let blob = "AQIDAHhBlobOfTheEncryptedDataKeyAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQ=="
        let answer = #"{"CiphertextBlob":"\#(blob)","KeyId":"arn:aws:kms:us-east-1:123456789012:key/k","Plaintext":"\#(plaintext)"}"#
        let out = Redactor().redact("kms GenerateDataKey answered \(answer)")
        #expect(!out.contains(plaintext) && !out.contains(blob), "\(out)")
        #expect(out.contains("arn:aws:kms:us-east-1:123456789012:key/k"), "the key's ARN is not a secret: \(out)")
        let secret = Redactor().redact(#"{"UserPoolClient":{"ClientId":"abc","ClientSecret":"the-client-secret-value"}}"#)
        #expect(!secret.contains("the-client-secret-value"), "\(secret)")
    }
}
