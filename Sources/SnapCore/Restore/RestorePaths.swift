import Foundation

/// Where a restore keeps its sub map and journal: the sub map at `--sub-map`
/// (default `restore-<ID>-<POOL>.submap.jsonl` in the working folder), the
/// journal `restore-<ID>-<POOL>.journal.jsonl` next to it, so `--resume` with
/// the same REF, pool and `--sub-map` finds it again.
public struct RestorePaths: Sendable, Equatable {
    public var subMap: String
    public var journal: String

    public init(snapshot id: String, target: String, subMap: String?, cwd: String = FileManager.default.currentDirectoryPath) {
        let given = subMap ?? "restore-\(id)-\(target).submap.jsonl"
        let path = given.hasPrefix("/") ? given : cwd + "/" + given
        self.subMap = path
        let folder = Self.folder(of: path)
        self.journal = (folder == "/" ? "" : folder) + "/restore-\(id)-\(target).journal.jsonl"
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
