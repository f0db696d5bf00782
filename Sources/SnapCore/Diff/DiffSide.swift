import AWS
import Foundation

/// One side of a diff: a stored snapshot (verified through the catalog) or
/// a live pool (exported now, as sorted member files).
public enum DiffSide {
    /// A stored snapshot, verified whole from the first store with an intact
    /// copy; its private copy lives under `directory`.
    public static func stored(
        _ entry: Catalog.Entry, pool: String, catalog: Catalog, directory: String, log: @Sendable (String) -> Void
    ) async throws -> DiffInput {
        try FileSystem.makeFolder(directory)
        return .snapshot(try await catalog.read(entry, pool: pool, workDirectory: directory, log: log))
    }
}
