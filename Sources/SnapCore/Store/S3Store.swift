import AWS
import Foundation

/// A store in an S3 bucket: `s3://BUCKET[/PREFIX][?region=REGION]`.
///
/// The bucket's region is discovered once (HeadBucket) and, when the URL
/// states one, checked against it. Archives go up with PutObject or, above
/// `multipartThreshold`, a multipart upload that is aborted on failure; the
/// `.json` goes last with its own checksum. The lock is `<prefix>/<pool>/lock`,
/// changed only conditionally on its ETag (`S3Lock`).
public struct S3Store: SnapshotStore {
    public let url: String
    public let bucket: String
    public let prefix: String
    public let statedRegion: String?
    public let sse: ServerSideEncryption?
    public let multipartThreshold: Int64
    public let lockTTL: Duration
    /// Object Lock retention for every archive and `.json` this store writes.
    public let objectLock: ObjectLockSetting?
    private let location: S3Location

    public init(
        url: String, bucket: String, prefix: String, region: String?, environment: AWSEnvironment, http: HTTPClient,
        credentials: any CredentialsProvider, sse: ServerSideEncryption? = nil, multipartThreshold: Int64 = 64 << 20,
        lockTTL: Duration = .seconds(600), expectedBucketOwner: String? = nil, objectLock: ObjectLockSetting? = nil
    ) {
        self.objectLock = objectLock
        self.url = url
        self.bucket = bucket
        self.prefix = prefix
        self.statedRegion = region
        self.sse = sse
        self.multipartThreshold = multipartThreshold
        self.lockTTL = lockTTL
        self.location = S3Location(
            bucket: bucket, statedRegion: region, environment: environment, http: http, credentials: credentials, url: url,
            expectedBucketOwner: expectedBucketOwner)
    }

    func folder(_ pool: String) -> String { prefix.isEmpty ? pool : "\(prefix)/\(pool)" }
    func key(_ pool: String, _ name: String) -> String { "\(folder(pool))/\(name)" }

    public func client() async throws -> S3Client { try await location.client() }

    /// The keys under the pool's folder. Listed by the folder name without its
    /// trailing slash (and filtered here): the same objects, and a query value
    /// without "/" that every S3 implementation signs alike.
    func keys(pool: String) async throws -> [S3ObjectInfo] {
        let base = folder(pool)
        return try await client().listObjects(bucket: bucket, prefix: base).filter { $0.key.hasPrefix(base + "/") }
    }

    public func pools() async throws -> [String] {
        let objects = try await client().listObjects(bucket: bucket, prefix: prefix)
        let start = prefix.isEmpty ? "" : prefix + "/"
        var names = Set<String>()
        for o in objects where o.key.hasPrefix(start) {
            let rest = o.key.dropFirst(start.count)
            if let slash = rest.firstIndex(of: "/") { names.insert(String(rest[..<slash])) }
        }
        return names.sorted()
    }

    public func listing(pool: String) async throws -> StoreListing {
        let c = try await client()
        var jsonKeys: [(key: String, id: SnapshotID)] = []
        var archiveBytes: [SnapshotID: Int64] = [:]
        let base = folder(pool) + "/"
        // Only the pool folder's own objects: prune's records live one level down (`pruned/`).
        for object in try await keys(pool: pool) where !object.key.dropFirst(base.count).contains("/") {
            let name = object.key.split(separator: "/").last.map(String.init) ?? ""
            if name.hasSuffix(".json"), let id = SnapshotID(String(name.dropLast(5))) { jsonKeys.append((object.key, id)) }
            if name.hasSuffix(".tar.zst"), let id = SnapshotID(String(name.dropLast(8))) { archiveBytes[id] = object.size }
        }
        enum Read: Sendable {
            case manifest(Manifest)
            case unreadable(UnreadableManifest)
            case gone
        }
        return try await withThrowingTaskGroup(of: Read.self) { group in
            var pending = jsonKeys.makeIterator()
            var manifests: [Manifest] = []
            var unreadable: [UnreadableManifest] = []
            func next() {
                guard let (k, id) = pending.next() else { return }
                group.addTask {
                    let source = "s3://\(bucket)/\(k)"
                    let data: Data
                    do {
                        data = try await c.getObject(bucket: bucket, key: k)
                    } catch let AWSError.service(e) where e.code == "NoSuchKey" {
                        // Removed (by prune) between the listing and this read:
                        // the snapshot no longer exists, so nothing is hidden.
                        return .gone
                    } catch let e as AWSError where e.serviceError?.isAccessDenied == true {
                        // This object refused (a policy on some keys): that snapshot is
                        // unreadable here, named with its key; the store's others still count.
                        return .unreadable(UnreadableManifest(id: id, source: source, reason: "\(e)"))
                    }
                    do {
                        return .manifest(try Manifest(data: [UInt8](data), source: source, named: id, pool: pool))
                    } catch {
                        return .unreadable(UnreadableManifest(id: id, source: source, reason: "\(error)"))
                    }
                }
            }
            for _ in 0..<8 { next() }
            while let r = try await group.next() {
                switch r {
                case .manifest(let m): manifests.append(m)
                case .unreadable(let u): unreadable.append(u)
                case .gone: break
                }
                next()
            }
            return StoreListing(manifests: manifests, unreadable: unreadable, archiveBytes: archiveBytes)
        }
    }

    public func write(
        pool: String, id: SnapshotID, archivePath: String, manifest: Data, beforeCommit: @Sendable () async throws -> Void
    ) async throws {
        let c = try await client()
        let archiveKey = key(pool, "\(id.value).tar.zst")
        let (bucket, folder) = (bucket, folder(pool))
        // Interrupted mid-upload: abort it, or its parts are stored (and billed) until prune clears them.
        let token = CleanupRegistry.shared.register("aborting any upload of s3://\(bucket)/\(archiveKey)") {
            // Best effort as the process exits; prune's debris pass aborts what this misses.
            // Listed by the pool's folder name: a prefix without "/" is signed alike everywhere (see `keys`).
            guard let uploads = try? await c.listMultipartUploads(bucket: bucket, prefix: folder) else { return }
            for u in uploads where u.key == archiveKey {
                try? await c.abortMultipartUpload(bucket: bucket, key: u.key, uploadId: u.uploadId)
            }
        }
        defer { CleanupRegistry.shared.unregister(token) }
        let retention = objectLock?.retention()
        try await c.uploadFile(
            bucket: bucket, key: archiveKey, file: archivePath, sse: sse, objectLock: retention,
            threshold: multipartThreshold, partSize: max(5 << 20, min(multipartThreshold, 64 << 20)))
        try CleanupRegistry.shared.checkNotInterrupted()
        try await beforeCommit()
        try await c.putObject(
            bucket: bucket, key: key(pool, "\(id.value).json"), data: manifest, sse: sse, objectLock: retention,
            contentType: "application/json")
    }

    /// The later-ending retention of the snapshot's archive and `.json`, read
    /// with GetObjectRetention: HeadObject shows it only to a caller holding
    /// s3:GetObjectRetention, and snap never takes an unshown or unreadable
    /// retention for none. An object without a version id cannot be locked
    /// (Object Lock needs versioning), so it costs no further call.
    public func retention(pool: String, id: SnapshotID) async throws -> S3ObjectLock? {
        let c = try await client()
        var found: S3ObjectLock?
        for name in ["\(id.value).tar.zst", "\(id.value).json"] {
            if let lock = try await retention(c, key(pool, name)), lock.retainUntil > found?.retainUntil ?? .distantPast { found = lock }
        }
        return found
    }

    /// One object's retention (its current version's); nil when it has none or does not exist.
    func retention(_ c: S3Client, _ objectKey: String) async throws -> S3ObjectLock? {
        guard let head = try await c.headObject(bucket: bucket, key: objectKey), let version = head.versionId else { return nil }
        do {
            return try await c.objectRetention(bucket: bucket, key: objectKey, versionId: version)
        } catch let e as AWSError where e.serviceError?.isAccessDenied == true {
            throw SnapError.storeFailed(
                store: url,
                reason:
                    "the Object Lock retention of \(objectKey) cannot be read, and an unreadable retention is never taken for none: grant s3:GetObjectRetention on arn:aws:s3:::\(bucket)/* (\(e))"
            )
        }
    }

    /// Removes an object for good. In a versioned bucket each version is
    /// deleted by its id (s3:DeleteObjectVersion), the current one first,
    /// until HeadObject finds none: a DeleteObject without a version id would
    /// only add a delete marker, hiding the object while it stays stored (and
    /// retained). S3 refuses a version under retention; that refusal is thrown.
    func remove(_ c: S3Client, _ objectKey: String) async throws {
        for _ in 0..<100 {
            guard let head = try await c.headObject(bucket: bucket, key: objectKey) else { return }
            guard let version = head.versionId else {
                try await c.deleteObject(bucket: bucket, key: objectKey)
                return
            }
            try await c.deleteObject(bucket: bucket, key: objectKey, versionId: version)
        }
        throw SnapError.storeFailed(
            store: url, reason: "s3://\(bucket)/\(objectKey) still has versions after 100 were deleted: remove them by hand")
    }

    public func downloadArchive(pool: String, id: SnapshotID, to path: String) async throws {
        #if DEBUG
            // `SNAP_TEST_NO_ARCHIVE_DOWNLOAD=1`: the streamed-read tests prove verify and diff never land an S3 archive on disk.
            if ProcessInfo.processInfo.environment["SNAP_TEST_NO_ARCHIVE_DOWNLOAD"] != nil {
                throw SnapError.storeFailed(
                    store: url, reason: "an archive was to be downloaded to disk (SNAP_TEST_NO_ARCHIVE_DOWNLOAD is set)")
            }
        #endif
        do {
            try await client().getObject(bucket: bucket, key: key(pool, "\(id.value).tar.zst"), to: path)
        } catch let AWSError.service(e) where e.code == "NoSuchKey" || e.code == "NotFound" {
            throw SnapError.damaged(source: "\(url)/\(pool)/\(id.value)", member: nil, reason: "the archive object is missing")
        }
    }

    public var streamsArchives: Bool { true }

    public func streamArchive(
        pool: String, id: SnapshotID, into descriptor: Int32, begun: @escaping @Sendable (Int64?) -> Void
    ) async throws {
        let archiveKey = key(pool, "\(id.value).tar.zst")
        let sink = HTTPBodySink(descriptor: descriptor, name: "the reader of s3://\(bucket)/\(archiveKey)") { headers in
            begun(headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int64($0.value) })
        }
        do {
            let c: S3Client
            do { c = try await client() } catch {
                sink.close()
                throw error
            }
            try await c.getObject(bucket: bucket, key: archiveKey, into: sink)
        } catch let AWSError.service(e) where e.code == "NoSuchKey" || e.code == "NotFound" {
            throw SnapError.damaged(source: "\(url)/\(pool)/\(id.value)", member: nil, reason: "the archive object is missing")
        } catch {
            if sink.readerClosed { throw ArchiveStream.ReaderStopped() }
            guard sink.hasBegun, !(error is CancellationError) else { throw error }
            throw SnapError.storeFailed(
                store: url,
                reason:
                    "the download of \(archiveKey) broke after \(sink.bytesWritten) bytes (\(error)); a streamed read is not resumed, so this copy was not used"
            )
        }
    }

    public func writeRecord(pool: String, name: String, data: Data) async throws {
        // Without Object Lock retention: prune's policy holds no s3:PutObjectRetention (README), and a record
        // only ever explains a removal; removing one makes the chain report that snapshot as deleted.
        try await client().putObject(
            bucket: bucket, key: key(pool, "pruned/\(name)"), data: data, sse: sse, objectLock: nil, contentType: "application/json")
    }

    public func records(pool: String) async throws -> [(name: String, data: Data)] {
        let c = try await client()
        let base = key(pool, "pruned/")
        var out: [(name: String, data: Data)] = []
        for object in try await keys(pool: pool) where object.key.hasPrefix(base) {
            out.append((String(object.key.dropFirst(base.count)), try await c.getObject(bucket: bucket, key: object.key)))
        }
        return out.sorted { $0.name < $1.name }
    }

    public func delete(pool: String, id: SnapshotID) async throws {
        let c = try await client()
        try await remove(c, key(pool, "\(id.value).json"))
        let archiveKey = key(pool, "\(id.value).tar.zst")
        do { try await remove(c, archiveKey) } catch {
            throw SnapError.partlyRemoved(
                store: url, snapshot: "\(pool)/\(id.value)", left: "s3://\(bucket)/\(archiveKey)", reason: "\(error)")
        }
    }

    public func removeDebris(pool: String, olderThan limit: Date, log: @Sendable (String) -> Void) async throws -> [String] {
        let c = try await client()
        let objects = try await keys(pool: pool)
        let names = Set(objects.map(\.key))
        var removed: [String] = []
        for o in objects where o.key.hasSuffix(".tar.zst") && !names.contains(String(o.key.dropLast(8)) + ".json") {
            guard let modified = o.lastModified, modified < limit else { continue }
            if let lock = try await retention(c, o.key), lock.retainUntil > Date() {
                log(
                    "store \(url): keeping \(o.key) (an archive without a manifest) under \(lock.mode.rawValue.lowercased()) Object Lock retention until \(Timestamp.format(lock.retainUntil))"
                )
                continue
            }
            try await remove(c, o.key)
            removed.append("s3://\(bucket)/\(o.key)")
            log("store \(url): removed \(o.key) (an archive without a manifest, from \(Timestamp.format(modified)))")
        }
        for upload in try await c.listMultipartUploads(bucket: bucket, prefix: folder(pool)) where upload.key.hasPrefix(folder(pool) + "/")
        {
            guard let started = upload.initiated, started < limit else { continue }
            try await c.abortMultipartUpload(bucket: bucket, key: upload.key, uploadId: upload.uploadId)
            removed.append("upload of s3://\(bucket)/\(upload.key)")
            log("store \(url): aborted the multipart upload of \(upload.key) started \(Timestamp.format(started))")
        }
        return removed
    }

    public func clearDebris(pool: String, log: @Sendable (String) -> Void) async throws {
        let c = try await client()
        for upload in try await c.listMultipartUploads(bucket: bucket, prefix: folder(pool)) where upload.key.hasPrefix(folder(pool) + "/")
        {
            try await c.abortMultipartUpload(bucket: bucket, key: upload.key, uploadId: upload.uploadId)
            log("store \(url): aborted the stale multipart upload of \(upload.key)")
        }
    }

    public func lock(pool: String, owner: LockOwner, wait: Duration, log: @escaping @Sendable (String) -> Void) async throws
        -> any StoreLock
    {
        try await S3Lock.acquire(
            client: client(), bucket: bucket, key: key(pool, "lock"), store: url, owner: owner, ttl: lockTTL, wait: wait, sse: sse,
            log: log)
    }
}

/// Finds the bucket's region once and keeps a client for it.
actor S3Location {
    let bucket: String
    let statedRegion: String?
    let environment: AWSEnvironment
    let http: HTTPClient
    let credentials: any CredentialsProvider
    let url: String
    let expectedBucketOwner: String?
    private var cached: S3Client?

    init(
        bucket: String, statedRegion: String?, environment: AWSEnvironment, http: HTTPClient, credentials: any CredentialsProvider,
        url: String, expectedBucketOwner: String?
    ) {
        self.bucket = bucket
        self.statedRegion = statedRegion
        self.environment = environment
        self.http = http
        self.credentials = credentials
        self.url = url
        self.expectedBucketOwner = expectedBucketOwner
    }

    func client() async throws -> S3Client {
        if let cached { return cached }
        let probe = try S3Client(
            region: statedRegion ?? environment.region() ?? "us-east-1", environment: environment, http: http, credentials: credentials,
            expectedBucketOwner: expectedBucketOwner)
        let actual: String
        let c: S3Client
        do {
            actual = try await probe.bucketRegion(bucket)
            if let statedRegion, statedRegion != actual {
                throw SnapError.storeFailed(
                    store: url, reason: "bucket \(bucket) is in \(actual), not in \(statedRegion) as the store URL says: fix ?region=")
            }
            c =
                actual == probe.region
                ? probe
                : try S3Client(
                    region: actual, environment: environment, http: http, credentials: credentials,
                    expectedBucketOwner: expectedBucketOwner)
            // The owner check goes to the bucket's own region, as every later request does: S3
            // answers a request signed for another region with a redirect, never with the owner's verdict.
            if let expectedBucketOwner, try await c.headBucketStatus(bucket) == 403 {
                throw AWSError.service(
                    AWSError.ServiceError(
                        service: "s3", operation: "HeadBucket", status: 403, code: "AccessDenied", message: "Forbidden", requestId: nil)
                )
                .ownerHint(expectedBucketOwner, bucket: bucket, store: url)
            }
        } catch let AWSError.service(e) where ["NoSuchBucket", "NotFound"].contains(e.code) {
            throw SnapError.storeFailed(store: url, reason: "bucket \(bucket) does not exist: create it, or fix the store URL")
        } catch let e as AWSError where e.serviceError?.isAccessDenied == true && expectedBucketOwner != nil {
            throw e.ownerHint(expectedBucketOwner!, bucket: bucket, store: url)
        }
        cached = c
        return c
    }
}

extension AWSError {
    /// Access denied with an expected owner set: the likeliest cause is a
    /// bucket of another account, so the message says that first.
    func ownerHint(_ owner: String, bucket: String, store: String) -> SnapError {
        .storeFailed(
            store: store,
            reason:
                "bucket \(bucket) refused access: it is not owned by account \(owner) (--expected-bucket-owner, expected_bucket_owner), or this identity may not use it; nothing was written there (\(self))"
        )
    }
}
