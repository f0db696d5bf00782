import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// Checks a manifest's signature with the key's public half alone, no AWS call and no credentials: the PEM
/// `snap key export --sign kms:KEY_ARN` wrote. An ECC_NIST_P256 key checks ECDSA_SHA_256 signatures (DER, as KMS
/// returns them, over the SHA-256 of the bytes); an RSA key (2048 bits or more) checks RSASSA_PSS_SHA_256 ones
/// (MGF1 with SHA-256, a salt as long as the hash, 32 bytes, as KMS makes them).
public struct OfflineVerifier: Sendable {
    private enum Key: Sendable {
        /// The SubjectPublicKeyInfo DER: P256.Signing.PublicKey is not Sendable, so it is made per check.
        case p256(der: [UInt8])
        /// The modulus and public exponent, big-endian.
        case rsa(n: [UInt8], e: [UInt8])
    }

    private let key: Key

    /// The algorithm this key checks: ECDSA_SHA_256 or RSASSA_PSS_SHA_256.
    public var algorithm: String {
        switch key {
        case .p256: return ManifestSignature.ecdsaP256
        case .rsa: return ManifestSignature.rsaPSS
        }
    }

    /// Reads a `-----BEGIN PUBLIC KEY-----` PEM (SubjectPublicKeyInfo) of a P-256 or RSA key. An HMAC key has
    /// no public half: its MACs (HMAC_SHA_256) can only be checked by KMS VerifyMac, and `verify` refuses them.
    ///
    /// The key's algorithm is read here, with SwiftASN1, before any swift-crypto parser sees the bytes:
    /// swift-crypto 3.12.3's RSA parser frees its key twice when the bytes are not an RSA key (a heap
    /// corruption that aborted the unit tests now and then), so only a key already known to be RSA reaches
    /// `_RSA.Signing.PublicKey`, and then only as its modulus and exponent, a path that frees once.
    public init(pem: String) throws(SnapError) {
        let refusal = SnapError.configuration(
            "the public key is not a PEM SubjectPublicKeyInfo (-----BEGIN PUBLIC KEY-----) of an ECC_NIST_P256 or RSA key of 2048 bits or more: write it with `snap key export --sign kms:KEY_ARN`"
        )
        // Each parser's error says only "not this kind of key"; the refusal says what is needed.
        guard let document = try? PEMDocument(pemString: pem), document.discriminator == "PUBLIC KEY",
            let info = try? SubjectPublicKeyInfo(der: document.derBytes)
        else { throw refusal }
        switch (info.algorithm, info.curve) {
        case (Self.ecPublicKey, Self.prime256v1?):
            guard (try? P256.Signing.PublicKey(derRepresentation: document.derBytes)) != nil else { throw refusal }
            key = .p256(der: document.derBytes)
        case (Self.rsaEncryption, nil):
            guard let (n, e) = try? info.rsaModulusAndExponent(),
                let rsa = try? _RSA.Signing.PublicKey(n: n, e: e), rsa.keySizeInBits >= 2048
            else { throw refusal }
            key = .rsa(n: n, e: e)
        default:
            throw refusal
        }
    }

    /// Whether `signature` is this key's signature of `bytes`. False for a changed byte, another key's
    /// signature, an algorithm other than this key's (HMAC_SHA_256 always), or a value that is not base64.
    public func verify(_ bytes: [UInt8], _ signature: ManifestSignature) -> Bool {
        guard signature.alg == algorithm, let value = signature.bytes, !value.isEmpty else { return false }
        let digest = SHA256.hash(data: bytes)
        switch key {
        case .p256(let der):
            // The DER was read by the same parser in init; a signature that is not DER is simply not valid.
            guard let publicKey = try? P256.Signing.PublicKey(derRepresentation: der),
                let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: value)
            else { return false }
            return publicKey.isValidSignature(ecdsa, for: digest)
        case .rsa(let n, let e):
            // The same modulus and exponent made a key in init.
            guard let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e) else { return false }
            return publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: value), for: digest, padding: .PSS)
        }
    }

    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
}

/// RFC 5280's SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { algorithm OID, parameters ANY OPTIONAL },
/// subjectPublicKey BIT STRING }. `curve` is the parameters when they are an OID (an EC key's named curve).
private struct SubjectPublicKeyInfo {
    var algorithm: ASN1ObjectIdentifier
    var curve: ASN1ObjectIdentifier?
    var key: ASN1BitString

    init(der: [UInt8]) throws {
        (algorithm, curve, key) = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
            guard let algorithmNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no algorithm") }
            let (algorithm, curve) = try DER.sequence(algorithmNode, identifier: .sequence) { parts in
                let algorithm = try ASN1ObjectIdentifier(derEncoded: &parts)
                let parameters = parts.next()
                let curve = try parameters.map { node in
                    node.identifier == .objectIdentifier ? try ASN1ObjectIdentifier(derEncoded: node) : nil
                }
                return (algorithm, curve ?? nil)
            }
            return (algorithm, curve, try ASN1BitString(derEncoded: &nodes))
        }
    }

    /// RFC 8017's RSAPublicKey inside the bit string: SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
    func rsaModulusAndExponent() throws -> (n: [UInt8], e: [UInt8]) {
        guard key.paddingBits == 0 else { throw ASN1Error.invalidASN1Object(reason: "padded key bits") }
        return try DER.sequence(try DER.parse(key.bytes), identifier: .sequence) { nodes in
            let n = try ArraySlice<UInt8>(derEncoded: &nodes)
            let e = try ArraySlice<UInt8>(derEncoded: &nodes)
            return (Array(n), Array(e))
        }
    }
}
