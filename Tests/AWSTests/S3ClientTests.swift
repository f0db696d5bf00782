import Foundation
import Testing

@testable import AWS

// MARK: Helpers

/// Clients against the shared moto server, and unique bucket names so the
/// tests can run in parallel.
private enum S3Test {
    /// `lenient`: the moto without signature checks, for keys and prefixes
    /// moto's own checker mangles (see S3Moto.lenient).
    static func client(region: String = "us-east-1", secret: String? = nil, lenient: Bool = false) throws -> S3Client {
        let moto = try lenient ? S3Moto.lenient() : S3Moto.shared()
        return try S3Client(
            region: region, environment: AWSEnvironment(["AWS_ENDPOINT_URL": moto.endpoint]), http: HTTPClient(),
            credentials: StaticCredentialsProvider(
                Credentials(accessKeyId: moto.accessKeyId, secretAccessKey: secret ?? moto.secretAccessKey)),
            retry: RetryPolicy(maxAttempts: 2, base: .milliseconds(10), cap: .milliseconds(50)))
    }

    static func bucket(_ tag: String) -> String {
        "snap-\(tag)-" + UUID().uuidString.lowercased().prefix(8)
    }

    /// A new bucket in us-east-1 and a client for it.
    static func newBucket(_ tag: String, lenient: Bool = false) async throws -> (S3Client, String) {
        let s3 = try client(lenient: lenient)
        let b = bucket(tag)
        try await s3.createBucket(b)
        return (s3, b)
    }

    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "snap-s3-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func randomData(_ count: Int) -> Data {
        var rng = SystemRandomNumberGenerator()
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        for i in words.indices { words[i] = rng.next() }
        return words.withUnsafeBytes { Data($0.prefix(count)) }
    }

    static func serviceError(_ body: () async throws -> Void) async -> AWSError.ServiceError? {
        do {
            try await body()
        } catch let e as AWSError {
            return e.serviceError
        } catch {
            Issue.record("not an AWSError: \(error)")
        }
        return nil
    }
}

// MARK: XML documents (no server)

@Suite struct S3XMLTests {
    @Test func listObjectsV2Page() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <EncodingType>url</EncodingType>
              <IsTruncated>true</IsTruncated>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents>
                <Key>p/a+b%2Bc%C3%BC</Key>
                <LastModified>2009-10-12T17:50:30.000Z</LastModified>
                <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
                <Size>434234</Size><StorageClass>STANDARD</StorageClass>
              </Contents>
              <Contents><Key>p/x%20y</Key><LastModified>2009-10-12T17:50:31Z</LastModified><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>p/sub%2F/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let page = try S3ListPage(xml: try S3XML.parse(Data(xml.utf8)))
        #expect(page.objects.map(\.key) == ["p/a b+cü", "p/x y"])
        #expect(page.objects[0].size == 434234)
        #expect(page.objects[0].etag == "fba9dede5f27731c9771645a39863328")
        #expect(page.objects[0].lastModified == Date(timeIntervalSince1970: 1_255_369_830))
        #expect(page.objects[1].lastModified == Date(timeIntervalSince1970: 1_255_369_831))
        #expect(page.commonPrefixes == ["p/sub//"])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func listObjectsV2PageWithoutEncodingKeepsKeysAsIs() throws {
        let xml = """
            <ListBucketResult><IsTruncated>false</IsTruncated>
            <Contents><Key>a+b %41 &amp; &lt;c&gt;</Key><Size>3</Size></Contents></ListBucketResult>
            """
        let page = try S3ListPage(xml: try S3XML.parse(Data(xml.utf8)))
        #expect(page.objects.map(\.key) == ["a+b %41 & <c>"])
        #expect(!page.isTruncated && page.nextContinuationToken == nil)
    }

    @Test func listMultipartUploadsPage() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
              <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
              <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
              <MaxUploads>3</MaxUploads><IsTruncated>true</IsTruncated>
              <Upload>
                <Key>my-divisor</Key><UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
                <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID></Initiator>
                <StorageClass>REDUCED_REDUNDANCY</StorageClass>
                <Initiated>2010-11-10T20:48:33.000Z</Initiated>
              </Upload>
              <Upload><Key>my-movie.m2ts</Key><UploadId>VXBsb2FkIElE</UploadId></Upload>
            </ListMultipartUploadsResult>
            """
        let page = try S3UploadsPage(xml: try S3XML.parse(Data(xml.utf8)))
        #expect(page.uploads.map(\.key) == ["my-divisor", "my-movie.m2ts"])
        #expect(page.uploads[0].uploadId == "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw")
        #expect(page.uploads[0].initiated == Date(timeIntervalSince1970: 1_289_422_113))
        #expect(page.uploads[1].initiated == nil)
        #expect(page.isTruncated)
        #expect(page.nextKeyMarker == "my-movie.m2ts")
        #expect(page.nextUploadIdMarker == "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ")
    }

    @Test func errorDocuments() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>
            <Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        let e = try #require(S3Documents.error(try S3XML.parse(Data(xml.utf8))))
        #expect(e == .init(code: "NoSuchKey", message: "The resource you requested does not exist", requestId: "4442587FB7D0A2F9"))

        // CompleteMultipartUpload's 200 with an error, after whitespace padding.
        let padded = "   \n  " + xml
        #expect(S3Documents.error(try S3XML.parse(Data(padded.utf8)))?.code == "NoSuchKey")

        // A redirect mapped by the client: the region comes from the header.
        let response = HTTPResponse(
            status: 301, headers: [HTTPHeader("x-amz-bucket-region", "eu-central-1"), HTTPHeader("x-amz-request-id", "R1")],
            body: Data())
        let mapped = try #require(S3Client.error(response, operation: "HeadBucket", bucketLevel: true).serviceError)
        #expect(mapped.code == "PermanentRedirect" && mapped.message.contains("eu-central-1") && mapped.requestId == "R1")
        let forbidden = S3Client.error(HTTPResponse(status: 403, headers: [], body: Data()), operation: "HeadObject", bucketLevel: false)
        #expect(forbidden.serviceError?.code == "AccessDenied")
        #expect("\(forbidden)".contains("s3:HeadObject"))
        let missing = S3Client.error(HTTPResponse(status: 404, headers: [], body: Data()), operation: "HeadBucket", bucketLevel: true)
        #expect(missing.serviceError?.code == "NoSuchBucket")
    }

    @Test func locationAndDeleteResult() throws {
        func loc(_ s: String) throws -> String { try S3Documents.location(try S3XML.parse(Data(s.utf8))) }
        #expect(try loc(#"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#) == "us-east-1")
        #expect(try loc("<LocationConstraint>EU</LocationConstraint>") == "eu-west-1")
        #expect(try loc("<LocationConstraint>eu-central-1</LocationConstraint>") == "eu-central-1")
        let del = """
            <DeleteResult><Deleted><Key>ok</Key></Deleted>
            <Error><Key>k&amp;1</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>
            """
        #expect(
            try S3Documents.deleteFailures(try S3XML.parse(Data(del.utf8))) == [
                .init(key: "k&1", code: "AccessDenied", message: "Access Denied")
            ])
        #expect(throws: (any Error).self) { try S3XML.parse(Data("<a><b></a>".utf8)) }
    }

    @Test func addressing() {
        let aws = S3Addressing(base: Endpoint(scheme: "https", host: "s3.eu-central-1.amazonaws.com", custom: false))
        let v = aws.target(bucket: "my-bucket", key: "a b/c")
        #expect(v.endpoint.host == "my-bucket.s3.eu-central-1.amazonaws.com" && v.path == "/a b/c")
        #expect(aws.target(bucket: "my-bucket").path == "/")
        let dotted = aws.target(bucket: "my.bucket", key: "k")
        #expect(dotted.endpoint.host == "s3.eu-central-1.amazonaws.com" && dotted.path == "/my.bucket/k")
        let custom = S3Addressing(base: Endpoint(scheme: "http", host: "127.0.0.1", port: 9000, custom: true))
        let c = custom.target(bucket: "b", key: "x//y")
        #expect(c.endpoint.host == "127.0.0.1" && c.path == "/b/x//y")
        // Encoded exactly once on the wire.
        let r = HTTPRequest(method: "GET", scheme: "http", host: "h", path: c.path + " +ü")
        #expect(r.urlString == "http://h/b/x//y%20%2B%C3%BC")
    }

    @Test func checksums() throws {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(S3Checksum.bytes(sha256Hex: hex)?.base64EncodedString() == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(S3Checksum.bytes(sha256Hex: "xyz") == nil)
        #expect(S3Checksum.md5Base64(Data()) == "1B2M2Y8AsgTpgAmY7PhCfg==")
        let dir = try S3Test.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = S3Test.randomData(3 * S3Checksum.chunk + 17)
        try data.write(to: URL(fileURLWithPath: dir + "/f"))
        #expect(try S3Checksum.sha256(file: dir + "/f") == S3Checksum.sha256(data))
        let range = try S3Checksum.sha256(file: dir + "/f", offset: 5, length: 2 * Int64(S3Checksum.chunk), copyTo: dir + "/part")
        let expected = data.subdata(in: 5..<(5 + 2 * S3Checksum.chunk))
        #expect(range == S3Checksum.sha256(expected))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/part")) == expected)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/part")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

// MARK: Against moto

@Suite struct S3ClientTests {
    @Test func createBucketAndRegion() async throws {
        let us = try S3Test.client(region: "us-east-1")
        let eu = try S3Test.client(region: "eu-central-1")
        let b1 = S3Test.bucket("use1")
        let b2 = S3Test.bucket("euc1")
        try await us.createBucket(b1)
        try await eu.createBucket(b2)
        #expect(try await us.bucketRegion(b1) == "us-east-1")
        #expect(try await eu.bucketRegion(b2) == "eu-central-1")
        // moto does not redirect: a us-east-1 client still learns the bucket's real region.
        #expect(try await us.bucketRegion(b2) == "eu-central-1")
        // A us-east-1 client cannot write to it: S3 answers 301 PermanentRedirect, and so does the
        // proxy in front of moto (rule s3-wrong-region), where moto alone would serve it.
        do {
            try await us.putObject(bucket: b2, key: "k", data: Data("x".utf8))
            Issue.record("a PutObject signed for us-east-1 into an eu-central-1 bucket was served")
        } catch let AWSError.service(e) {
            #expect(e.code == "PermanentRedirect", "\(e)")
        }
        try await eu.putObject(bucket: b2, key: "k", data: Data("x".utf8))
        #expect(try await eu.getObject(bucket: b2, key: "k") == Data("x".utf8))
        // Creating a bucket we own again is not an error.
        try await eu.createBucket(b2)
        try await us.createBucket(b1)
    }

    @Test func putGetHeadDelete() async throws {
        let (s3, b) = try await S3Test.newBucket("basic")
        let body = Data("hello, s3\n".utf8)
        #expect(try await s3.putObject(bucket: b, key: "dir/hello.txt", data: body, contentType: "text/plain"))
        #expect(try await s3.getObject(bucket: b, key: "dir/hello.txt") == body)
        let info = try #require(try await s3.headObject(bucket: b, key: "dir/hello.txt"))
        #expect(info.key == "dir/hello.txt" && info.size == Int64(body.count))
        // A single-part ETag is the MD5 in hex, quotes stripped.
        #expect(info.etag?.count == 32 && info.etag?.contains("\"") == false)
        #expect(info.lastModified.map { abs($0.timeIntervalSinceNow) < 3600 } == true)
        // "dir", not "dir/": strict moto cannot check a signed %2F in a query.
        let listed = try await s3.listObjects(bucket: b, prefix: "dir")
        #expect(listed.map(\.key) == ["dir/hello.txt"])
        #expect(listed.first?.size == Int64(body.count) && listed.first?.etag == info.etag)
        try await s3.deleteObject(bucket: b, key: "dir/hello.txt")
        #expect(try await s3.headObject(bucket: b, key: "dir/hello.txt") == nil)
        #expect(try await s3.listObjects(bucket: b, prefix: "").isEmpty)
        // Deleting what is gone is fine, as on S3.
        try await s3.deleteObject(bucket: b, key: "dir/hello.txt")
    }

    @Test func awkwardKeysAreEncodedOnce() async throws {
        let (s3, b) = try await S3Test.newBucket("keys", lenient: true)
        let keys = [
            "with spaces/a b.txt", "plus+sign", "üñíçødé/日本語 😀", "double//slash", "/leading", "trailing/",
            "percent%41%2F", "query?x=1&y=#frag", "tilde~star*paren()", "amp&lt;<>\"'",
        ]
        for (i, key) in keys.enumerated() {
            try await s3.putObject(bucket: b, key: key, data: Data("v\(i)".utf8))
        }
        for (i, key) in keys.enumerated() {
            #expect(try await s3.getObject(bucket: b, key: key) == Data("v\(i)".utf8), "key \(key)")
            #expect(try await s3.headObject(bucket: b, key: key)?.size == Int64("v\(i)".utf8.count), "key \(key)")
        }
        #expect(Set(try await s3.listObjects(bucket: b, prefix: "").map(\.key)) == Set(keys))
        #expect(try await s3.listObjects(bucket: b, prefix: "üñíçødé/").map(\.key) == ["üñíçødé/日本語 😀"])
        #expect(try await s3.listObjects(bucket: b, prefix: "plus+").map(\.key) == ["plus+sign"])
        try await s3.deleteObjects(bucket: b, keys: keys)
        #expect(try await s3.listObjects(bucket: b, prefix: "").isEmpty)
    }

    @Test func paginationAndCommonPrefixes() async throws {
        let (s3, b) = try await S3Test.newBucket("pages", lenient: true)
        var keys: [String] = []
        for d in 0..<5 { for f in 0..<5 { keys.append("snap/d\(d)/f\(f)") } }
        keys.append("other/x")
        for k in keys { try await s3.putObject(bucket: b, key: k, data: Data(k.utf8)) }
        let all = try await s3.listObjects(bucket: b, prefix: "snap/", pageSize: 7)
        #expect(all.map(\.key) == keys.filter { $0.hasPrefix("snap/") }.sorted())
        let prefixes = try await s3.listCommonPrefixes(bucket: b, prefix: "snap/", delimiter: "/", pageSize: 2)
        #expect(prefixes == (0..<5).map { "snap/d\($0)/" })
        #expect(try await s3.listCommonPrefixes(bucket: b, prefix: "", delimiter: "/") == ["other/", "snap/"])
    }

    @Test func moreThanAThousandKeys() async throws {
        let (s3, b) = try await S3Test.newBucket("many")
        let keys = (0..<1003).map { String(format: "k-%05d", $0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<16 {
                let k = keys[next]
                next += 1
                group.addTask { try await s3.putObject(bucket: b, key: k, data: Data()) }
            }
            while try await group.next() != nil, next < keys.count {
                let k = keys[next]
                next += 1
                group.addTask { try await s3.putObject(bucket: b, key: k, data: Data()) }
            }
            try await group.waitForAll()
        }
        let listed = try await s3.listObjects(bucket: b, prefix: "k-")
        #expect(listed.map(\.key) == keys)
        try await s3.deleteObjects(bucket: b, keys: keys)
        #expect(try await s3.listObjects(bucket: b, prefix: "").isEmpty)
    }

    @Test func conditionalPut() async throws {
        let (s3, b) = try await S3Test.newBucket("cond")
        #expect(try await s3.putObject(bucket: b, key: "once", data: Data("first".utf8), ifNoneMatch: true))
        #expect(try await s3.putObject(bucket: b, key: "once", data: Data("second".utf8), ifNoneMatch: true) == false)
        #expect(try await s3.getObject(bucket: b, key: "once") == Data("first".utf8))

        let dir = try S3Test.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/f"
        try Data("file body".utf8).write(to: URL(fileURLWithPath: file))
        let hex = S3Checksum.hex(S3Checksum.sha256(Data("file body".utf8)))
        #expect(try await s3.putObject(bucket: b, key: "f", file: file, sha256Hex: hex, ifNoneMatch: true, sse: .s3))
        #expect(try await s3.putObject(bucket: b, key: "f", file: file, ifNoneMatch: true) == false)
        #expect(try await s3.getObject(bucket: b, key: "f") == Data("file body".utf8))
    }

    @Test func multipartRoundTrip() async throws {
        let (s3, b) = try await S3Test.newBucket("mpu")
        let dir = try S3Test.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = S3Test.randomData(12 << 20)
        let file = dir + "/big"
        try data.write(to: URL(fileURLWithPath: file))
        try await s3.uploadFile(bucket: b, key: "big/archive", file: file, threshold: 5 << 20, partSize: 5 << 20, concurrency: 2)
        #expect(try await s3.headObject(bucket: b, key: "big/archive")?.size == Int64(data.count))
        // A multipart ETag is "<md5 of md5s>-<parts>".
        #expect(try await s3.headObject(bucket: b, key: "big/archive")?.etag?.hasSuffix("-3") == true)
        try await s3.getObject(bucket: b, key: "big/archive", to: dir + "/back")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/back")) == data)
        #expect(try await s3.listMultipartUploads(bucket: b, prefix: "").isEmpty)

        // Below the threshold: one PutObject.
        try await s3.uploadFile(bucket: b, key: "small", file: file, threshold: 64 << 20)
        #expect(try await s3.getObject(bucket: b, key: "small") == data)
        #expect(try await s3.headObject(bucket: b, key: "small")?.etag?.contains("-") == false)
    }

    @Test func failedMultipartIsAborted() async throws {
        var (s3, b) = try await S3Test.newBucket("mpufail")
        let dir = try S3Test.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/big"
        try S3Test.randomData(11 << 20).write(to: URL(fileURLWithPath: file))
        struct Injected: Error {}
        s3.beforeUploadPart = { part in if part == 2 { throw Injected() } }
        await #expect(throws: Injected.self) {
            try await s3.uploadFile(bucket: b, key: "broken", file: file, threshold: 1, partSize: 5 << 20)
        }
        #expect(try await s3.listMultipartUploads(bucket: b, prefix: "").isEmpty)
        #expect(try await s3.headObject(bucket: b, key: "broken") == nil)
    }

    @Test func danglingUploadListedAndAborted() async throws {
        let (s3, b) = try await S3Test.newBucket("dangle")
        let id = try await s3.createMultipartUpload(bucket: b, key: "snap/left over")
        _ = try await s3.createMultipartUpload(bucket: b, key: "elsewhere/x")
        // Prefix "snap", not "snap/": strict moto cannot check a signed %2F in a query.
        let listed = try await s3.listMultipartUploads(bucket: b, prefix: "snap")
        #expect(listed.map(\.key) == ["snap/left over"] && listed.first?.uploadId == id)
        try await s3.abortMultipartUpload(bucket: b, key: "snap/left over", uploadId: id)
        #expect(try await s3.listMultipartUploads(bucket: b, prefix: "snap").isEmpty)
        #expect(try await s3.listMultipartUploads(bucket: b, prefix: "").count == 1)
        let e = await S3Test.serviceError {
            try await s3.abortMultipartUpload(bucket: b, key: "snap/left over", uploadId: id)
        }
        #expect(e?.code == "NoSuchUpload" && e?.operation == "AbortMultipartUpload")
    }

    @Test func errorsCarryS3Codes() async throws {
        let (s3, b) = try await S3Test.newBucket("errs")
        let missing = S3Test.bucket("missing")
        let noKey = await S3Test.serviceError { _ = try await s3.getObject(bucket: b, key: "nope") }
        #expect(noKey?.code == "NoSuchKey" && noKey?.status == 404 && noKey?.service == "s3" && noKey?.operation == "GetObject")
        let noBucket = await S3Test.serviceError { _ = try await s3.getObject(bucket: missing, key: "k") }
        #expect(noBucket?.code == "NoSuchBucket")
        let put = await S3Test.serviceError { try await s3.putObject(bucket: missing, key: "k", data: Data()) }
        #expect(put?.code == "NoSuchBucket" && put?.operation == "PutObject")
        let list = await S3Test.serviceError { _ = try await s3.listObjects(bucket: missing, prefix: "") }
        #expect(list?.code == "NoSuchBucket" && list?.operation == "ListObjectsV2")
        let head = await S3Test.serviceError { _ = try await s3.bucketRegion(missing) }
        #expect(head?.code == "NoSuchBucket" && head?.operation == "HeadBucket")
        #expect(try await s3.headObject(bucket: missing, key: "k") == nil)

        // A failed download leaves nothing behind.
        let dir = try S3Test.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = await S3Test.serviceError { try await s3.getObject(bucket: b, key: "nope", to: dir + "/out") }
        #expect(e?.code == "NoSuchKey")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)

        // A missing local file is an AWSError naming the file.
        do {
            try await s3.putObject(bucket: b, key: "k", file: dir + "/absent")
            Issue.record("expected a failure")
        } catch let error as AWSError {
            #expect("\(error)".contains(dir + "/absent"))
        }
    }

    @Test func wrongSecretSaysSignatureDoesNotMatch() async throws {
        let good = try S3Test.client()
        let b = S3Test.bucket("sig")
        try await good.createBucket(b)
        let bad = try S3Test.client(secret: "not-the-secret")
        do {
            _ = try await bad.listObjects(bucket: b, prefix: "")
            Issue.record("expected a signature failure")
        } catch let error as AWSError {
            #expect(error.serviceError?.code == "SignatureDoesNotMatch")
            #expect("\(error)".contains("signature does not match"))
        }
        // HEAD has no body to carry the code: moto answers 403, which maps to AccessDenied.
        let head = await S3Test.serviceError { _ = try await bad.headObject(bucket: b, key: "k") }
        #expect(head?.status == 403)
    }

    @Test func accessDeniedNamesTheAction() async throws {
        let moto = try S3Moto.denyingPutObject()
        let s3 = try S3Client(
            region: "us-east-1", environment: AWSEnvironment(["AWS_ENDPOINT_URL": moto.endpoint]), http: HTTPClient(),
            credentials: StaticCredentialsProvider(Credentials(accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey)))
        let b = S3Test.bucket("denied")
        try await s3.createBucket(b)
        do {
            try await s3.putObject(bucket: b, key: "k", data: Data("x".utf8))
            Issue.record("expected AccessDenied")
        } catch let error as AWSError {
            #expect(error.serviceError?.code == "AccessDenied" && error.serviceError?.status == 403)
            #expect("\(error)".contains("s3:PutObject"))
        }
        #expect(try await s3.listObjects(bucket: b, prefix: "").isEmpty)
    }

    @Test func getObjectToFileOverwrites() async throws {
        let (s3, b) = try await S3Test.newBucket("getfile")
        let dir = try S3Test.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/out"
        try Data(repeating: 7, count: 100_000).write(to: URL(fileURLWithPath: out))
        try await s3.putObject(bucket: b, key: "k", data: Data("short".utf8), sse: .s3)
        try await s3.getObject(bucket: b, key: "k", to: out)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data("short".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out"])
        // Empty objects stream to an empty file.
        try await s3.putObject(bucket: b, key: "empty", data: Data())
        try await s3.getObject(bucket: b, key: "empty", to: dir + "/empty")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/empty")).isEmpty)
    }
}
