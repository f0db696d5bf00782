import Foundation

/// Object Lock as S3 shows it to a least-privilege caller: HeadObject reports
/// an object's retention only to a caller holding s3:GetObjectRetention, so
/// the retention is read with GetObjectRetention, whose refusal is an error
/// (unknown), never "no retention". In a versioned bucket (every Object Lock
/// bucket is one), a DeleteObject without a version id only adds a delete
/// marker, hiding the object from every listing while its version stays:
/// `deleteObject(bucket:key:versionId:)` removes one version for good.
extension S3Client {
    /// The retention of one version of an object (the current one when
    /// `versionId` is nil): nil when it has none (404
    /// NoSuchObjectLockConfiguration) or the bucket has no Object Lock (400
    /// InvalidRequest). Access denied and every other failure throw.
    public func objectRetention(bucket: String, key: String, versionId: String?) async throws -> S3ObjectLock? {
        var query = [QueryItem("retention", "")]
        if let versionId { query.append(QueryItem("versionId", versionId)) }
        let response: HTTPResponse
        do {
            response = try await send("GetObjectRetention", "GET", bucket: bucket, key: key, query: query)
        } catch let AWSError.service(e) where e.code == "NoSuchObjectLockConfiguration" {
            return nil
        } catch let AWSError.service(e) where e.code == "InvalidRequest" && e.message.contains("Object Lock Configuration") {
            return nil
        }
        return try Self.document(response, operation: "GetObjectRetention") { root in
            guard root.name == "Retention" else { throw S3XML.ParseError(description: "expected Retention, got \(root.name)") }
            guard let modeText = root["Mode"], let mode = S3ObjectLock.Mode(rawValue: modeText) else {
                throw S3XML.ParseError(description: "Retention without a Mode of GOVERNANCE or COMPLIANCE")
            }
            guard let untilText = root["RetainUntilDate"], let until = S3Dates.iso8601(untilText) else {
                throw S3XML.ParseError(description: "Retention without a readable RetainUntilDate")
            }
            return S3ObjectLock(mode: mode, retainUntil: until)
        }
    }

    /// DeleteObject of one version (s3:DeleteObjectVersion): removes it for
    /// good, leaving no delete marker. S3 refuses a version under retention.
    public func deleteObject(bucket: String, key: String, versionId: String) async throws {
        _ = try await send("DeleteObject", "DELETE", bucket: bucket, key: key, query: [QueryItem("versionId", versionId)])
    }
}
