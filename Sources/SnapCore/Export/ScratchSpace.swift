import Foundation

/// The scratch disk an export needs, checked before it starts.
///
/// Per user, measured at 1 and 10 million simulated users (BENCHMARKS.md):
/// the sort runs and users.jsonl of ~0.5 KB a user each, the membership
/// sorts, the archive, and the previous snapshot read back for the change
/// summary. `bytesPerUser` rounds that up.
public enum ScratchSpace {
    public static let bytesPerUser: Int64 = 2_000
    /// What any export needs besides its users: the pool's configuration, the
    /// groups, the archive's blocks and the sorters' first runs.
    public static let baseBytes: Int64 = 1 << 20

    /// Checked at every size (issue 19, item 10): a nearly full disk fails a
    /// small pool as surely as a large one.
    public static func need(users: Int) -> Int64 { baseBytes + Int64(max(0, users)) * bytesPerUser }

    /// Free bytes for an unprivileged writer on the file system holding `path`.
    public static func freeBytes(at path: String) throws -> Int64 {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else {
            throw SnapError.io(path: path, reason: "cannot read the free space: \(String(cString: strerror(errno)))")
        }
        return Int64(s.f_bavail) * Int64(s.f_frsize)
    }

    /// Throws `scratchSpace` when `path` lacks room for `users` users.
    public static func check(path: String, users: Int) throws {
        let free = try freeBytes(at: path)
        let need = need(users: users)
        if free < need { throw SnapError.scratchSpace(path: path, needBytes: need, freeBytes: free, users: users) }
    }
}
