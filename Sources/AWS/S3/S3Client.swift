import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Amazon S3 over its REST (XML) protocol, signed with SigV4 ("s3", no path
/// normalisation, x-amz-content-sha256). One client signs for one region; a
/// bucket elsewhere answers PermanentRedirect, whose message names its region.
public struct S3Client: Sendable {
    public let region: String
    let addressing: S3Addressing
    let http: HTTPClient
    let credentials: any CredentialsProvider
    let retry: RetryPolicy

    /// Runs before each part of a multipart upload is sent, with its part
    /// number; a throw fails that part. Lets tests make a part fail without a
    /// broken server. Per instance, so no global state.
    var beforeUploadPart: (@Sendable (_ partNumber: Int) async throws -> Void)?

    /// The account that must own every bucket this client touches: sent as
    /// `x-amz-expected-bucket-owner` on every request, so S3 refuses (403)
    /// a mistyped or re-registered bucket instead of taking data.
    public var expectedBucketOwner: String?

    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public init(
        region: String, environment: AWSEnvironment, http: HTTPClient, credentials: any CredentialsProvider,
        retry: RetryPolicy = .default, expectedBucketOwner: String? = nil
    ) throws {
        let endpoint = try Endpoint.resolve(serviceId: "S3", hostPrefix: "s3", region: region, environment: environment)
        self.region = region
        self.addressing = S3Addressing(base: endpoint)
        self.http = http
        self.credentials = credentials
        self.retry = retry
        self.expectedBucketOwner = expectedBucketOwner
    }

    // MARK: Sending

    /// Signs and sends one S3 request; returns a 2xx response or one whose
    /// status is in `accept`, and turns everything else into an `AWSError`.
    func send(
        _ operation: String, _ method: String, bucket: String?, key: String? = nil, query: [QueryItem] = [],
        headers: [HTTPHeader] = [], body: HTTPBody = .empty, payloadHash: String? = nil,
        responseBodyTo: String? = nil, responseBodyInto: HTTPBodySink? = nil, accept: Set<Int> = []
    ) async throws -> HTTPResponse {
        let (endpoint, path) = addressing.target(bucket: bucket, key: key)
        var headers = headers
        if let expectedBucketOwner, bucket != nil { headers.append(HTTPHeader("x-amz-expected-bucket-owner", expectedBucketOwner)) }
        let request = HTTPRequest(method: method, host: endpoint.host, path: path, query: query, headers: headers, body: body)
        // The sender is rebuilt per request because virtual-hosted addressing
        // puts the bucket in the host; it is a few stored properties.
        let sender = SignedSender(
            service: "s3", signingName: "s3", region: region, endpoint: endpoint, http: http,
            credentials: credentials, retry: retry, signerOptions: .s3)
        // Statuses mapped here rather than by the sender: a redirect's region is
        // only in a header, and a HEAD response has no error document at all.
        var mapped: Set<Int> = [301, 307]
        if method == "HEAD" { mapped.formUnion([400, 403, 404, 405, 409, 412]) }
        // Every error names what it was about: the object, or the bucket.
        let resource = bucket.map { b in key.map { "s3://\(b)/\($0)" } ?? "s3://\(b)" }
        let response: HTTPResponse
        do {
            response = try await sender.send(
                request, operation: operation, payloadHash: payloadHash, responseBodyTo: responseBodyTo,
                responseBodyInto: responseBodyInto, acceptStatus: mapped.union(accept))
        } catch let e as AWSError {
            throw resource.map { e.about($0) } ?? e
        }
        if (200..<300).contains(response.status) || accept.contains(response.status) { return response }
        let error = Self.error(response, operation: operation, bucketLevel: key == nil)
        throw resource.map { error.about($0) } ?? error
    }

    /// The AWSError for a response the sender let through: S3's error document
    /// when there is one, else a code from the status (HEAD), with the
    /// bucket's real region added to redirects.
    static func error(_ response: HTTPResponse, operation: String, bucketLevel: Bool) -> AWSError {
        var code: String
        var message: String
        var requestId = response.header("x-amz-request-id")
        if response.body.isEmpty {
            switch response.status {
            case 301: (code, message) = ("PermanentRedirect", "the bucket must be addressed in its own region")
            case 307: (code, message) = ("TemporaryRedirect", "the bucket must be addressed at another endpoint")
            case 400: (code, message) = ("BadRequest", "Bad Request")
            case 403: (code, message) = ("AccessDenied", "Forbidden")
            case 404: (code, message) = bucketLevel ? ("NoSuchBucket", "the bucket does not exist") : ("NotFound", "Not Found")
            case 412: (code, message) = ("PreconditionFailed", "a precondition did not hold")
            default: (code, message) = ("HTTP\(response.status)", "(no message)")
            }
        } else {
            let doc = ErrorDocument.parse(response)
            (code, message) = (doc.code, doc.message)
            requestId = doc.requestId ?? requestId
        }
        if [301, 307].contains(response.status), let r = response.header("x-amz-bucket-region"), !r.isEmpty {
            message += "; the bucket is in region \(r)"
        }
        return .service(
            AWSError.ServiceError(
                service: "s3", operation: operation, status: response.status, code: code, message: message,
                requestId: requestId))
    }

    /// Local file trouble (reading an upload, writing a download) as an AWSError of that operation.
    static func fileError(_ operation: String, _ error: HTTPError) -> AWSError {
        .transport(service: "s3", operation: operation, error: error, attempts: 0)
    }

    /// Parses a 2xx XML body, or reports it as unreadable.
    static func xml(_ response: HTTPResponse, operation: String) throws -> S3XMLNode {
        do {
            return try S3XML.parse(response.body)
        } catch {
            throw AWSError.invalidResponse(service: "s3", operation: operation, reason: "\(error)")
        }
    }

    /// Parses a response's XML and reads it with `read`; any problem is an
    /// `AWSError.invalidResponse` naming the operation.
    static func document<T>(_ response: HTTPResponse, operation: String, _ read: (S3XMLNode) throws -> T) throws -> T {
        let root = try xml(response, operation: operation)
        do {
            return try read(root)
        } catch let e as S3XML.ParseError {
            throw invalid(operation, e)
        }
    }

    static func invalid(_ operation: String, _ reason: Any) -> AWSError {
        .invalidResponse(service: "s3", operation: operation, reason: "\(reason)")
    }

    // MARK: Buckets

    /// The region a bucket lives in: HeadBucket's x-amz-bucket-region (sent
    /// even with a 301 or 403), else GetBucketLocation.
    /// HeadBucket's status: 200, or 403 when the bucket refuses this caller
    /// (or, with `expectedBucketOwner`, belongs to another account).
    public func headBucketStatus(_ bucket: String) async throws -> Int {
        try await send("HeadBucket", "HEAD", bucket: bucket, accept: [403]).status
    }

    public func bucketRegion(_ bucket: String) async throws -> String {
        let head = try await send("HeadBucket", "HEAD", bucket: bucket, accept: [301, 307, 400, 403])
        if let r = head.header("x-amz-bucket-region"), !r.isEmpty { return r }
        let response = try await send("GetBucketLocation", "GET", bucket: bucket, query: [QueryItem("location", "")])
        return try Self.document(response, operation: "GetBucketLocation", S3Documents.location)
    }

    /// Creates a bucket in this client's region. A bucket this account owns
    /// already counts as created (S3 itself says so in us-east-1 only).
    public func createBucket(_ bucket: String) async throws {
        var headers: [HTTPHeader] = []
        var body = HTTPBody.empty
        if region != "us-east-1" {
            // us-east-1 is the default and S3 rejects it named as a LocationConstraint.
            body = .data(
                Data(
                    "<CreateBucketConfiguration xmlns=\"\(Self.namespace)\"><LocationConstraint>\(S3XML.escape(region))</LocationConstraint></CreateBucketConfiguration>"
                        .utf8))
            headers.append(HTTPHeader("Content-Type", "application/xml"))
        }
        do {
            _ = try await send("CreateBucket", "PUT", bucket: bucket, headers: headers, body: body)
        } catch let AWSError.service(e) where e.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    // MARK: Objects

    /// PutObject of a file, streamed, with its SHA-256 as the signed payload
    /// hash and as x-amz-checksum-sha256, so S3 rejects a body that changed on
    /// the way. Returns false when `ifNoneMatch` and the key already exists.
    @discardableResult
    public func putObject(
        bucket: String, key: String, file: String, sha256Hex: String? = nil, ifNoneMatch: Bool = false,
        sse: ServerSideEncryption? = nil, objectLock: S3ObjectLock? = nil, contentType: String = "application/octet-stream"
    ) async throws -> Bool {
        let digest: Data
        if let sha256Hex {
            guard let d = S3Checksum.bytes(sha256Hex: sha256Hex) else {
                throw AWSError.configuration("\"\(sha256Hex)\" is not a SHA-256 in hex (64 hex digits)")
            }
            digest = d
        } else {
            do { digest = try S3Checksum.sha256(file: file) } catch { throw Self.fileError("PutObject", error) }
        }
        return try await put(
            bucket: bucket, key: key, body: .file(path: file), sha256: digest, ifNoneMatch: ifNoneMatch, sse: sse,
            objectLock: objectLock, contentType: contentType)
    }

    @discardableResult
    public func putObject(
        bucket: String, key: String, data: Data, ifNoneMatch: Bool = false, sse: ServerSideEncryption? = nil,
        objectLock: S3ObjectLock? = nil, contentType: String = "application/octet-stream"
    ) async throws -> Bool {
        try await put(
            bucket: bucket, key: key, body: .data(data), sha256: S3Checksum.sha256(data), ifNoneMatch: ifNoneMatch,
            sse: sse, objectLock: objectLock, contentType: contentType)
    }

    private func put(
        bucket: String, key: String, body: HTTPBody, sha256: Data, ifNoneMatch: Bool, sse: ServerSideEncryption?,
        objectLock: S3ObjectLock? = nil, contentType: String
    ) async throws -> Bool {
        // x-amz-sdk-checksum-algorithm as the SDKs send it: S3 requires it (or
        // Content-MD5) for any object that gets Object Lock retention,
        // whether asked for here or by the bucket's default retention.
        var headers = [
            HTTPHeader("Content-Type", contentType),
            HTTPHeader("x-amz-checksum-sha256", sha256.base64EncodedString()),
            HTTPHeader("x-amz-sdk-checksum-algorithm", "SHA256"),
        ]
        if ifNoneMatch { headers.append(HTTPHeader("If-None-Match", "*")) }
        headers += sse?.headers ?? []
        headers += objectLock?.headers ?? []
        let response = try await send(
            "PutObject", "PUT", bucket: bucket, key: key, headers: headers, body: body,
            payloadHash: S3Checksum.hex(sha256), accept: ifNoneMatch ? [412] : [])
        return response.status != 412
    }

    /// GetObject streamed into `path`: written to a sibling temporary file and
    /// renamed over `path` when complete, so a failed download never leaves a
    /// truncated file that looks whole.
    public func getObject(bucket: String, key: String, to path: String) async throws {
        let partial = path + ".part-" + UUID().uuidString
        do {
            _ = try await send("GetObject", "GET", bucket: bucket, key: key, responseBodyTo: partial)
            guard rename(partial, path) == 0 else {
                throw Self.fileError("GetObject", .file(path: path, reason: String(cString: strerror(errno))))
            }
        } catch {
            unlink(partial)
            throw error
        }
    }

    /// GetObject streamed into `sink` as it arrives (`HTTPBodySink`): retried
    /// like any request until its 2xx body begins, never after. The sink is
    /// closed when this returns, whatever happened, so its reader sees an end.
    public func getObject(bucket: String, key: String, into sink: HTTPBodySink) async throws {
        defer { sink.close() }
        _ = try await send("GetObject", "GET", bucket: bucket, key: key, responseBodyInto: sink)
    }

    public func getObject(bucket: String, key: String) async throws -> Data {
        try await send("GetObject", "GET", bucket: bucket, key: key).body
    }

    /// HeadObject; nil when S3 answers 404 (no such key, or no such bucket).
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo? {
        let r = try await send("HeadObject", "HEAD", bucket: bucket, key: key, accept: [404])
        if r.status == 404 { return nil }
        var lock: S3ObjectLock?
        if let mode = r.header("x-amz-object-lock-mode").flatMap(S3ObjectLock.Mode.init(rawValue:)),
            let until = r.header("x-amz-object-lock-retain-until-date").flatMap(S3Dates.iso8601)
        {
            lock = S3ObjectLock(mode: mode, retainUntil: until)
        }
        return S3ObjectInfo(
            key: key, size: r.header("Content-Length").flatMap { Int64($0) } ?? 0, etag: r.header("ETag")?.unquotedETag,
            lastModified: r.header("Last-Modified").flatMap(S3Dates.http), objectLock: lock,
            versionId: r.header("x-amz-version-id").flatMap { $0.isEmpty || $0 == "null" ? nil : $0 })
    }

    /// DeleteObject. S3 answers 204 for a key that does not exist, so this is idempotent.
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try await send("DeleteObject", "DELETE", bucket: bucket, key: key)
    }

    /// DeleteObjects, up to 1000 keys a request (S3's limit), with the
    /// Content-MD5 S3 requires for it. Keys S3 reports as not deleted become
    /// one AWSError naming the first of them.
    public func deleteObjects(bucket: String, keys: [String]) async throws {
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            start += batch.count
            var xml = "<Delete xmlns=\"\(Self.namespace)\"><Quiet>true</Quiet>"
            for key in batch { xml += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
            xml += "</Delete>"
            let body = Data(xml.utf8)
            let response = try await send(
                "DeleteObjects", "POST", bucket: bucket, query: [QueryItem("delete", "")],
                headers: [
                    HTTPHeader("Content-Type", "application/xml"),
                    HTTPHeader("Content-MD5", S3Checksum.md5Base64(body)),
                ],
                body: .data(body))
            if response.body.isEmpty { continue }
            let failures = try Self.document(response, operation: "DeleteObjects", S3Documents.deleteFailures)
            if let first = failures.first {
                let more = failures.count > 1 ? " (and \(failures.count - 1) more keys)" : ""
                throw AWSError.service(
                    AWSError.ServiceError(
                        service: "s3", operation: "DeleteObjects", status: response.status, code: first.code,
                        message: "\(first.key): \(first.message)\(more)", requestId: response.header("x-amz-request-id")))
            }
        }
    }

    // MARK: Listing

    /// Every object under `prefix` (ListObjectsV2, all pages).
    public func listObjects(bucket: String, prefix: String) async throws -> [S3ObjectInfo] {
        try await listObjects(bucket: bucket, prefix: prefix, pageSize: 1000)
    }

    /// `pageSize` is internal so tests can force pagination with few keys.
    func listObjects(bucket: String, prefix: String, pageSize: Int) async throws -> [S3ObjectInfo] {
        try await list(bucket: bucket, prefix: prefix, delimiter: nil, pageSize: pageSize).objects
    }

    /// The distinct "folders" under `prefix`: keys cut after the first `delimiter` past the prefix.
    public func listCommonPrefixes(bucket: String, prefix: String, delimiter: String) async throws -> [String] {
        try await listCommonPrefixes(bucket: bucket, prefix: prefix, delimiter: delimiter, pageSize: 1000)
    }

    func listCommonPrefixes(bucket: String, prefix: String, delimiter: String, pageSize: Int) async throws -> [String] {
        try await list(bucket: bucket, prefix: prefix, delimiter: delimiter, pageSize: pageSize).prefixes
    }

    private func list(bucket: String, prefix: String, delimiter: String?, pageSize: Int) async throws
        -> (objects: [S3ObjectInfo], prefixes: [String])
    {
        var objects: [S3ObjectInfo] = []
        var prefixes: [String] = []
        var token: String?
        repeat {
            // encoding-type=url: keys may hold characters XML 1.0 cannot carry.
            var query = [
                QueryItem("list-type", "2"), QueryItem("prefix", prefix), QueryItem("encoding-type", "url"),
                QueryItem("max-keys", String(max(1, min(pageSize, 1000)))),
            ]
            if let delimiter { query.append(QueryItem("delimiter", delimiter)) }
            if let token { query.append(QueryItem("continuation-token", token)) }
            let response = try await send("ListObjectsV2", "GET", bucket: bucket, query: query)
            let page = try Self.document(response, operation: "ListObjectsV2") { try S3ListPage(xml: $0) }
            objects += page.objects
            prefixes += page.commonPrefixes
            if page.isTruncated {
                // A truncated page without a new token would loop forever.
                guard let next = page.nextContinuationToken, next != token else {
                    throw Self.invalid("ListObjectsV2", "a truncated page without a new continuation token")
                }
                token = next
            } else {
                token = nil
            }
        } while token != nil
        return (objects, prefixes)
    }

    /// Multipart uploads begun under `prefix` and neither completed nor aborted (all pages).
    public func listMultipartUploads(bucket: String, prefix: String) async throws -> [S3MultipartUploadInfo] {
        var uploads: [S3MultipartUploadInfo] = []
        var marker: (key: String, uploadId: String?)?
        repeat {
            var query = [QueryItem("uploads", ""), QueryItem("prefix", prefix), QueryItem("encoding-type", "url")]
            if let marker {
                query.append(QueryItem("key-marker", marker.key))
                if let id = marker.uploadId { query.append(QueryItem("upload-id-marker", id)) }
            }
            let response = try await send("ListMultipartUploads", "GET", bucket: bucket, query: query)
            let page = try Self.document(response, operation: "ListMultipartUploads") { try S3UploadsPage(xml: $0) }
            uploads += page.uploads
            if page.isTruncated {
                guard let key = page.nextKeyMarker,
                    marker == nil || (key, page.nextUploadIdMarker) != (marker!.key, marker!.uploadId)
                else {
                    throw Self.invalid("ListMultipartUploads", "a truncated page without new markers")
                }
                marker = (key, page.nextUploadIdMarker)
            } else {
                marker = nil
            }
        } while marker != nil
        return uploads
    }
}
