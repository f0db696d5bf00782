/// A `[[store]]` table's own settings; a flag (`--sse`,
/// `--expected-bucket-owner`, `--object-lock`) overrides them for every store.
public struct StoreSettings: Sendable, Equatable {
    /// `s3`, `kms` or `kms:KEY_ID`: how this store's uploads are encrypted.
    public var sse: String?
    /// The account that must own this store's bucket.
    public var expectedBucketOwner: String?
    /// `governance:DAYS` or `compliance:DAYS`: S3 Object Lock retention for this store's uploads.
    public var objectLock: String?

    public init(sse: String? = nil, expectedBucketOwner: String? = nil, objectLock: String? = nil) {
        self.sse = sse
        self.expectedBucketOwner = expectedBucketOwner
        self.objectLock = objectLock
    }

    public static func isAccountId(_ s: String) -> Bool { s.utf8.count == 12 && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
}
