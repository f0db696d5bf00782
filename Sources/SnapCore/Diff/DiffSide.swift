import AWS
import Foundation

/// One side of a diff as sorted member files on disk: a stored snapshot
/// (read and verified through the catalog) or a live pool (exported now).
public enum DiffSide {
    /// Extracts users, groups and memberships of a stored snapshot into `directory`.
    public static func stored(_ entry: Catalog.Entry, pool: String, catalog: Catalog, directory: String, log: (String) -> Void) async throws
        -> [Member: String]
    {
        try FileSystem.makeFolder(directory)
        var files: [Member: MemberFile] = [:]
        for m in [Member.users, .groups, .memberships] { files[m] = try MemberFile(member: m, directory: directory) }
        _ = try await catalog.read(entry, pool: pool, workDirectory: directory, want: Set(files.keys), log: log) { member, line in
            try files[member]?.writeLine([UInt8](line))
        }
        var paths: [Member: String] = [:]
        for (m, f) in files {
            _ = try f.finish()
            paths[m] = f.path
        }
        return paths
    }
}
