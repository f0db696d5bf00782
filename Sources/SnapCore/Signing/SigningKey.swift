import AWS

/// The key `--sign` names: `kms:KEY_ARN`, an asymmetric KMS key (KeyUsage SIGN_VERIFY, ECC_NIST_P256 or
/// RSA_2048/3072/4096) whose public half anyone may hold to verify offline, or `hmac:KEY_ARN`, an HMAC_256 KMS
/// key (KeyUsage GENERATE_VERIFY_MAC) that only KMS VerifyMac can check. The ARN is a key ARN
/// (`arn:PARTITION:kms:REGION:ACCOUNT:key/ID`) or an alias ARN (`…:alias/NAME`): its region is where KMS is
/// called, so a bare key id or alias name, which names no region, is refused.
public enum SigningKey: Sendable, Equatable {
    case kms(arn: String)
    case hmac(arn: String)

    /// Parses `kms:ARN` or `hmac:ARN`; a usage error names the text and what to write.
    public init(_ text: String) throws(SnapError) {
        let usage = "use kms:KEY_ARN (an asymmetric KMS key, ECC_NIST_P256 or RSA) or hmac:KEY_ARN (an HMAC_256 KMS key)"
        let kind: String
        let arn: String
        if text.hasPrefix("kms:") {
            (kind, arn) = ("kms", String(text.dropFirst(4)))
        } else if text.hasPrefix("hmac:") {
            (kind, arn) = ("hmac", String(text.dropFirst(5)))
        } else {
            throw .configuration("--sign \(text): \(usage)")
        }
        guard Self.isKeyARN(arn) else {
            throw .configuration(
                "--sign \(text): \(arn.isEmpty ? "no key ARN" : "\(arn) is not a KMS key or alias ARN") (arn:aws:kms:REGION:ACCOUNT:key/ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME); \(usage)"
            )
        }
        self = kind == "kms" ? .kms(arn: arn) : .hmac(arn: arn)
    }

    /// The text `init` parses: `kms:ARN` or `hmac:ARN`.
    public var text: String {
        switch self {
        case .kms(let arn): return "kms:\(arn)"
        case .hmac(let arn): return "hmac:\(arn)"
        }
    }

    /// The key's ARN (a key or alias ARN, as given).
    public var arn: String {
        switch self {
        case .kms(let arn), .hmac(let arn): return arn
        }
    }

    /// The region KMS is called in: the ARN's.
    public var region: String {
        // init accepted only ARNs KMSClient.region(ofKey:) reads.
        KMSClient.region(ofKey: arn) ?? ""
    }

    /// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` or `…:alias/NAME`, with a 12-digit account.
    static func isKeyARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "kms", !parts[3].isEmpty,
            parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return false }
        let resource = parts[5]
        for prefix in ["key/", "alias/"] where resource.hasPrefix(prefix) {
            let name = resource.dropFirst(prefix.count)
            return !name.isEmpty && !name.contains(where: \.isWhitespace)
        }
        return false
    }
}
