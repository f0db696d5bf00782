import Foundation

/// The scratch disk an export needs, checked before it starts.
///
/// Per user, measured at 1 and 10 million simulated users (BENCHMARKS.md):
/// the sort runs and users.jsonl of ~0.5 KB a user each, the membership
/// sorts, the archive, and the previous snapshot read back for the change
/// summary. `bytesPerUser` rounds that up.
public enum ScratchSpace {
    public static let bytesPerUser: Int64 = 2_000
    /// Below this many users the check is skipped: any disk holds them.
    public static let floorUsers = 10_000

    public static func need(users: Int) -> Int64 { Int64(max(0, users)) * bytesPerUser }

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
        guard users >= floorUsers else { return }
        let free = try freeBytes(at: path)
        let need = need(users: users)
        if free < need { throw SnapError.scratchSpace(path: path, needBytes: need, freeBytes: free, users: users) }
    }
}
