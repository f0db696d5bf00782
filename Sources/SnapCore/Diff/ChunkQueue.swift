import Foundation

/// The bounded hand-over between a thread that verifies one side of a diff
/// (`SnapshotStream`) and the join: at most `capacity` items wait, so memory
/// stays flat whichever side runs ahead. The producer's failure overtakes
/// whatever it queued before: the join stops at once.
final class ChunkQueue: @unchecked Sendable {
    enum Item {
        case member(Member)
        case chunk([UInt8])
        /// The whole archive was read and proven.
        case end
    }

    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Item] = []
    private var head = 0
    /// Set by the producer when it ends: nil while it runs.
    private var outcome: Result<Void, any Error>?
    private var cancelled = false

    init(capacity: Int = 8) { self.capacity = capacity }

    /// Producer: queues `item`, waiting while the queue is full; false once
    /// the consumer has gone (stop producing then).
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        if head > capacity {
            items.removeFirst(head)
            head = 0
        }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Producer: its last word, success after `.end` was queued, or why it
    /// stopped. Once the consumer has gone (`cancel`), any failure is only
    /// that: its input may have been cut from under it on purpose.
    func close(_ result: Result<Void, any Error>) {
        condition.lock()
        if cancelled, case .failure = result { outcome = .failure(Stopped()) } else { outcome = result }
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next item, waiting for it; throws the producer's error.
    func take() throws -> Item {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if case .failure(let error) = outcome { throw error }
            if head < items.count {
                let item = items[head]
                items[head] = .end
                head += 1
                condition.broadcast()
                return item
            }
            if outcome != nil {
                throw SnapError.io(path: "", reason: "a verified side ended without its end marker (a bug in snap)")
            }
            condition.wait()
        }
    }

    /// Consumer: tells the producer to stop, without waiting for it.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: stops the producer and waits until it has ended; returns
    /// its error if it failed on its own (not because it was stopped).
    func stop() -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while outcome == nil { condition.wait() }
        if case .failure(let error) = outcome, !(error is Stopped) { return error }
        return nil
    }

    /// Thrown inside the producer when the consumer has gone.
    struct Stopped: Error {}
}
