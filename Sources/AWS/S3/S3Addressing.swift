/// Where a bucket's requests go. A user-set endpoint (moto, MinIO, a VPC
/// endpoint) gets path-style `endpoint/bucket/key`, since such servers rarely
/// have per-bucket DNS. AWS itself gets virtual-hosted
/// `bucket.s3.REGION.amazonaws.com/key`, except for names with dots, which
/// would not match the `*.s3...` TLS certificate, or are not DNS labels.
struct S3Addressing: Sendable, Equatable {
    let base: Endpoint

    /// The endpoint and decoded path for a bucket (nil: the service root) and key.
    /// The path stays decoded: the request encodes it once, so keys with
    /// spaces, '+', unicode or '//' reach S3 as themselves.
    func target(bucket: String?, key: String? = nil) -> (endpoint: Endpoint, path: String) {
        guard let bucket else { return (base, "/") }
        let keyPath = key.map { "/" + $0 } ?? ""
        if !base.custom && Self.isVirtualHostable(bucket) {
            var ep = base
            ep.host = "\(bucket).\(base.host)"
            return (ep, keyPath.isEmpty ? "/" : keyPath)
        }
        return (base, "/" + bucket + keyPath)
    }

    /// A bucket name usable as one DNS label: 3-63 of [a-z0-9-], no leading or trailing hyphen.
    static func isVirtualHostable(_ bucket: String) -> Bool {
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy { b in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
                || b == UInt8(ascii: "-")
        }
    }
}
