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
    /// `/proc/self/ns/pid` (e.g. `pid:[4026531836]`): which pid namespace the
    /// pid belongs to. Containers on one host share its name and boot id, but
    /// not their pids; empty when unknown.
    public var pidNamespace: String

    public init(host: String, bootId: String, pid: Int32, nonce: String, started: String, pidNamespace: String = "") {
        self.host = host
        self.bootId = bootId
        self.pid = pid
        self.nonce = nonce
        self.started = started
        self.pidNamespace = pidNamespace
    }

    public static func current() -> LockOwner {
        LockOwner(
            host: ProcessInfo.processInfo.hostName, bootId: bootId(), pid: getpid(),
            nonce: (0..<4).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }.joined(),
            started: Timestamp.format(Date()), pidNamespace: pidNamespace())
    }

    /// This process's pid namespace, or "" where it cannot be read (not Linux).
    static func pidNamespace() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? ""
    }

    /// This kernel boot's id, or "" where the file does not exist (not Linux):
    /// then only an expired lease proves another holder gone.
    static func bootId() -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { "pid \(pid) on \(host), since \(started)" }

    /// Provably no longer running, as `me` can tell: the same host, the same
    /// kernel boot and the same pid namespace, and no process with that pid.
    /// Another host, boot or pid namespace (another container), or a holder
    /// whose namespace is unknown (an older snap's record), proves nothing:
    /// only the lease's expiry does.
    func isGone(from me: LockOwner) -> Bool {
        guard host == me.host, !bootId.isEmpty, bootId == me.bootId else { return false }
        guard !pidNamespace.isEmpty, pidNamespace == me.pidNamespace else { return false }
        if pid == me.pid { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
