import AWS
import Crypto
import Foundation

/// `snap create`: lock, export, pack, write to every store in parallel, unlock.
public struct CreateSnapshot: Sendable {
    public struct StoreOutcome: Sendable {
        public var url: String
        public var ok: Bool
        public var error: String?
    }

    public struct Outcome: Sendable {
        public var manifest: Manifest
        public var stores: [StoreOutcome]
        public var seconds: Double
        public var allWritten: Bool { stores.allSatisfy(\.ok) }
        public var noneWritten: Bool { !stores.contains(where: \.ok) }
    }

    public let exporter: Exporter
    public let stores: [any SnapshotStore]
    public let waitLock: Duration
    public let tool: String
    public let log: @Sendable (String) -> Void
    /// Where the scratch folder goes (`--work-dir`); nil: $TMPDIR, else /tmp.
    public let workBase: String?
    /// `--with-secrets`: the KMS key secrets.enc's data key comes from (the exporter must capture secrets).
    public var secrets: SecretsKMS?
    /// `--sign`: signs the stored manifest's bytes (`Manifest.signedBytes`), answering its `signature` field.
    public var sign: (@Sendable ([UInt8]) async throws -> JSONValue)?

    public init(
        exporter: Exporter, stores: [any SnapshotStore], waitLock: Duration, tool: String, workBase: String? = nil,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.exporter = exporter
        self.workBase = workBase
        self.stores = stores
        self.waitLock = waitLock
        self.tool = tool
        self.log = log
    }

    public func run(progress: (@Sendable (ExportProgress) -> Void)? = nil) async throws -> Outcome {
        let started = ContinuousClock.now
        let pool = exporter.poolId
        let work = try WorkDirectory(base: workBase)
        defer { work.remove() }

        // Every reachable store's lock. A live holder anywhere stops the whole
        // create (exit 4): two creates must never interleave. A store that
        // cannot be reached is left out and reported; the others are written.
        // Taken in one global order (`lockOrder`), so two runs naming the same
        // stores in different orders never wait on each other in a cycle.
        var held: [String: any StoreLock] = [:]
        var failed: [StoreOutcome] = []
        let owner = LockOwner.current()
        for store in lockOrder(stores) {
            do {
                // Only create makes a missing store folder, and says so: every other command refuses it.
                if try store.makeIfMissing() { log("created the store folder \(store.url) (it did not exist)") }
                held[store.url] = try await store.guardedLock(pool: pool, owner: owner, wait: waitLock, log: log)
            } catch let e as SnapError {
                if case .lockHeld = e {
                    for l in held.values { await l.release() }
                    throw e
                }
                failed.append(StoreOutcome(url: store.url, ok: false, error: "\(e)"))
            } catch {
                failed.append(StoreOutcome(url: store.url, ok: false, error: "\(error)"))
            }
        }
        let usable = stores.filter { held[$0.url] != nil }
        let locks = usable.compactMap { held[$0.url] }
        guard !usable.isEmpty else {
            throw SnapError.storeFailed(
                store: stores.map(\.url).joined(separator: ", "), reason: failed.compactMap(\.error).joined(separator: "; "))
        }
        do {
            for store in usable { try? await store.clearDebris(pool: pool, log: log) }
            var outcome = try await runLocked(work: work, pool: pool, stores: usable, locks: locks, progress: progress)
            for l in locks { await l.release() }
            outcome.stores = stores.compactMap { s in
                outcome.stores.first { $0.url == s.url } ?? failed.first { $0.url == s.url }
            }
            let elapsed = ContinuousClock.now - started
            outcome.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return outcome
        } catch {
            for l in locks { await l.release() }
            throw error
        }
    }

    /// `locks[i]` is the lock held in `stores[i]`.
    private func runLocked(
        work: WorkDirectory, pool: String, stores: [any SnapshotStore], locks: [any StoreLock],
        progress: (@Sendable (ExportProgress) -> Void)?
    ) async throws -> Outcome {
        // The newest snapshot any store holds: the clock check, then the
        // change summary. A store that cannot be listed is named in the
        // manifest's warnings, never taken for an empty one.
        let catalog = Catalog(stores: stores)
        var listingWarnings: [String] = []
        let known: Catalog.Entry?
        do {
            let listing = try await catalog.entries(pool: pool)
            known = listing.entries.last
            listingWarnings = listing.problems.map { "\($0); the clock check and change summary used the other stores" }
        } catch {
            known = nil
            listingWarnings = ["no store could be listed (\(error)); no clock check or change summary"]
        }
        let now = try await Self.clockChecked(Date(), newest: known?.id)
        let id = SnapshotID.make(at: now)
        // The data key first: a key that does not exist, or a role without kms:GenerateDataKey, fails the
        // create before the export rather than hours into it. It is held as a SymmetricKey (zeroed when
        // freed) while the export runs, as the secrets it will seal already are.
        let sealing = try await secrets?.generate(pool: pool, snapshot: id.value)
        let exportDir = try work.folder("export")
        let export = try await exporter.run(workDirectory: exportDir, progress: progress)
        var secretsBytes: Data?
        var secretsInfo: SecretsInfo?
        if let sealing {
            guard let captured = export.secrets else {
                throw SnapError.configuration("--with-secrets: the export captured no secrets (the exporter was not told to)")
            }
            let sealed = try SecretsEnvelope.seal(captured, key: sealing.key)
            secretsBytes = sealed
            secretsInfo = SecretsInfo(
                kmsKeyArn: sealing.keyArn, encryptedDataKey: sealing.encryptedDataKey, sha256: Hex.encode(SHA256.hash(data: sealed)))
        }

        // Against the newest snapshot any store holds, for the manifest's change summary.
        var previous: SnapshotID?
        var changes: ChangeSummary?
        var warnings = export.warnings + listingWarnings
        if let last = known {
            previous = last.id
            do {
                changes = try await summarize(against: last, catalog: catalog, pool: pool, export: export, work: work)
            } catch {
                warnings.append("could not compare with the previous snapshot \(last.id.value): \(error)")
            }
        }

        var manifest = Manifest(
            id: id, createdAt: Timestamp.format(now), userPool: export.pool, counts: export.counts, files: export.files,
            previous: previous, changes: changes, warnings: warnings, tool: tool)
        manifest.stats = export.stats
        manifest.options = export.options
        manifest.secrets = secretsInfo
        manifest.previousDigest = known?.manifest.digest
        let archivePath = "\(work.path)/\(id.value).tar.zst"
        manifest.archive = try SnapshotWriter.write(export: export, manifest: manifest, secrets: secretsBytes, to: archivePath)
        if let sign {
            // Before any store is written: a signing failure (KMS down, no kms:Sign) fails the create, so an
            // unsigned snapshot is never written when signing was asked for.
            manifest.signature = try await sign(manifest.signedBytes)
        }
        let manifestData = manifest.json.canonicalData() + Data([0x0A])
        let final = manifest

        let outcomes = await withTaskGroup(of: (Int, StoreOutcome).self) { group in
            for (i, store) in stores.enumerated() {
                let lock = locks[i]
                group.addTask {
                    let started = ContinuousClock.now
                    StoreLog.logger.info("writing \(id.value) to \(store.url)")
                    do {
                        // The lock is proved still ours (and its lease renewed)
                        // right before the `.json` commits the snapshot.
                        try await store.write(
                            pool: pool, id: id, archivePath: archivePath, manifest: manifestData,
                            beforeCommit: { try await lock.checkHeld() })
                        let took = started.duration(to: .now)
                        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
                        StoreLog.logger.info("wrote \(id.value) to \(store.url) in \(String(format: "%.2fs", seconds))")
                        return (i, StoreOutcome(url: store.url, ok: true, error: nil))
                    } catch {
                        StoreLog.logger.info("writing \(id.value) to \(store.url) failed: \(error)")
                        return (i, StoreOutcome(url: store.url, ok: false, error: "\(error)"))
                    }
                }
            }
            var results: [(Int, StoreOutcome)] = []
            for await r in group { results.append(r) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return Outcome(manifest: final, stores: outcomes, seconds: 0)
    }

    /// The time for a new snapshot's ID, which must sort after `newest`:
    /// an ID within the same second waits for the next one; a `newest`
    /// dated later than that is clock skew (here or where it was written),
    /// refused so that "latest" and the retention rules stay true.
    static func clockChecked(_ now: Date, newest: SnapshotID?) async throws -> Date {
        guard let newest else { return now }
        let second = now.timeIntervalSince1970.rounded(.down)
        let newestSecond = newest.date.timeIntervalSince1970
        if second > newestSecond { return now }
        if second == newestSecond {
            try await Task.sleep(for: .seconds(newestSecond + 1 - now.timeIntervalSince1970))
            return Date(timeIntervalSince1970: newestSecond + 1)
        }
        throw SnapError.clockSkew(newest: newest.value, now: Timestamp.format(now))
    }

    private func summarize(against last: Catalog.Entry, catalog: Catalog, pool: String, export: ExportResult, work: WorkDirectory)
        async throws -> ChangeSummary
    {
        // Counted only: nothing is spooled, and the summary comes back once the previous copy is proven. The
        // configuration is compared too (issue 21), so `list` shows a night whose only change was, say, MFA turned off.
        try await VerifiedDiff.run(
            old: .stored(last, pool: pool), new: .files(export.paths), catalog: catalog,
            engine: DiffEngine(configuration: ConfigurationDiff()),
            workDirectory: try work.folder("previous"), log: log)
    }
}

/// A private scratch folder (0700, from mkdtemp), removed when the work is
/// done, or by the signal handler if the process is interrupted first.
public final class WorkDirectory: Sendable {
    public let path: String
    private let cleanup: CleanupRegistry.Token

    public init(base given: String? = nil) throws {
        let base = given ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/snap-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SnapError.io(path: base, reason: "cannot create a work folder: \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: made)
        path = folder
        cleanup = CleanupRegistry.shared.register("removing the work folder \(folder)") {
            // Interrupted: the folder is scratch only, so a failed removal loses nothing
            // (the error would have nowhere to go as the process exits).
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    public func folder(_ name: String) throws -> String {
        let p = "\(path)/\(name)"
        try FileSystem.makeFolder(p)
        return p
    }

    /// Scratch only: a folder that cannot be removed loses no data, so the
    /// error is not raised over the command's own outcome.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
        CleanupRegistry.shared.unregister(cleanup)
    }
}
