import Foundation

/// Scrubs what must never reach a log: the values of signature, credential
/// and token parameters (in pre-signed URLs, Authorization headers and the
/// canonical requests some error documents echo back), and any literal
/// secret it was given (the environment's secret key and session token).
/// Applied to every log line, so a message that forgets is still safe.
public struct Redactor: Sendable {
    public static let mask = "[REDACTED]"

    /// Names whose value (after `=` or `:`) is replaced. Matched ignoring ASCII case.
    static let keys = [
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "authorization", "signature",
        "aws_secret_access_key", "aws_session_token", "secretaccesskey", "sessiontoken",
        // An app client's secret and identity-provider secrets (ProviderDetails), should an answer ever be logged.
        "clientsecret", "client_secret", "private_key",
        // KMS: a data key in the clear (GenerateDataKey, Decrypt) and its encrypted form (secrets.enc's key).
        "plaintext", "ciphertextblob",
        // KMS signing: a manifest's signature or HMAC (Sign, GenerateMac, Verify, VerifyMac); "signature" is above.
        "mac",
    ]

    private let literals: [String]

    /// `secrets`: exact values to remove wherever they appear (short ones are ignored).
    public init(secrets: [String] = []) {
        literals = secrets.filter { $0.count >= 8 }.sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var s = text
        for secret in literals where s.contains(secret) {
            s = s.replacingOccurrences(of: secret, with: Self.mask)
        }
        return Self.redactKeys(s)
    }

    /// Replaces `KEY=value` and `KEY: value` values; an Authorization value
    /// runs to the end of its line or quote, the others to a delimiter.
    static func redactKeys(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let lower = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        outer: while i < bytes.count {
            for key in keys {
                let k = Array(key.utf8)
                guard i + k.count < bytes.count, lower[i..<(i + k.count)].elementsEqual(k) else { continue }
                // The key must start a word: "x-amz-signature" must not match inside "signedheaders".
                if i > 0, isWordByte(lower[i - 1]), key != "signature" || lower[i - 1] != 0x2D { continue }
                var j = i + k.count
                // Optional closing quote of a JSON key, then the separator.
                if j < bytes.count, bytes[j] == 0x22 { j += 1 }
                guard j < bytes.count, bytes[j] == 0x3D || bytes[j] == 0x3A else { continue }
                j += 1
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x22 { j += 1 }
                let untilLineEnd = key == "authorization"
                var end = j
                while end < bytes.count, !isEnd(bytes[end], untilLineEnd: untilLineEnd) { end += 1 }
                guard end > j else { continue }
                out += bytes[i..<j]
                out += Array(mask.utf8)
                i = end
                continue outer
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
    }

    private static func isEnd(_ b: UInt8, untilLineEnd: Bool) -> Bool {
        if b == 0x0A || b == 0x0D || b == 0x22 || b == 0x3C { return true }  // newline, quote, '<'
        if untilLineEnd { return false }
        // & space , ; ' > tab backslash
        return b == 0x26 || b == 0x20 || b == 0x2C || b == 0x3B || b == 0x27 || b == 0x3E || b == 0x09 || b == 0x5C
    }
}
