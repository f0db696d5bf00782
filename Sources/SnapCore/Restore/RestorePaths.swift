import Foundation

/// Where a restore keeps its sub map and journal: the sub map where asked
/// (default `restore-<ID>-<POOL>.submap.jsonl` in the current folder), the
/// journal beside it.
public struct RestorePaths: Sendable, Equatable {
    public var subMap: String
    public var journal: String

    public init(snapshot id: String, target: String, subMap given: String?, cwd: String = FileManager.default.currentDirectoryPath) {
        let path = given ?? "restore-\(id)-\(target).submap.jsonl"
        subMap = path.hasPrefix("/") ? path : cwd + "/" + path
        let folder: String
        if let slash = subMap.lastIndex(of: "/") {
            folder = slash == subMap.startIndex ? "" : String(subMap[..<slash])
        } else {
            folder = "."
        }
        journal = "\(folder)/restore-\(id)-\(target).journal.jsonl"
    }
}
