/// A held lock with a lease: renewed by `refresh`, which throws
/// `SnapError.lockLost` once the lock is no longer ours.
protocol LeasedLock: Actor {
    func refresh() async throws
    func note(_ message: String)
}

/// Renews a held lock every `period` (a third of its lease) until the task
/// is cancelled (release) or the lock is lost. A renewal that fails for
/// another reason is tried again next period; `checkHeld` refuses to commit
/// on a lock whose lease ran out unrenewed.
enum LeaseHeartbeat {
    static func start<L: LeasedLock>(_ lock: L, period: Duration, name: String) -> Task<Void, Never> {
        Task { [weak lock] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)  // cancelled: the loop ends at its test
                guard !Task.isCancelled, let lock else { return }
                do {
                    try await lock.refresh()
                } catch SnapError.lockLost(_, let reason) {
                    await lock.note("lost the lock: \(reason)")
                    return
                } catch {
                    await lock.note("could not renew the lock \(name): \(error)")
                }
            }
        }
    }
}
