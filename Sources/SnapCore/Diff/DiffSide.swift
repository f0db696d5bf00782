import AWS
import Foundation

/// One side of a diff as sorted member files on disk: a stored snapshot
/// (read and verified through the catalog) or a live pool (exported now).
public enum DiffSide {
    /// Users, groups and memberships of a stored snapshot, verified, in files under `directory`.
    public static func stored(
        _ entry: Catalog.Entry, pool: String, catalog: Catalog, directory: String, log: @Sendable (String) -> Void
    ) async throws -> [Member: String] {
        try FileSystem.makeFolder(directory)
        let snapshot = try await catalog.read(
            entry, pool: pool, workDirectory: directory, want: [.users, .groups, .memberships], log: log)
        return snapshot.files
    }
}
