import Foundation

/// Who holds a lock: host, boot id, pid and a random nonce. A pid alone is
/// no identity across containers or reboots; the nonce tells this process's
/// own lock from any other, even one with the same pid.
public struct LockOwner: Sendable, Equatable {
    public var host: String
    /// `/proc/sys/kernel/random/boot_id`: which boot of the host's kernel; empty when unknown.
    public var bootId: String
    public var pid: Int32
    public var nonce: String
    public var started: String

    public init(host: String, bootId: String, pid: Int32, nonce: String, started: String) {
        self.host = host
        self.bootId = bootId
        self.pid = pid
        self.nonce = nonce
        self.started = started
    }

    public static func current() -> LockOwner {
        LockOwner(
            host: ProcessInfo.processInfo.hostName, bootId: bootId(), pid: getpid(),
            nonce: (0..<4).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }.joined(),
            started: Timestamp.format(Date()))
    }

    /// This kernel boot's id, or "" where the file does not exist (not Linux):
    /// then only an expired lease proves another holder gone.
    static func bootId() -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "pid \(pid) on \(host), since \(started)" }

    /// Provably no longer running, as `me` can tell: the same host and the
    /// same kernel boot, and no process with that pid. A holder written by an
    /// older snap (no boot id) is judged by host and pid alone, as it was then.
    /// Another host, or another boot, proves nothing: only the lease's expiry does.
    func isGone(from me: LockOwner) -> Bool {
        guard host == me.host, bootId == me.bootId || bootId.isEmpty else { return false }
        if pid == me.pid { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
