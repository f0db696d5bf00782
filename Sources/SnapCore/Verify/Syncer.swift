import AWS
import Foundation

/// `snap sync`: every snapshot that some store holds intact is copied to
/// each store where it is missing or damaged (a wrong-sized or unreadable
/// archive, an unreadable `.json`), archive first and `.json` last, each
/// store with its own encryption setting, so a region that failed catches up.
/// A store that cannot be listed is reported once and left alone: what it
/// holds is unknown, so nothing is written into it.
///
/// Sync holds each store's lock while it runs, as create and prune do (in
/// `lockOrder`): a create never meets sync's uploads and takes them for
/// debris, and a live holder stops sync before it writes (`lockHeld`, exit 4).
/// A store whose lock cannot be taken for another reason (denied, down) is
/// still read as a source but never written to.
public struct Syncer: Sendable {
    public enum Action: Sendable, Equatable {
        case intact
        case copied(from: String)
        case failed(String)
    }

    public struct Result: Sendable {
        public var store: String
        public var pool: String
        public var id: SnapshotID
        public var action: Action
    }

    public let stores: [any SnapshotStore]
    public let waitLock: Duration
    public init(stores: [any SnapshotStore], waitLock: Duration = .zero) {
        self.stores = stores
        self.waitLock = waitLock
    }

    /// Returns the stores that could not be listed; `planned` is told how
    /// many copies (snapshots times readable stores) will be looked at.
    /// Throws `SnapError.lockHeld` when a running snap holds a store's lock.
    public func sync(
        pool: String, workDirectory: String, log: @escaping @Sendable (String) -> Void = { _ in }, planned: (Int) -> Void = { _ in },
        report: (Result) -> Void
    ) async throws -> [StoreFailure] {
        var locks: [String: any StoreLock] = [:]
        var unlockable: [String: String] = [:]
        let owner = LockOwner.current()
        for store in lockOrder(stores) {
            do {
                locks[store.url] = try await store.guardedLock(pool: pool, owner: owner, wait: waitLock, log: log)
            } catch let e as SnapError {
                if case .lockHeld = e {
                    for l in locks.values { await l.release() }
                    throw e
                }
                unlockable[store.url] = "\(e)"
            } catch {
                unlockable[store.url] = "\(error)"
            }
        }
        let failures = await copy(
            pool: pool, workDirectory: workDirectory, locks: locks, unlockable: unlockable, planned: planned, report: report)
        for l in locks.values { await l.release() }
        return failures
    }

    private func copy(
        pool: String, workDirectory: String, locks: [String: any StoreLock], unlockable: [String: String], planned: (Int) -> Void,
        report: (Result) -> Void
    ) async -> [StoreFailure] {
        let listed = await Verifier(stores: stores).listings(pool: pool)
        var failures: [StoreFailure] = []
        var all = Set<SnapshotID>()
        for (store, listing) in listed {
            switch listing {
            case .success(let l):
                all.formUnion(l.manifests.map(\.id))
                all.formUnion(l.unreadable.map(\.id))
            case .failure(let e):
                failures.append(StoreFailure(store: store.url, error: e))
            }
        }
        planned(all.count * (listed.count - failures.count))

        for id in all.sorted() {
            var intact: (path: String, manifest: Manifest, store: String)?
            var needs: [(any SnapshotStore, String)] = []
            for (store, listing) in listed {
                guard case .success(let l) = listing else { continue }
                if let bad = l.unreadable.first(where: { $0.id == id }) {
                    needs.append((store, "its .json cannot be read: \(bad.reason)"))
                    continue
                }
                guard let manifest = l.manifests.first(where: { $0.id == id }) else {
                    needs.append((store, "missing"))
                    continue
                }
                // Once a copy is trusted, another store's copy that names a
                // different archive is not the same snapshot: never overwrite it.
                if let trusted = intact, trusted.manifest.archive?.sha256 != manifest.archive?.sha256 {
                    report(
                        Result(
                            store: store.url, pool: pool, id: id,
                            action: .failed(
                                "its .json names archive sha256 \(manifest.archive?.sha256 ?? "none"), \(trusted.store) holds \(trusted.manifest.archive?.sha256 ?? "none"): two different snapshots under one ID; left as they are"
                            )))
                    continue
                }
                let keep = intact == nil ? "\(workDirectory)/\(id.value)-\(UUID().uuidString).tar.zst" : nil
                if let problem = await Verifier.check(
                    store: store, pool: pool, manifest: manifest, listedBytes: l.archiveBytes[id], workDirectory: workDirectory,
                    keep: keep)
                {
                    needs.append((store, problem))
                } else {
                    if let keep { intact = (keep, manifest, store.url) }
                    report(Result(store: store.url, pool: pool, id: id, action: .intact))
                }
            }
            for (store, why) in needs {
                guard let source = intact else {
                    report(Result(store: store.url, pool: pool, id: id, action: .failed("\(why), and no store holds an intact copy")))
                    continue
                }
                guard let lock = locks[store.url] else {
                    let lockError = unlockable[store.url] ?? "no lock"
                    report(
                        Result(
                            store: store.url, pool: pool, id: id,
                            action: .failed("\(why); not written: its lock could not be taken: \(lockError)")))
                    continue
                }
                do {
                    // Still ours (a lease another host took over is never written past).
                    try await lock.checkHeld()
                    let manifestData = source.manifest.json.canonicalData() + Data([0x0A])
                    try await store.write(pool: pool, id: id, archivePath: source.path, manifest: manifestData)
                    report(Result(store: store.url, pool: pool, id: id, action: .copied(from: source.store)))
                } catch {
                    report(Result(store: store.url, pool: pool, id: id, action: .failed("copy from \(source.store) failed: \(error)")))
                }
            }
            // Private scratch, removed with the work folder at the end anyway.
            if let source = intact { try? FileManager.default.removeItem(atPath: source.path) }
        }
        return failures
    }
}
