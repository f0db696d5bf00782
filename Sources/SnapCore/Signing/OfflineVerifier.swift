import Crypto
import Foundation
import _CryptoExtras

/// Checks a manifest's signature with the key's public half alone, no AWS call and no credentials: the PEM
/// `snap key export --sign kms:KEY_ARN` wrote. An ECC_NIST_P256 key checks ECDSA_SHA_256 signatures (DER, as KMS
/// returns them, over the SHA-256 of the bytes); an RSA key (2048 bits or more) checks RSASSA_PSS_SHA_256 ones
/// (MGF1 with SHA-256, a salt as long as the hash, 32 bytes, as KMS makes them).
public struct OfflineVerifier: Sendable {
    private enum Kind: Sendable {
        case p256, rsa
    }

    // The key as DER, made into a swift-crypto key per check: P256.Signing.PublicKey is not Sendable.
    private let kind: Kind
    private let der: Data

    /// The algorithm this key checks: ECDSA_SHA_256 or RSASSA_PSS_SHA_256.
    public var algorithm: String {
        switch kind {
        case .p256: return ManifestSignature.ecdsaP256
        case .rsa: return ManifestSignature.rsaPSS
        }
    }

    /// Reads a `-----BEGIN PUBLIC KEY-----` PEM (SubjectPublicKeyInfo) of a P-256 or RSA key. An HMAC key has
    /// no public half: its MACs (HMAC_SHA_256) can only be checked by KMS VerifyMac, and `verify` refuses them.
    public init(pem: String) throws(SnapError) {
        // Each parser's error says only "not this kind of key"; the one below says what is needed.
        if let p256 = try? P256.Signing.PublicKey(pemRepresentation: pem) {
            (kind, der) = (.p256, p256.derRepresentation)
        } else if let rsa = try? _RSA.Signing.PublicKey(pemRepresentation: pem) {
            (kind, der) = (.rsa, rsa.derRepresentation)
        } else {
            throw .configuration(
                "the public key is not a PEM SubjectPublicKeyInfo (-----BEGIN PUBLIC KEY-----) of an ECC_NIST_P256 or RSA key of 2048 bits or more: write it with `snap key export --sign kms:KEY_ARN`"
            )
        }
    }

    /// Whether `signature` is this key's signature of `bytes`. False for a changed byte, another key's
    /// signature, an algorithm other than this key's (HMAC_SHA_256 always), or a value that is not base64.
    public func verify(_ bytes: [UInt8], _ signature: ManifestSignature) -> Bool {
        guard signature.alg == algorithm, let value = signature.bytes, !value.isEmpty else { return false }
        let digest = SHA256.hash(data: bytes)
        switch kind {
        case .p256:
            // The DER was read by the same parser in init; a signature that is not DER is simply not valid.
            guard let publicKey = try? P256.Signing.PublicKey(derRepresentation: der),
                let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: value)
            else { return false }
            return publicKey.isValidSignature(ecdsa, for: digest)
        case .rsa:
            // The DER was read by the same parser in init.
            guard let publicKey = try? _RSA.Signing.PublicKey(derRepresentation: der) else { return false }
            return publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: value), for: digest, padding: .PSS)
        }
    }
}
