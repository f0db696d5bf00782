import AWS
import Crypto
import Foundation

/// secrets.enc's bytes: `nonce (12) || ciphertext || tag (16)`, AES-256-GCM (swift-crypto's
/// `AES.GCM.SealedBox.combined`) over the canonical JSON bytes of `CapturedSecrets.json`, under a data key
/// KMS generated for this one snapshot (`SecretsKMS`). No associated data: the key itself is bound to the
/// pool and snapshot by KMS's encryption context, so secrets.enc moved to another snapshot opens under no key.
public enum SecretsEnvelope {
    /// What a reader accepts before refusing the member (a pool's secrets are a few KB).
    public static let maxBytes = 16 << 20

    /// The encryption context GenerateDataKey and Decrypt pass: `{"snap:pool": POOL, "snap:snapshot": ID}`.
    public static func context(pool: String, snapshot: String) -> [String: String] {
        ["snap:pool": pool, "snap:snapshot": snapshot]
    }

    /// Encrypts `secrets`; the plaintext JSON is zeroed once sealed.
    public static func seal(_ secrets: CapturedSecrets, key: SymmetricKey) throws -> Data {
        var plaintext = secrets.json.canonicalData()
        defer { plaintext.resetBytes(in: 0..<plaintext.count) }
        let box = try AES.GCM.seal(plaintext, using: key)
        guard let combined = box.combined else {
            // Only a nonce of a size other than 12 bytes has no combined form; seal made a 12-byte one.
            throw SnapError.io(path: Member.secrets.rawValue, reason: "AES-GCM gave no combined nonce, ciphertext and tag")
        }
        return combined
    }

    /// Decrypts secrets.enc's `bytes`; `source` names the snapshot in errors. A wrong key, or bytes
    /// altered after the digest check, fail the tag check: the member is damaged.
    public static func open(_ bytes: Data, key: SymmetricKey, source: String) throws -> CapturedSecrets {
        func damaged(_ why: String) -> SnapError { .damaged(source: source, member: Member.secrets.rawValue, reason: why) }
        guard bytes.count >= 12 + 16 else { throw damaged("\(bytes.count) bytes, shorter than a nonce and a tag") }
        var plaintext: Data
        do {
            plaintext = try AES.GCM.open(AES.GCM.SealedBox(combined: bytes), using: key)
        } catch {
            throw damaged("it does not decrypt under the manifest's data key (AES-GCM tag mismatch)")
        }
        defer { plaintext.resetBytes(in: 0..<plaintext.count) }
        // No I/O here; a parse failure is not swallowed but thrown as damage below (its reason could quote
        // the plaintext, so only its kind is said).
        guard let json = try? JSONParser.parse(plaintext), let secrets = CapturedSecrets(json: json) else {
            throw damaged("it decrypts, but not to the secrets' JSON form")
        }
        return secrets
    }
}
