import AWS
import Crypto
import Foundation

/// Signs a manifest's bytes with the `--sign` key through KMS, and checks such a signature through KMS.
///
/// `.kms` keys: GetPublicKey once per signer (cached) picks the algorithm, ECDSA_SHA_256 for an ECC_NIST_P256 key
/// and RSASSA_PSS_SHA_256 for RSA_2048/3072/4096; Sign then signs the bytes themselves (MessageType RAW) up to
/// 4096 bytes, and their SHA-256 digest (MessageType DIGEST) beyond: KMS takes no larger message, and a message
/// and its digest give the same signature, which `OfflineVerifier` checks against the bytes either way.
/// `.hmac` keys: GenerateMac HMAC_SHA_256 of the bytes, which KMS takes up to 4096 bytes only (a larger manifest
/// is refused, naming the way out: an asymmetric key); only KMS VerifyMac checks it.
///
/// A KMS failure names the key, the operation and the permission or setting to fix; when signing, it also says
/// the snapshot is not written: snap never writes an unsigned snapshot when signing was asked for.
public struct ManifestSigner: Sendable {
    public let key: SigningKey
    public let kms: KMSClient
    private let publicKeyCache = PublicKeyCache()

    public init(key: SigningKey, kms: KMSClient) {
        self.key = key
        self.kms = kms
    }

    /// The signature of `bytes` (a manifest's exact bytes) under this signer's key.
    public func sign(_ bytes: [UInt8]) async throws -> ManifestSignature {
        let notWritten = "; the snapshot is not written (snap never writes an unsigned snapshot when --sign is given)"
        switch key {
        case .kms(let arn):
            let alg = try await algorithm(role: "create", whenFailing: notWritten)
            let (message, type) = Self.message(bytes)
            do {
                let signature = try await kms.sign(keyId: arn, message: message, algorithm: alg, messageType: type)
                return ManifestSignature(alg: alg, key: arn, value: signature.base64EncodedString())
            } catch {
                throw Self.failure(error, key: arn, operation: "Sign", role: "create") + notWritten
            }
        case .hmac(let arn):
            guard bytes.count <= KMSClient.maxMessageBytes else {
                throw SnapError.signing(
                    key: arn, operation: "GenerateMac",
                    reason:
                        "the manifest is \(bytes.count) bytes and KMS GenerateMac takes at most \(KMSClient.maxMessageBytes): sign with an asymmetric key (--sign kms:KEY_ARN), whose signatures cover the SHA-256 digest of larger manifests\(notWritten)"
                )
            }
            do {
                let mac = try await kms.generateMac(keyId: arn, message: Data(bytes), algorithm: ManifestSignature.hmac)
                return ManifestSignature(alg: ManifestSignature.hmac, key: arn, value: mac.base64EncodedString())
            } catch {
                throw Self.failure(error, key: arn, operation: "GenerateMac", role: "create") + notWritten
            }
        }
    }

    /// Whether `signature` is this signer's key's signature of `bytes`. A signature naming another key, an
    /// algorithm this key does not sign with, or a value that is not base64 is `false` without asking KMS;
    /// otherwise KMS Verify (`.kms`) or VerifyMac (`.hmac`) decides. Throws only when KMS could not decide.
    public func verify(_ bytes: [UInt8], _ signature: ManifestSignature) async throws -> Bool {
        guard signature.key == key.arn, let value = signature.bytes, !value.isEmpty else { return false }
        switch key {
        case .kms(let arn):
            let alg = try await algorithm(role: "verify", whenFailing: "")
            guard signature.alg == alg else { return false }
            let (message, type) = Self.message(bytes)
            do {
                return try await kms.verify(keyId: arn, message: message, signature: value, algorithm: signature.alg, messageType: type)
            } catch {
                throw Self.failure(error, key: arn, operation: "Verify", role: "verify")
            }
        case .hmac(let arn):
            // snap makes no MAC of a larger manifest (GenerateMac refuses one): such a signature is not snap's.
            guard signature.alg == ManifestSignature.hmac, bytes.count <= KMSClient.maxMessageBytes else { return false }
            do {
                return try await kms.verifyMac(keyId: arn, message: Data(bytes), mac: value, algorithm: ManifestSignature.hmac)
            } catch {
                throw Self.failure(error, key: arn, operation: "VerifyMac", role: "verify")
            }
        }
    }

    /// The public half of a `.kms` key (GetPublicKey, once per signer), checked to be one snap signs with:
    /// KeyUsage SIGN_VERIFY and an ECC_NIST_P256 or RSA key spec. An `.hmac` key has none: an error says so.
    public func publicKey() async throws -> KMSClient.PublicKeyInfo { try await publicKey(role: nil) }

    /// `publicKey()`, a failure naming the `role` (create, verify) that needs kms:GetPublicKey.
    private func publicKey(role: String?) async throws -> KMSClient.PublicKeyInfo {
        guard case .kms(let arn) = key else {
            throw SnapError.signing(
                key: key.arn, operation: "GetPublicKey",
                reason: "an HMAC key has no public half: its MACs are checked only by KMS VerifyMac (kms:VerifyMac on the key)")
        }
        let kms = kms
        let info: KMSClient.PublicKeyInfo
        do {
            info = try await publicKeyCache.get { try await kms.getPublicKey(keyId: arn) }
        } catch {
            throw Self.failure(error, key: arn, operation: "GetPublicKey", role: role)
        }
        _ = try Self.algorithm(for: info, key: arn)
        return info
    }

    /// The signing algorithm for a key with `info`: ECDSA_SHA_256 for ECC_NIST_P256, RSASSA_PSS_SHA_256 for RSA;
    /// any other key, or one whose KeyUsage is not SIGN_VERIFY, is an error naming it and what is needed.
    public static func algorithm(for info: KMSClient.PublicKeyInfo, key: String) throws(SnapError) -> String {
        let needed =
            "--sign kms: needs an asymmetric KMS key with KeyUsage SIGN_VERIFY and KeySpec ECC_NIST_P256 or RSA_2048/3072/4096 (an HMAC_256 key: --sign hmac:KEY_ARN)"
        guard info.keyUsage == "SIGN_VERIFY" else {
            throw .signing(
                key: key, operation: "GetPublicKey",
                reason: "the key's KeyUsage is \(info.keyUsage.isEmpty ? "not given" : info.keyUsage), not SIGN_VERIFY: \(needed)")
        }
        let alg: String
        switch info.keySpec {
        case "ECC_NIST_P256": alg = ManifestSignature.ecdsaP256
        case "RSA_2048", "RSA_3072", "RSA_4096": alg = ManifestSignature.rsaPSS
        default:
            throw .signing(
                key: key, operation: "GetPublicKey", reason: "the key is \(info.keySpec), which snap does not sign with: \(needed)")
        }
        guard info.signingAlgorithms.isEmpty || info.signingAlgorithms.contains(alg) else {
            throw .signing(
                key: key, operation: "GetPublicKey",
                reason: "the key's SigningAlgorithms (\(info.signingAlgorithms.joined(separator: ", "))) lack \(alg): \(needed)")
        }
        return alg
    }

    /// The algorithm of this `.kms` signer's key; `suffix` ends a failure's reason.
    private func algorithm(role: String, whenFailing suffix: String) async throws -> String {
        do {
            return try Self.algorithm(for: try await publicKey(role: role), key: key.arn)
        } catch let e as SnapError {
            throw e + suffix
        }
    }

    /// What Sign and Verify send for `bytes`: the bytes (RAW) up to KMS's 4096, else their SHA-256 (DIGEST).
    static func message(_ bytes: [UInt8]) -> (Data, KMSClient.MessageType) {
        bytes.count <= KMSClient.maxMessageBytes ? (Data(bytes), .raw) : (Data(SHA256.hash(data: bytes)), .digest)
    }

    /// A KMS failure in the words an operator acts on: which permission, which key, which setting.
    static func failure(_ error: any Error, key: String, operation: String, role: String?) -> SnapError {
        if let e = error as? SnapError { return e }
        guard case AWSError.service(let e) = error else { return .signing(key: key, operation: operation, reason: "\(error)") }
        let reason: String
        switch e.code {
        case _ where e.isAccessDenied:
            reason = "access denied (\(e.code)): snap's \(role.map { "\($0) " } ?? "")role needs kms:\(operation) on \(key)"
        case "NotFoundException":
            reason = "the key does not exist (NotFoundException): check the ARN given to --sign and its region"
        case "DisabledException", "KMSInvalidStateException":
            reason = "the key cannot be used now (\(e.code): \(e.message)): enable it, or cancel its deletion"
        case "InvalidKeyUsageException", "UnsupportedOperationException":
            reason =
                "the key cannot do \(operation) (\(e.code): \(e.message)): kms:KEY_ARN needs an asymmetric SIGN_VERIFY key (ECC_NIST_P256 or RSA), hmac:KEY_ARN an HMAC_256 GENERATE_VERIFY_MAC key"
        default:
            reason = "\(error)"
        }
        return .signing(key: key, operation: operation, reason: reason)
    }
}

extension SnapError {
    /// A `.signing` error with `suffix` appended to its reason; any other error as it is.
    static func + (error: SnapError, suffix: String) -> SnapError {
        guard case .signing(let key, let operation, let reason) = error, !suffix.isEmpty, !reason.hasSuffix(suffix) else { return error }
        return .signing(key: key, operation: operation, reason: reason + suffix)
    }
}

/// GetPublicKey's answer, asked once per signer however many manifests it signs; a failed ask is not kept.
private actor PublicKeyCache {
    private var task: Task<KMSClient.PublicKeyInfo, any Error>?

    func get(_ fetch: @escaping @Sendable () async throws -> KMSClient.PublicKeyInfo) async throws -> KMSClient.PublicKeyInfo {
        if let task { return try await task.value }
        let made = Task { try await fetch() }
        task = made
        do {
            return try await made.value
        } catch {
            if task == made { task = nil }
            throw error
        }
    }
}
