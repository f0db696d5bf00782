import AWS
import Crypto
import Foundation

/// The KMS half of secrets.enc's envelope: a data key per snapshot from GenerateDataKey (create), the
/// same key back from Decrypt (restore), both with `SecretsEnvelope.context`. The plaintext key lives
/// only as a `SymmetricKey` (swift-crypto keeps it in storage it zeroes when freed); the bytes KMS's
/// answer was decoded into are zeroed here. KMS errors name the key, the snapshot and the permission.
public struct SecretsKMS: Sendable {
    public let kms: KMSClient
    public let keyArn: String

    public init(kms: KMSClient, keyArn: String) {
        self.kms = kms
        self.keyArn = keyArn
    }

    /// A data key for one snapshot: the key to seal with, and the manifest's `secrets` field less the
    /// digest (`keyArn` is the ARN KMS answered with, an alias given resolved to its key).
    public struct Sealing {
        public var key: SymmetricKey
        public var keyArn: String
        public var encryptedDataKey: Data
    }

    /// A fresh data key for `snapshot` of `pool`, and its encrypted form for the manifest.
    public func generate(pool: String, snapshot: String) async throws -> Sealing {
        var generated: KMSClient.DataKey
        do {
            generated = try await kms.generateDataKey(keyId: keyArn, context: SecretsEnvelope.context(pool: pool, snapshot: snapshot))
        } catch {
            throw Self.failure(error, key: keyArn, snapshot: snapshot, operation: "GenerateDataKey", role: "create")
        }
        defer { generated.plaintext.resetBytes(in: 0..<generated.plaintext.count) }
        guard generated.plaintext.count == 32 else {
            throw SnapError.secretsKey(
                key: keyArn, snapshot: snapshot, operation: "GenerateDataKey",
                reason: "KMS gave a \(generated.plaintext.count)-byte data key for KeySpec AES_256 (32 expected)")
        }
        return Sealing(
            key: SymmetricKey(data: generated.plaintext), keyArn: generated.keyId.isEmpty ? keyArn : generated.keyId,
            encryptedDataKey: generated.ciphertextBlob)
    }

    /// The data key of a snapshot whose manifest says `info` (its key ARN is `info.kmsKeyArn`).
    public static func decrypt(_ info: SecretsInfo, kms: KMSClient, pool: String, snapshot: String) async throws -> SymmetricKey {
        var plain: Data
        do {
            plain = try await kms.decrypt(
                ciphertextBlob: info.encryptedDataKey, keyId: info.kmsKeyArn,
                context: SecretsEnvelope.context(pool: pool, snapshot: snapshot))
        } catch {
            throw failure(error, key: info.kmsKeyArn, snapshot: snapshot, operation: "Decrypt", role: "restore")
        }
        defer { plain.resetBytes(in: 0..<plain.count) }
        guard plain.count == 32 else {
            throw SnapError.secretsKey(
                key: info.kmsKeyArn, snapshot: snapshot, operation: "Decrypt", reason: "KMS gave a \(plain.count)-byte key (32 expected)")
        }
        return SymmetricKey(data: plain)
    }

    /// A KMS failure in the words an operator acts on: which permission, which key.
    static func failure(_ error: any Error, key: String, snapshot: String, operation: String, role: String) -> SnapError {
        guard case AWSError.service(let e) = error else {
            return .secretsKey(key: key, snapshot: snapshot, operation: operation, reason: "\(error)")
        }
        let reason: String
        switch e.code {
        case _ where e.isAccessDenied:
            reason = "access denied (\(e.code)): snap's \(role) role needs kms:\(operation) on \(key)"
        case "NotFoundException":
            reason = "the key does not exist (NotFoundException): check --secrets-kms-key (secrets_kms_key in snap.toml) and its region"
        case "DisabledException", "KMSInvalidStateException":
            reason = "the key cannot be used now (\(e.code): \(e.message)): enable it, or cancel its deletion"
        case "InvalidCiphertextException":
            reason =
                "KMS refused the manifest's encryptedDataKey (InvalidCiphertextException): the manifest's secrets field or the snapshot's pool or ID do not match what it was sealed with"
        case "IncorrectKeyException":
            reason = "the data key was not encrypted under this key (IncorrectKeyException)"
        default:
            reason = "\(error)"
        }
        return .secretsKey(key: key, snapshot: snapshot, operation: operation, reason: reason)
    }
}
