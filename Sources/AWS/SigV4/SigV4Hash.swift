import Crypto
import Foundation

/// Hashing and key derivation for Signature Version 4.
enum SigV4Hash {
    static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static func sha256Hex(_ string: String) -> String {
        sha256Hex(Data(string.utf8))
    }

    static func hmac(key: SymmetricKey, _ message: String) -> SymmetricKey {
        SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        let kSecret = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        let kDate = hmac(key: kSecret, dateStamp)
        let kRegion = hmac(key: kDate, region)
        let kService = hmac(key: kRegion, service)
        return hmac(key: kService, "aws4_request")
    }

    /// Lower-case hex of HMAC-SHA256(key, message).
    static func hmacHex(key: SymmetricKey, _ message: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 { Hex.encode(bytes) }

    static func hex<D: Digest>(_ digest: D) -> String { hex(Array(digest)) }
    static func hex(_ code: HashedAuthenticationCode<SHA256>) -> String { hex(Array(code)) }
}
