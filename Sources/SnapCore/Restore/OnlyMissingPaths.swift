import Foundation

/// Where `--only-missing` keeps its files, next to each other like a full
/// restore's (`RestorePaths`) but under names of their own, so an undo in the
/// live pool and a full restore of the same snapshot into the same pool never
/// read or truncate each other's journal or sub map:
/// - the sub map at `--sub-map`, default `restore-<ID>-<POOL>.only-missing.submap.jsonl`;
/// - the journal `restore-<ID>-<POOL>.only-missing.journal.jsonl`;
/// - the users the run set out to re-create, `restore-<ID>-<POOL>.only-missing.users.txt`
///   (sorted, one per line), written before the first write: on `--resume` they are
///   finished even though the pool now holds them (with new subs).
public struct OnlyMissingPaths: Sendable, Equatable {
    public var subMap: String
    public var journal: String
    public var users: String

    public init(snapshot id: String, target: String, subMap: String?, cwd: String = FileManager.default.currentDirectoryPath) {
        let given = subMap ?? "restore-\(id)-\(target).only-missing.submap.jsonl"
        let path = given.hasPrefix("/") ? given : cwd + "/" + given
        self.subMap = path
        let folder = RestorePaths.folder(of: path)
        let base = (folder == "/" ? "" : folder) + "/restore-\(id)-\(target).only-missing"
        journal = base + ".journal.jsonl"
        users = base + ".users.txt"
    }
}
