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
                    if !["Stopped", "Expired"].contains(found.status) { job = found }
                } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                    job = nil
                }
            }
            if job == nil {
                let made = try await cognito.createUserImportJob(
                    poolId, name: "snap-restore-\(snapshotId)-\(chunk.index)", roleArn: roleArn)
                await counter.wrote()
                try await journal.append(.importJob(index: chunk.index, jobId: made.jobId))
                job = made
            }
            var j = job!
            if j.status == "Created" {
                guard let url = j.preSignedUrl else {
                    throw AWSError.invalidResponse(service: "cognito-idp", operation: "CreateUserImportJob", reason: "no PreSignedUrl")
                }
                try await cognito.uploadImportCSV(path: chunk.path, to: url)
                j = try await cognito.startUserImportJob(poolId, jobId: j.jobId)
                await counter.wrote()
                log("import job \(j.jobId): file \(chunk.index), \(chunk.users) users, \(chunk.bytes) bytes, started")
            }
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
            results.append(Result(chunk: chunk, job: j, skipped: false))
        }
        return results
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
        var restarts = 0
        while true {
            var token: String?
            do {
                repeat {
                    let page = try await cognito.listUsers(poolId, paginationToken: token, filter: "sub ^= \"\(prefix)\"")
                    for u in page.items {
                        guard let name = u["Username"]?.stringValue else { continue }
                        try sorter.add(key: name, line: [UInt8](u.canonicalData()))
                    }
                    token = page.next
                } while token != nil
                return
            } catch let AWSError.service(e) where e.code == "InvalidParameterException" && e.message.contains("expired") && restarts < 3 {
                restarts += 1
            }
        }
    }
}
