import AWS
import Foundation

/// A store in a local folder. Every file is written under a temporary name,
/// synced, renamed into place and its folder synced, so a crash leaves
/// either the old state or the new one. Files 0600, folders 0700.
public struct LocalStore: SnapshotStore {
    public let root: String
    public let url: String
    public let lockTTL: Duration

    public init(root: String, url: String? = nil, lockTTL: Duration = .seconds(600)) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        self.url = url ?? r
        self.lockTTL = lockTTL
    }

    private func folder(_ pool: String) -> String { "\(root)/\(pool)" }

    /// The error for a store folder that is not there: never an empty store.
    private var missing: SnapError {
        .storeFailed(
            store: url,
            reason:
                "the folder \(root) does not exist: if it is on a backup disk, mount it; else fix the store path (snap create makes the folder)"
        )
    }

    /// Throws `missing` unless the store's folder exists.
    private func requireRoot() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else { throw missing }
        guard isDir.boolValue else { throw SnapError.io(path: root, reason: "the store path is not a folder: fix the store path") }
    }

    public func makeIfMissing() throws -> Bool {
        guard !FileManager.default.fileExists(atPath: root) else { return false }
        try FileSystem.makeFolder(root)
        return true
    }

    public func pools() async throws -> [String] {
        guard let names = try Self.entries(of: root) else { throw missing }
        return names.filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }

    public func listing(pool: String) async throws -> StoreListing {
        try requireRoot()
        let dir = folder(pool)
        guard let names = try Self.entries(of: dir) else { return StoreListing(manifests: []) }
        var out: [Manifest] = []
        var unreadable: [UnreadableManifest] = []
        var archiveBytes: [SnapshotID: Int64] = [:]
        for name in names where name.hasSuffix(".tar.zst") && !name.hasPrefix(".") {
            guard let id = SnapshotID(String(name.dropLast(8))) else { continue }
            var st = stat()
            if stat("\(dir)/\(name)", &st) == 0 { archiveBytes[id] = Int64(st.st_size) }
        }
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            guard let id = SnapshotID(String(name.dropLast(5))) else { continue }
            let path = "\(dir)/\(name)"
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                out.append(try Manifest(data: [UInt8](data), source: path, named: id, pool: pool))
            } catch let e as SnapError {
                unreadable.append(UnreadableManifest(id: id, source: path, reason: "\(e)"))
            } catch {
                unreadable.append(UnreadableManifest(id: id, source: path, reason: "cannot read: \(error.localizedDescription)"))
            }
        }
        return StoreListing(manifests: out, unreadable: unreadable, archiveBytes: archiveBytes)
    }

    /// A folder's entries; nil when the folder does not exist (a pool folder
    /// not yet written is empty; a store folder that is missing is an error,
    /// `missing`). Any other failure (permissions, not a folder) is an error
    /// naming the folder.
    static func entries(of dir: String) throws -> [String]? {
        guard let d = opendir(dir) else {
            if errno == ENOENT { return nil }
            throw SnapError.io(path: dir, reason: "cannot list the folder: \(String(cString: strerror(errno))); check its permissions")
        }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func write(
        pool: String, id: SnapshotID, archivePath: String, manifest: Data, beforeCommit: @Sendable () async throws -> Void
    ) async throws {
        let dir = folder(pool)
        try requireRoot()
        try FileSystem.makeFolder(dir)
        try FileSystem.atomicCopy(from: archivePath, to: "\(dir)/\(id.value).tar.zst")
        try await beforeCommit()
        try FileSystem.atomicWrite(manifest, to: "\(dir)/\(id.value).json")
    }

    public func downloadArchive(pool: String, id: SnapshotID, to path: String) async throws {
        let source = "\(folder(pool))/\(id.value).tar.zst"
        guard FileManager.default.fileExists(atPath: source) else {
            throw SnapError.damaged(source: "\(url)/\(pool)/\(id.value)", member: nil, reason: "the archive \(source) is missing")
        }
        try FileSystem.copy(from: source, to: path)
    }

    public func writeRecord(pool: String, name: String, data: Data) async throws {
        try requireRoot()
        let dir = folder(pool) + "/pruned"
        try FileSystem.makeFolder(folder(pool))
        try FileSystem.makeFolder(dir)
        try FileSystem.atomicWrite(data, to: "\(dir)/\(name)")
    }

    public func records(pool: String) async throws -> [(name: String, data: Data)] {
        try requireRoot()
        let dir = folder(pool) + "/pruned"
        guard let names = try Self.entries(of: dir) else { return [] }
        return try names.filter { !$0.hasPrefix(".") }.sorted().map { name in
            let path = "\(dir)/\(name)"
            do {
                return (name, try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw SnapError.io(path: path, reason: "cannot read prune's record: \(error.localizedDescription)")
            }
        }
    }

    public func delete(pool: String, id: SnapshotID) async throws {
        let dir = folder(pool)
        for name in ["\(id.value).json", "\(id.value).tar.zst"] {
            if unlink("\(dir)/\(name)") != 0 && errno != ENOENT {
                let reason = "cannot remove: \(String(cString: strerror(errno)))"
                guard name.hasSuffix(".tar.zst") else { throw SnapError.io(path: "\(dir)/\(name)", reason: reason) }
                throw SnapError.partlyRemoved(store: url, snapshot: "\(pool)/\(id.value)", left: "\(dir)/\(name)", reason: reason)
            }
            FileSystem.syncFolder(dir)
        }
    }

    public func removeDebris(pool: String, olderThan limit: Date, log: @Sendable (String) -> Void) async throws -> [String] {
        let dir = folder(pool)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var removed: [String] = []
        for name in names {
            let orphan = name.hasSuffix(".tar.zst") && !names.contains(String(name.dropLast(8)) + ".json")
            let temporary = name.hasPrefix(".") && name.contains(".tmp-")
            guard orphan || temporary else { continue }
            let path = "\(dir)/\(name)"
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < limit
            else { continue }
            try FileManager.default.removeItem(atPath: path)
            removed.append("\(url)/\(pool)/\(name)")
            log(
                "store \(url): removed \(name) (\(orphan ? "an archive without a manifest" : "a temporary file"), from \(Timestamp.format(modified)))"
            )
        }
        return removed
    }

    public func clearDebris(pool: String, log: @Sendable (String) -> Void) async throws {
        let dir = folder(pool)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: "\(dir)/\(name)")
            log("store \(url): removed \(name), left by an interrupted create")
        }
    }

    public func lock(pool: String, owner: LockOwner, wait: Duration, log: @escaping @Sendable (String) -> Void) async throws
        -> any StoreLock
    {
        try requireRoot()
        try FileSystem.makeFolder(folder(pool))
        return try await LocalLock.acquire(path: "\(folder(pool))/lock", store: url, owner: owner, ttl: lockTTL, wait: wait, log: log)
    }
}
