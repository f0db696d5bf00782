import AWS
import Foundation

/// `snap sync`: every snapshot that some store holds intact is copied to
/// each store where it is missing or damaged, archive first and `.json`
/// last, so a region that failed catches up.
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
    public init(stores: [any SnapshotStore]) { self.stores = stores }

    public func sync(pool: String, workDirectory: String, report: (Result) -> Void) async throws {
        let listed = await Verifier(stores: stores).listings(pool: pool)
        var all = Set<SnapshotID>()
        for case .success(let manifests) in listed.map(\.1) { all.formUnion(manifests.map(\.id)) }

        for id in all.sorted() {
            var intact: (path: String, manifest: Manifest, store: String)?
            var needs: [(any SnapshotStore, String)] = []
            for (store, listing) in listed {
                guard case .success(let manifests) = listing else {
                    if case .failure(let e) = listing {
                        report(Result(store: store.url, pool: pool, id: id, action: .failed("cannot list the store: \(e)")))
                    }
                    continue
                }
                guard let manifest = manifests.first(where: { $0.id == id }) else {
                    needs.append((store, "missing"))
                    continue
                }
                let keep = intact == nil ? "\(workDirectory)/\(id.value)-\(UUID().uuidString).tar.zst" : nil
                if let problem = await Verifier.check(
                    store: store, pool: pool, manifest: manifest, workDirectory: workDirectory, keep: keep)
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
                do {
                    let manifestData = source.manifest.json.canonicalData() + Data([0x0A])
                    try await store.write(pool: pool, id: id, archivePath: source.path, manifest: manifestData)
                    report(Result(store: store.url, pool: pool, id: id, action: .copied(from: source.store)))
                } catch {
                    report(Result(store: store.url, pool: pool, id: id, action: .failed("copy from \(source.store) failed: \(error)")))
                }
            }
            if let source = intact { try? FileManager.default.removeItem(atPath: source.path) }
        }
    }
}
