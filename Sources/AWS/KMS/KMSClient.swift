import Foundation
import Logging

/// AWS KMS over the AWS JSON 1.1 protocol (a POST to `/` with `X-Amz-Target: TrentService.<Operation>`),
/// only what snap needs: GenerateDataKey and Decrypt for envelope encryption, and the signing calls of
/// `KMSClient+Signing.swift`. Blobs travel base64 in the JSON. Neither the plaintext key nor its encrypted
/// form is ever logged: request logs carry no bodies, and the `Redactor` masks `Plaintext` and
/// `CiphertextBlob` (and `Signature` and `Mac`) should an answer ever be.
public struct KMSClient: Sendable {
    public let region: String
    let sender: SignedSender

    public init(
        region: String, environment: AWSEnvironment, http: HTTPClient, credentials: any CredentialsProvider,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4)
    ) throws {
        self.region = region
        let endpoint = try Endpoint.resolve(serviceId: "KMS", hostPrefix: "kms", region: region, environment: environment)
        sender = SignedSender(
            service: "kms", signingName: "kms", region: region, endpoint: endpoint, http: http, credentials: credentials,
            retry: retry, logger: Logger(label: "snap.aws.kms"))
    }

    /// The region in a key ARN, `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` (or `alias/NAME`); nil when it is not one.
    public static func region(ofKey arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "kms", !parts[3].isEmpty, !parts[5].isEmpty else { return nil }
        return String(parts[3])
    }

    /// A data key: `plaintext` (32 bytes for AES_256; the caller zeroes it once used) and `ciphertextBlob`,
    /// the same key encrypted under `keyId`, which only KMS Decrypt (with the same context) turns back.
    public struct DataKey: Sendable {
        public var plaintext: Data
        public var ciphertextBlob: Data
        /// The ARN of the key KMS used (a key id or alias given is resolved to it).
        public var keyId: String
    }

    /// GenerateDataKey with KeySpec AES_256 under `keyId`, bound to `context` (Decrypt must pass the same).
    public func generateDataKey(keyId: String, context: [String: String]) async throws -> DataKey {
        let out = try await call(
            "GenerateDataKey",
            [
                "KeyId": .string(keyId), "KeySpec": "AES_256",
                "EncryptionContext": .object(context.mapValues { .string($0) }),
            ])
        guard let plain = out["Plaintext"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
            let blob = out["CiphertextBlob"]?.stringValue.flatMap({ Data(base64Encoded: $0) })
        else {
            throw AWSError.invalidResponse(service: "kms", operation: "GenerateDataKey", reason: "no base64 Plaintext and CiphertextBlob")
        }
        return DataKey(plaintext: plain, ciphertextBlob: blob, keyId: out["KeyId"]?.stringValue ?? keyId)
    }

    /// Decrypt of `ciphertextBlob` under `keyId` with `context`: the plaintext (the caller zeroes it once used).
    public func decrypt(ciphertextBlob: Data, keyId: String, context: [String: String]) async throws -> Data {
        let out = try await call(
            "Decrypt",
            [
                "CiphertextBlob": .string(ciphertextBlob.base64EncodedString()), "KeyId": .string(keyId),
                "EncryptionContext": .object(context.mapValues { .string($0) }),
            ])
        guard let plain = out["Plaintext"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
            throw AWSError.invalidResponse(service: "kms", operation: "Decrypt", reason: "no base64 Plaintext")
        }
        return plain
    }

    /// One JSON 1.1 call: `input` as the body, the answer parsed (`KMSClient+Signing.swift` uses it too).
    func call(_ operation: String, _ input: JSONValue) async throws -> JSONValue {
        let request = HTTPRequest(
            method: "POST", host: "", path: "/",
            headers: [
                HTTPHeader("Content-Type", "application/x-amz-json-1.1"),
                HTTPHeader("X-Amz-Target", "TrentService.\(operation)"),
            ],
            body: .data(input.canonicalData()))
        let response = try await sender.send(request, operation: operation)
        do {
            return try JSONParser.parse(response.body)
        } catch {
            // The parser's reason, never the body: it holds key material.
            throw AWSError.invalidResponse(service: "kms", operation: operation, reason: "the answer is not JSON")
        }
    }
}
