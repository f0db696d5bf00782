import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Multipart upload: large archives go up in parts, several at a time, each
/// part checked by its own SHA-256.
extension S3Client {
    /// A part S3 accepted: what CompleteMultipartUpload must list.
    struct CompletedPart: Sendable, Equatable {
        var number: Int
        var etag: String
        var checksumSHA256: String
    }

    /// S3's limits: parts of at least 5 MiB (but the last), at most 10,000 parts.
    static let minPartSize: Int64 = 5 << 20
    static let maxParts: Int64 = 10_000

    /// PutObject below `threshold`, else a multipart upload. A failed
    /// multipart upload is aborted (its stored parts would otherwise be
    /// billed forever) and the first error rethrown.
    public func uploadFile(
        bucket: String, key: String, file: String, sse: ServerSideEncryption? = nil, objectLock: S3ObjectLock? = nil,
        threshold: Int64 = 64 << 20, partSize: Int64 = 16 << 20, concurrency: Int = 4
    ) async throws {
        let size: Int64
        do { size = try S3Checksum.size(of: file) } catch { throw Self.fileError("PutObject", error) }
        if size < threshold {
            try await putObject(bucket: bucket, key: key, file: file, sse: sse, objectLock: objectLock)
            return
        }
        // Grow the parts when 10,000 of the asked size would not hold the file.
        let part = max(partSize, (size + Self.maxParts - 1) / Self.maxParts, 1)
        let count = Int(max(1, (size + part - 1) / part))
        let uploadId = try await createMultipartUpload(bucket: bucket, key: key, sse: sse, objectLock: objectLock)
        do {
            let parts = try await uploadParts(
                bucket: bucket, key: key, uploadId: uploadId, file: file, size: size, partSize: part, count: count,
                concurrency: max(1, concurrency))
            try await completeMultipartUpload(bucket: bucket, key: key, uploadId: uploadId, parts: parts)
        } catch {
            // An unstructured task does not inherit cancellation, so the abort
            // still goes out when the upload failed because it was cancelled.
            let client = self
            await Task {
                try? await client.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId)
            }.value
            throw error
        }
    }

    /// CreateMultipartUpload, announcing SHA-256 part checksums.
    func createMultipartUpload(
        bucket: String, key: String, sse: ServerSideEncryption? = nil, objectLock: S3ObjectLock? = nil,
        contentType: String = "application/octet-stream"
    ) async throws -> String {
        var headers = [HTTPHeader("Content-Type", contentType), HTTPHeader("x-amz-checksum-algorithm", "SHA256")]
        headers += sse?.headers ?? []
        headers += objectLock?.headers ?? []
        let response = try await send(
            "CreateMultipartUpload", "POST", bucket: bucket, key: key, query: [QueryItem("uploads", "")],
            headers: headers)
        return try Self.document(response, operation: "CreateMultipartUpload", S3Documents.uploadId)
    }

    /// Uploads parts 1...count, at most `concurrency` in flight; the first
    /// failure cancels the rest. Returns the parts in order.
    private func uploadParts(
        bucket: String, key: String, uploadId: String, file: String, size: Int64, partSize: Int64, count: Int,
        concurrency: Int
    ) async throws -> [CompletedPart] {
        try await withThrowingTaskGroup(of: CompletedPart.self) { group in
            var next = 1
            var done: [CompletedPart] = []
            done.reserveCapacity(count)
            func start(_ number: Int) {
                let offset = Int64(number - 1) * partSize
                let length = min(partSize, size - offset)
                group.addTask {
                    try await self.uploadPart(
                        bucket: bucket, key: key, uploadId: uploadId, number: number, file: file, offset: offset,
                        length: length)
                }
            }
            while next <= min(concurrency, count) {
                start(next)
                next += 1
            }
            while let part = try await group.next() {
                done.append(part)
                if next <= count {
                    start(next)
                    next += 1
                }
            }
            return done.sorted { $0.number < $1.number }
        }
    }

    /// UploadPart of one file range. HTTPBody streams whole files only, so the
    /// range is first copied to a temporary file (0600, hashed on the way)
    /// beside the source file, so it stays in the caller's private folder,
    /// and removed after; memory stays at one read buffer per part in flight.
    func uploadPart(
        bucket: String, key: String, uploadId: String, number: Int, file: String, offset: Int64, length: Int64
    ) async throws -> CompletedPart {
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let temp = "\(folder)/.part-\(number)-\(UUID().uuidString)"
        defer { unlink(temp) }
        let digest: Data
        do {
            digest = try S3Checksum.sha256(file: file, offset: offset, length: length, copyTo: temp)
        } catch {
            throw Self.fileError("UploadPart", error)
        }
        try await beforeUploadPart?(number)
        let checksum = digest.base64EncodedString()
        let response = try await send(
            "UploadPart", "PUT", bucket: bucket, key: key,
            query: [QueryItem("partNumber", String(number)), QueryItem("uploadId", uploadId)],
            headers: [HTTPHeader("x-amz-checksum-sha256", checksum)], body: .file(path: temp),
            payloadHash: S3Checksum.hex(digest))
        guard let etag = response.header("ETag"), !etag.isEmpty else {
            throw Self.invalid("UploadPart", "part \(number) was accepted without an ETag")
        }
        return CompletedPart(number: number, etag: etag, checksumSHA256: checksum)
    }

    /// CompleteMultipartUpload. S3 can answer 200 and still fail, with an
    /// <Error> document in the body, so the body is checked.
    func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [CompletedPart]) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"\(Self.namespace)\">"
        for p in parts {
            xml += "<Part><PartNumber>\(p.number)</PartNumber><ETag>\(S3XML.escape(p.etag))</ETag>"
            xml += "<ChecksumSHA256>\(p.checksumSHA256)</ChecksumSHA256></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(
            "CompleteMultipartUpload", "POST", bucket: bucket, key: key, query: [QueryItem("uploadId", uploadId)],
            headers: [HTTPHeader("Content-Type", "application/xml")], body: .data(Data(xml.utf8)))
        let root = try Self.xml(response, operation: "CompleteMultipartUpload")
        if let e = S3Documents.error(root) {
            throw AWSError.service(
                AWSError.ServiceError(
                    service: "s3", operation: "CompleteMultipartUpload", status: response.status, code: e.code,
                    message: e.message, requestId: e.requestId ?? response.header("x-amz-request-id")))
        }
    }

    /// AbortMultipartUpload: frees the parts stored so far.
    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        _ = try await send(
            "AbortMultipartUpload", "DELETE", bucket: bucket, key: key, query: [QueryItem("uploadId", uploadId)])
    }
}
