import ArgumentParser
import SnapCore

/// The stores a command could not read, each named once with its reason.
/// list, verify, sync and prune exit 0 only when every store was read: 3
/// when some were and some were not, 1 when none were (that case throws
/// earlier, from the catalog).
struct StoreFailures {
    private(set) var all: [StoreFailure] = []

    mutating func add(_ failures: [StoreFailure]) {
        for f in failures where !all.contains(where: { $0.store == f.store }) { all.append(f) }
    }

    var isEmpty: Bool { all.isEmpty }

    /// One error line per store that could not be read.
    func report() {
        for f in all { Output.error(f.description) }
    }

    /// Exit 3 when some stores could not be read (after reporting them), 1 when none could.
    func exitIfAny(storeCount: Int) throws {
        guard !all.isEmpty else { return }
        report()
        throw all.count >= storeCount ? ExitCode.failure : ExitCode(3)
    }
}
