import Foundation

extension OfflineVerifier {
    /// A DER SubjectPublicKeyInfo (GetPublicKey's PublicKey) as PEM: `-----BEGIN PUBLIC KEY-----`, the base64 in
    /// lines of 64 characters, `-----END PUBLIC KEY-----`, each line ending in a newline (RFC 7468).
    public static func pem(fromDER der: Data) -> String {
        let base64 = Array(der.base64EncodedString())
        var lines = ["-----BEGIN PUBLIC KEY-----"]
        for start in stride(from: 0, to: base64.count, by: 64) {
            lines.append(String(base64[start..<min(start + 64, base64.count)]))
        }
        lines.append("-----END PUBLIC KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
