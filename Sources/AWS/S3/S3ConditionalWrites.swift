import Foundation

/// PutObject and DeleteObject conditional on an object's ETag, and GetObject
/// with the ETag it returned: compare-and-swap on one key, which is all a
/// lock object needs. Kept apart from the rest of the client so the lock's
/// needs stay in one place.
extension S3Client {
    /// What must hold for a conditional write to happen.
    public enum WriteCondition: Sendable, Equatable {
        /// The key does not exist (`If-None-Match: *`).
        case absent
        /// The key holds exactly the version with this ETag (`If-Match`).
        case etag(String)

        var header: HTTPHeader {
            switch self {
            case .absent: return HTTPHeader("If-None-Match", "*")
            case .etag(let tag): return HTTPHeader("If-Match", "\"\(tag)\"")
            }
        }
    }

    /// PutObject of a small body when `condition` holds; returns the new
    /// object's ETag (unquoted), or nil when the condition did not hold
    /// (412, a 404 for `If-Match` on a missing key, or 409 for a conflicting
    /// concurrent conditional write).
    public func putObject(
        bucket: String, key: String, data: Data, condition: WriteCondition, sse: ServerSideEncryption? = nil,
        contentType: String = "application/octet-stream"
    ) async throws -> String? {
        let sha256 = S3Checksum.sha256(data)
        var headers = [
            HTTPHeader("Content-Type", contentType),
            HTTPHeader("x-amz-checksum-sha256", sha256.base64EncodedString()),
            condition.header,
        ]
        headers += sse?.headers ?? []
        // A 404 means "no such key" only for If-Match; for If-None-Match it
        // can only be a missing bucket, which is an error.
        let response = try await send(
            "PutObject", "PUT", bucket: bucket, key: key, headers: headers, body: .data(data),
            payloadHash: S3Checksum.hex(sha256), accept: condition == .absent ? [409, 412] : [404, 409, 412])
        guard (200..<300).contains(response.status) else { return nil }
        guard let etag = response.header("ETag")?.unquotedETag, !etag.isEmpty else {
            throw Self.invalid("PutObject", "no ETag in the answer to a conditional put of \(key)")
        }
        return etag
    }

    /// DeleteObject of exactly the version with `etag`; false when the key now
    /// holds something else (412) or nothing (404).
    public func deleteObject(bucket: String, key: String, ifMatch etag: String) async throws -> Bool {
        let response = try await send(
            "DeleteObject", "DELETE", bucket: bucket, key: key, headers: [WriteCondition.etag(etag).header], accept: [404, 412])
        return (200..<300).contains(response.status)
    }

    /// GetObject with the ETag of the version read; nil when the key does not exist.
    public func getObjectWithETag(bucket: String, key: String) async throws -> (data: Data, etag: String)? {
        let response = try await send("GetObject", "GET", bucket: bucket, key: key, accept: [404])
        if response.status == 404 { return nil }
        guard let etag = response.header("ETag")?.unquotedETag, !etag.isEmpty else {
            throw Self.invalid("GetObject", "no ETag in the answer for \(key)")
        }
        return (response.body, etag)
    }

    /// As `getObjectWithETag`, with the object's age as S3 itself measures
    /// it: the answer's `Date` less its `Last-Modified`, both the server's
    /// clock, so no two machines' clocks are compared. nil when either header
    /// is missing or unreadable.
    public func getObjectWithAge(bucket: String, key: String) async throws -> (data: Data, etag: String, age: TimeInterval?)? {
        let response = try await send("GetObject", "GET", bucket: bucket, key: key, accept: [404])
        if response.status == 404 { return nil }
        guard let etag = response.header("ETag")?.unquotedETag, !etag.isEmpty else {
            throw Self.invalid("GetObject", "no ETag in the answer for \(key)")
        }
        var age: TimeInterval?
        if let now = response.header("Date").flatMap(S3Dates.http), let modified = response.header("Last-Modified").flatMap(S3Dates.http) {
            age = now.timeIntervalSince(modified)
        }
        return (response.body, etag, age)
    }
}
