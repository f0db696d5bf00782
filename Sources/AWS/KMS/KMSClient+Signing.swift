import Foundation

/// KMS's signing calls: Sign and Verify with an asymmetric key (KeyUsage SIGN_VERIFY), GetPublicKey for
/// verifying without KMS, and GenerateMac and VerifyMac with an HMAC key (KeyUsage GENERATE_VERIFY_MAC).
/// Messages, signatures and MACs travel base64 in the JSON; a signature or MAC is never logged (request
/// logs carry no bodies, and the `Redactor` masks `Signature` and `Mac`).
///
/// Verify and VerifyMac answer a signature or MAC that does not match with an error
/// (KMSInvalidSignatureException, KMSInvalidMacException): here that is `false`, and only a call that
/// could not decide (access denied, no such key, throttled past the retries) throws.
extension KMSClient {
    /// How KMS reads Sign's and Verify's `Message`: the bytes themselves (RAW, at most 4096 bytes; KMS hashes
    /// them with the algorithm's hash), or their digest under that hash (DIGEST, hashed already). A message and
    /// its digest are the same message: the signature is the same and verifies either way.
    public enum MessageType: String, Sendable {
        case raw = "RAW"
        case digest = "DIGEST"
    }

    /// The most bytes a RAW message (Sign, Verify) or a MAC's message (GenerateMac, VerifyMac) may have.
    public static let maxMessageBytes = 4096

    /// An asymmetric key's public half, as GetPublicKey gives it.
    public struct PublicKeyInfo: Sendable, Equatable {
        /// The DER-encoded X.509 SubjectPublicKeyInfo (RFC 5280).
        public var der: Data
        /// ECC_NIST_P256, RSA_2048, … (KeySpec; the deprecated CustomerMasterKeySpec when KeySpec is absent).
        public var keySpec: String
        /// SIGN_VERIFY, ENCRYPT_DECRYPT, …
        public var keyUsage: String
        /// The signing algorithms the key supports (empty for a key that does not sign).
        public var signingAlgorithms: [String]

        public init(der: Data, keySpec: String, keyUsage: String, signingAlgorithms: [String]) {
            self.der = der
            self.keySpec = keySpec
            self.keyUsage = keyUsage
            self.signingAlgorithms = signingAlgorithms
        }
    }

    /// Sign: the signature of `message` under `keyId` with `algorithm` (ECDSA_SHA_256, RSASSA_PSS_SHA_256, …).
    /// An ECDSA signature is DER-encoded (ASN.1 `Ecdsa-Sig-Value`), as KMS returns it.
    public func sign(keyId: String, message: Data, algorithm: String, messageType: MessageType = .raw) async throws -> Data {
        let out = try await call(
            "Sign",
            [
                "KeyId": .string(keyId), "Message": .string(message.base64EncodedString()),
                "MessageType": .string(messageType.rawValue), "SigningAlgorithm": .string(algorithm),
            ])
        guard let signature = out["Signature"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), !signature.isEmpty else {
            throw AWSError.invalidResponse(service: "kms", operation: "Sign", reason: "no base64 Signature")
        }
        return signature
    }

    /// Verify: whether `signature` is `keyId`'s signature of `message` with `algorithm`. A signature that
    /// does not match is `false` (KMS answers KMSInvalidSignatureException; some servers SignatureValid false).
    public func verify(
        keyId: String, message: Data, signature: Data, algorithm: String, messageType: MessageType = .raw
    ) async throws -> Bool {
        let out: JSONValue
        do {
            out = try await call(
                "Verify",
                [
                    "KeyId": .string(keyId), "Message": .string(message.base64EncodedString()),
                    "MessageType": .string(messageType.rawValue), "Signature": .string(signature.base64EncodedString()),
                    "SigningAlgorithm": .string(algorithm),
                ])
        } catch AWSError.service(let e) where e.code == "KMSInvalidSignatureException" {
            return false
        }
        guard let valid = out["SignatureValid"]?.boolValue else {
            throw AWSError.invalidResponse(service: "kms", operation: "Verify", reason: "no boolean SignatureValid")
        }
        return valid
    }

    /// GetPublicKey: the public half of the asymmetric key `keyId`, with its spec, usage and algorithms.
    public func getPublicKey(keyId: String) async throws -> PublicKeyInfo {
        let out = try await call("GetPublicKey", ["KeyId": .string(keyId)])
        guard let der = out["PublicKey"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), !der.isEmpty else {
            throw AWSError.invalidResponse(service: "kms", operation: "GetPublicKey", reason: "no base64 PublicKey")
        }
        guard let spec = out["KeySpec"]?.stringValue ?? out["CustomerMasterKeySpec"]?.stringValue else {
            throw AWSError.invalidResponse(service: "kms", operation: "GetPublicKey", reason: "no KeySpec")
        }
        return PublicKeyInfo(
            der: der, keySpec: spec, keyUsage: out["KeyUsage"]?.stringValue ?? "",
            signingAlgorithms: out["SigningAlgorithms"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// GenerateMac: the MAC of `message` (at most 4096 bytes) under the HMAC key `keyId` with `algorithm`
    /// (HMAC_SHA_256 for an HMAC_256 key).
    public func generateMac(keyId: String, message: Data, algorithm: String = "HMAC_SHA_256") async throws -> Data {
        let out = try await call(
            "GenerateMac",
            ["KeyId": .string(keyId), "Message": .string(message.base64EncodedString()), "MacAlgorithm": .string(algorithm)])
        guard let mac = out["Mac"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), !mac.isEmpty else {
            throw AWSError.invalidResponse(service: "kms", operation: "GenerateMac", reason: "no base64 Mac")
        }
        return mac
    }

    /// VerifyMac: whether `mac` is `keyId`'s MAC of `message` with `algorithm`. A MAC that does not match is
    /// `false` (KMS answers KMSInvalidMacException; MacValid false is taken the same way).
    public func verifyMac(keyId: String, message: Data, mac: Data, algorithm: String = "HMAC_SHA_256") async throws -> Bool {
        let out: JSONValue
        do {
            out = try await call(
                "VerifyMac",
                [
                    "KeyId": .string(keyId), "Message": .string(message.base64EncodedString()),
                    "Mac": .string(mac.base64EncodedString()), "MacAlgorithm": .string(algorithm),
                ])
        } catch AWSError.service(let e) where e.code == "KMSInvalidMacException" {
            return false
        }
        guard let valid = out["MacValid"]?.boolValue else {
            throw AWSError.invalidResponse(service: "kms", operation: "VerifyMac", reason: "no boolean MacValid")
        }
        return valid
    }
}
