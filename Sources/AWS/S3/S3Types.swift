import Foundation

/// Server-side encryption asked for on upload. `.s3` is SSE-S3 (AES256);
/// `.kms` is SSE-KMS with the given key, or the account's aws/s3 key when nil.
public enum ServerSideEncryption: Sendable, Equatable {
    case s3
    case kms(keyId: String?)

    /// The request headers that ask for this encryption.
    var headers: [HTTPHeader] {
        switch self {
        case .s3:
            return [HTTPHeader("x-amz-server-side-encryption", "AES256")]
        case .kms(let keyId):
            var h = [HTTPHeader("x-amz-server-side-encryption", "aws:kms")]
            if let keyId { h.append(HTTPHeader("x-amz-server-side-encryption-aws-kms-key-id", keyId)) }
            return h
        }
    }
}

/// S3 Object Lock retention asked for on upload (the bucket must have
/// Object Lock enabled): until `retainUntil` the object version cannot be
/// deleted or overwritten (GOVERNANCE: except by a caller allowed to bypass
/// governance retention; COMPLIANCE: by no one).
public struct S3ObjectLock: Sendable, Equatable {
    public enum Mode: String, Sendable { case governance = "GOVERNANCE", compliance = "COMPLIANCE" }
    public var mode: Mode
    public var retainUntil: Date

    public init(mode: Mode, retainUntil: Date) {
        self.mode = mode
        self.retainUntil = retainUntil
    }

    var headers: [HTTPHeader] {
        [
            HTTPHeader("x-amz-object-lock-mode", mode.rawValue),
            HTTPHeader("x-amz-object-lock-retain-until-date", S3Dates.iso8601(retainUntil)),
        ]
    }
}

/// One object as listed or HEAD-ed. `etag` keeps S3's quotes stripped off.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String?
    public var lastModified: Date?
    /// HeadObject only: the object's retention, when S3 showed it (only to a
    /// caller holding s3:GetObjectRetention; `S3Client.objectRetention` asks).
    public var objectLock: S3ObjectLock?
    /// HeadObject only: the current version's id in a versioned bucket (nil
    /// when S3 sent none or "null": the bucket never had versioning).
    public var versionId: String?

    public init(
        key: String, size: Int64, etag: String? = nil, lastModified: Date? = nil, objectLock: S3ObjectLock? = nil,
        versionId: String? = nil
    ) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.objectLock = objectLock
        self.versionId = versionId
    }
}

/// A multipart upload that was created and neither completed nor aborted.
public struct S3MultipartUploadInfo: Sendable, Equatable {
    public var key: String
    public var uploadId: String
    public var initiated: Date?

    public init(key: String, uploadId: String, initiated: Date? = nil) {
        self.key = key
        self.uploadId = uploadId
        self.initiated = initiated
    }
}

/// Date formats S3 uses: ISO 8601 in XML bodies, RFC 1123 in headers.
enum S3Dates {
    /// "2009-10-12T17:50:30.000Z", with or without the fraction.
    static func iso8601(_ s: String) -> Date? {
        let text = s.trimmingCharacters(in: .whitespaces)
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// "2026-12-27T01:02:03Z": how retain-until dates are sent.
    static func iso8601(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle())
    }

    /// "Wed, 12 Oct 2009 17:50:00 GMT" (Last-Modified).
    static func http(_ s: String) -> Date? {
        // A formatter per call: DateFormatter is not Sendable, and HEAD is not hot enough to cache one.
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: s)
    }
}

extension String {
    /// An ETag without the quotes S3 puts around it.
    var unquotedETag: String {
        var s = Substring(self)
        if s.hasPrefix("\"") { s = s.dropFirst() }
        if s.hasSuffix("\"") { s = s.dropLast() }
        return String(s)
    }
}
