import AWS
import Foundation

/// One CSV file of an import-job restore, and the users it carries.
public struct ImportChunk: Sendable, Equatable {
    public var index: Int
    public var path: String
    public var users: Int
    public var bytes: Int
    public var first: String
    public var last: String
}

/// How an import-job restore splits the users: CSV files at Cognito's
/// per-job limits, and the users that go through the API instead, by reason.
public struct ImportSplit: Sendable {
    public var chunks: [ImportChunk] = []
    public var carried = 0
    public var byAPI: [ImportCSV.Unfit: Int] = [:]
}

extension RestoreSource {
    /// Streams the users into CSV files (`write`), or only counts them (`--dry-run`).
    /// Deterministic: the same snapshot and header always give the same files, so
    /// `--resume` finds each file's job by its index.
    public func importSplit(plan: RestorePlan, csv: ImportCSV, write: Bool) throws -> ImportSplit {
        var split = ImportSplit()
        let folder = write ? try work.folder("import") : work.path
        var file: BufferedFile?
        var current: ImportChunk?
        func close() throws {
            if let c = current { split.chunks.append(c) }
            try file?.close()
            file = nil
            current = nil
        }
        let users = try users()
        while let record = try users.next() {
            guard let user = plan.user(for: record) else { continue }
            switch csv.row(user) {
            case .failure(let why): split.byAPI[why, default: 0] += 1
            case .success(let row):
                split.carried += 1
                if let c = current, c.users >= ImportCSV.maxUsersPerJob || c.bytes + row.count > ImportCSV.maxBytesPerJob {
                    try close()
                }
                if current == nil {
                    let index = split.chunks.count + 1
                    let path = "\(folder)/users-\(index).csv"
                    let header = csv.headerLine
                    if write {
                        file = try BufferedFile(path: path)
                        try file!.write(header)
                    }
                    current = ImportChunk(index: index, path: path, users: 0, bytes: header.count, first: record.username, last: "")
                }
                try file?.write(row)
                current!.users += 1
                current!.bytes += row.count
                current!.last = record.username
            }
        }
        try close()
        return split
    }
}

/// Runs an import-job restore's jobs one after another: CreateUserImportJob
/// (journaled), the CSV PUT to its pre-signed URL, StartUserImportJob, then
/// DescribeUserImportJob until it finishes (journaled). On `--resume` a
/// finished job is never run again, and a job made but not finished is
/// looked up and carried on (uploaded and started if it never was).
///
/// As Cognito's guide has it:
/// - the pre-signed URL lives 15 minutes: a job still Created whose URL is
///   older (or that S3 refuses as expired) is left, and a fresh job made for
///   its file; its rows were never read, so none is lost or doubled;
/// - one job is active at a time in an account and Region: a job someone
///   else runs is waited for (named), at most `activeJobWait`;
/// - a job can end Failed, Stopped or Expired: named with its CloudWatch
///   log; what it imported is adopted, the rest goes through the API.
struct ImportRunner {
    let cognito: CognitoClient
    let poolId: String
    let roleArn: String
    let snapshotId: String
    let journal: RestoreJournal
    let prior: JournalIndex
    let counter: WriteCounter
    let log: @Sendable (String) -> Void
    var pollFloor: Duration = .milliseconds(500)
    var pollCeiling: Duration = .seconds(15)
    /// How long to wait for another import job to finish before giving up.
    var activeJobWait: Duration = .seconds(3600)
    /// Fresh jobs made for one file because S3 refused the upload as expired, before giving up.
    static let maxFreshJobs = 3

    struct Result: Sendable {
        var chunk: ImportChunk
        var job: CognitoClient.ImportJob?
        var skipped: Bool
    }

    func run(_ chunks: [ImportChunk]) async throws -> [Result] {
        var results: [Result] = []
        for chunk in chunks {
            if let known = prior.jobs[chunk.index], known.done {
                log("import job \(known.jobId) (file \(chunk.index), \(chunk.users) users) finished in an earlier run")
                results.append(Result(chunk: chunk, job: nil, skipped: true))
                continue
            }
            var job: CognitoClient.ImportJob?
            if let known = prior.jobs[chunk.index] {
                do {
                    let found = try await cognito.describeUserImportJob(poolId, jobId: known.jobId)
                    // A job that stopped or expired before it ran is replaced; one that ran is waited for.
                    if ["Stopped", "Expired"].contains(found.status) {
                        log("import job \(found.jobId) (file \(chunk.index)) is \(found.status): a new job for the file")
                    } else if found.status == "Created", Self.urlExpired(found, now: Date().timeIntervalSince1970) {
                        log(
                            "import job \(found.jobId) (file \(chunk.index)) was made but never started, and its upload URL's 15 minutes are over: a new job for the file"
                        )
                    } else {
                        job = found
                    }
                } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                    job = nil
                }
            }
            var fresh = 0
            while true {
                if job == nil { job = try await create(chunk) }
                guard job!.status == "Created" else { break }
                guard let url = job!.preSignedUrl else {
                    throw AWSError.invalidResponse(service: "cognito-idp", operation: "CreateUserImportJob", reason: "no PreSignedUrl")
                }
                do {
                    try await cognito.uploadImportCSV(path: chunk.path, to: url)
                } catch let expired as CognitoClient.UploadURLExpired where fresh < Self.maxFreshJobs {
                    fresh += 1
                    log("import job \(job!.jobId) (file \(chunk.index)): \(expired); a new job for the file")
                    job = nil
                    continue
                }
                job = try await cognito.startUserImportJob(poolId, jobId: job!.jobId)
                await counter.wrote()
                log("import job \(job!.jobId): file \(chunk.index), \(chunk.users) users, \(chunk.bytes) bytes, started")
                break
            }
            var j = job!
            var wait = pollFloor
            while !j.finished {
                try await Task.sleep(for: wait)
                wait = min(pollCeiling, wait * 2)
                j = try await cognito.describeUserImportJob(poolId, jobId: j.jobId)
            }
            try await journal.append(
                .importDone(index: chunk.index, jobId: j.jobId, status: j.status, imported: j.imported, failed: j.failed + j.skipped))
            log(
                "import job \(j.jobId): \(j.status), \(j.imported) imported, \(j.failed) failed, \(j.skipped) skipped\(j.message.map { ": \($0)" } ?? "")"
            )
            if j.status != "Succeeded" { log(Self.unfinished(j, chunk: chunk, poolId: poolId)) }
            results.append(Result(chunk: chunk, job: j, skipped: false))
        }
        return results
    }

    /// Whether a Created job's pre-signed URL is past its 15 minutes (a minute early, for the upload's own time).
    static func urlExpired(_ job: CognitoClient.ImportJob, now: Double) -> Bool {
        guard let created = job.created else { return false }
        return now - created > CognitoClient.ImportJob.uploadURLLife - 60
    }

    /// A job that ended other than Succeeded: its name, status, message and CloudWatch log, and what happens next.
    static func unfinished(_ j: CognitoClient.ImportJob, chunk: ImportChunk, poolId: String) -> String {
        let rest = max(0, chunk.users - j.imported)
        return
            "import job \(j.jobId) (\(j.name), file \(chunk.index)) ended \(j.status)\(j.message.map { " (\"\($0)\")" } ?? ""): Cognito's log is the CloudWatch Logs group /aws/cognito/userpools/\(poolId)/<pool name>, stream \(j.jobId)/\(j.name); the \(j.imported) users it imported are kept, the other \(rest) go through the API"
    }

    /// CreateUserImportJob; while another job is active in the account and Region (LimitExceededException), waits
    /// for it, naming it, up to `activeJobWait`.
    private func create(_ chunk: ImportChunk) async throws -> CognitoClient.ImportJob {
        let deadline = ContinuousClock.now + activeJobWait
        var named: String?
        var wait = pollFloor
        while true {
            do {
                let made = try await cognito.createUserImportJob(
                    poolId, name: "snap-restore-\(snapshotId)-\(chunk.index)", roleArn: roleArn)
                await counter.wrote()
                try await journal.append(.importJob(index: chunk.index, jobId: made.jobId))
                return made
            } catch let AWSError.service(e) where e.code == "LimitExceededException" {
                let active = try await cognito.listUserImportJobs(poolId).first(where: \.active)
                let who =
                    active.map { "import job \($0.jobId) (\($0.name), \($0.status), \($0.imported) imported so far)" }
                    ?? "an import job in another user pool of this account and Region"
                guard ContinuousClock.now < deadline else {
                    throw SnapError.importBusy(pool: poolId, job: who, waited: DurationText.format(activeJobWait), reason: e.message)
                }
                if named != who {
                    log(
                        "waiting for \(who) to finish: Cognito runs one import job at a time per account and Region (\(e.code)); waiting at most \(DurationText.format(activeJobWait))"
                    )
                    named = who
                }
                try await Task.sleep(for: wait)
                wait = min(pollCeiling, wait * 2)
            }
        }
    }
}

/// The target pool's users, listed (16 sub-prefix shards at once, paced as
/// UserList) and sorted by username on disk: how an import-job restore
/// learns each imported user's new sub, and finds what an earlier run made.
enum PoolListing {
    static func sorted(cognito: CognitoClient, poolId: String, directory: String) async throws -> String {
        let sortDir = "\(directory)/listing-sort"
        try FileSystem.makeFolder(sortDir)
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        // 256 shards by the sub's first two hex digits, 16 listed at once: each scan stays far inside its
        // pagination token's hour (10 million users: about 650 pages a shard), and one that outlives it anyway
        // is listed again (the sorter keeps one line per username).
        let hex = Array("0123456789abcdef")
        let shards = hex.flatMap { a in hex.map { b in "\(a)\(b)" } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                guard next < shards.count else { return }
                let prefix = shards[next]
                next += 1
                group.addTask { try await listShard(cognito: cognito, poolId: poolId, prefix: prefix, into: sorter) }
            }
            for _ in 0..<16 { add() }
            while try await group.next() != nil { add() }
        }
        let path = "\(directory)/listing-by-user.jsonl"
        var out = try BufferedFile(path: path)
        try sorter.drain { key, line in try out.write(key + [0] + line + [0x0A]) }
        try out.close()
        FileSystem.removeScratch(sortDir)
        return path
    }

    private static func listShard(cognito: CognitoClient, poolId: String, prefix: String, into sorter: ExternalSorter) async throws {
        // A shard listed again after a refused token adds its users again: the sorter keeps one line per username.
        try await each(
            cognito: cognito, poolId: poolId, filter: "sub ^= \"\(prefix)\"", listing: "the listing of the imported users", restart: {}
        ) { page in
            for u in page {
                guard let name = u["Username"]?.stringValue else { continue }
                try sorter.add(key: name, line: [UInt8](u.canonicalData()))
            }
        }
    }

    /// Every page of one ListUsers listing (`filter`, or the whole pool), handed to `page`. A refused pagination
    /// token, whatever its words ("Paging marker … is invalid for request …" on record) and whenever it comes,
    /// lists it again from the start, `restart` told first, at most three times; then it fails, named as
    /// `listing`.
    static func each(
        cognito: CognitoClient, poolId: String, filter: String?, listing: String, restart: () -> Void,
        _ page: ([JSONValue]) throws -> Void
    ) async throws {
        var restarts = 0
        while true {
            var token: String?
            do {
                repeat {
                    let p = try await cognito.listUsers(poolId, paginationToken: token, filter: filter)
                    try page(p.items)
                    token = p.next
                } while token != nil
                return
            } catch let AWSError.service(e) where e.code == "InvalidParameterException" && token != nil {
                guard restarts < 3 else {
                    throw SnapError.listingRefused(
                        pool: poolId, listing: listing + (filter.map { " \($0)" } ?? ""), restarts: restarts,
                        reason: "\(e.code): \(e.message)")
                }
                restarts += 1
                restart()
            }
        }
    }
}
