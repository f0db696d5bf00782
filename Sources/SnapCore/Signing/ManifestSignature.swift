import AWS
import Foundation

/// A manifest's signature: `{"alg": ALG, "key": KEY_ARN, "value": BASE64}`. `alg` is ECDSA_SHA_256 (an
/// ECC_NIST_P256 key; `value` is the DER-encoded ECDSA signature KMS returns), RSASSA_PSS_SHA_256 (an RSA key;
/// MGF1 with SHA-256, salt of 32 bytes) or HMAC_SHA_256 (an HMAC_256 key; `value` is the 32-byte MAC). `key`
/// is the ARN the signature was made with, as `--sign` named it.
public struct ManifestSignature: Sendable, Equatable {
    /// The algorithms snap signs with and reads.
    public static let algorithms = [ecdsaP256, rsaPSS, hmac]
    public static let ecdsaP256 = "ECDSA_SHA_256"
    public static let rsaPSS = "RSASSA_PSS_SHA_256"
    public static let hmac = "HMAC_SHA_256"

    public var alg: String
    public var key: String
    /// The signature or MAC, base64.
    public var value: String

    public init(alg: String, key: String, value: String) {
        self.alg = alg
        self.key = key
        self.value = value
    }

    /// The signature's bytes; nil when `value` is not base64.
    public var bytes: Data? { Data(base64Encoded: value) }

    /// The JSON form above.
    public var json: JSONValue { ["alg": .string(alg), "key": .string(key), "value": .string(value)] }

    /// Parses the JSON form; an error names the field that is missing or malformed and what it must be, and
    /// `source` (the snapshot whose manifest holds it) when given. It never quotes the signature's value.
    public init(json: JSONValue, source: String? = nil) throws(SnapError) {
        func bad(_ why: String) -> SnapError {
            .badManifest(source: source ?? "signature", reason: source == nil ? why : "signature: \(why)")
        }
        guard json.objectValue != nil else { throw bad("not a JSON object {\"alg\",\"key\",\"value\"}") }
        guard let alg = json["alg"]?.stringValue else { throw bad("no string \"alg\" (one of \(Self.algorithms.joined(separator: ", ")))") }
        guard Self.algorithms.contains(alg) else {
            throw bad("\"alg\" \(alg) is not one snap signs with (\(Self.algorithms.joined(separator: ", ")))")
        }
        guard let key = json["key"]?.stringValue, !key.isEmpty else { throw bad("no string \"key\" (the signing key's ARN)") }
        guard SigningKey.isKeyARN(key) else { throw bad("\"key\" \(key) is not a KMS key or alias ARN") }
        guard let value = json["value"]?.stringValue, let decoded = Data(base64Encoded: value), !decoded.isEmpty else {
            throw bad("no base64 \"value\" (the signature)")
        }
        self.init(alg: alg, key: key, value: value)
    }
}
