/// A FIFO channel between pipeline stages with any number of consumers
/// (AsyncStream allows only one). `close` lets consumers drain what is
/// queued and then get nil; `abort` wakes them with nil at once.
actor WorkQueue<Item: Sendable> {
    private var items: [Item] = []
    private var head = 0
    private var waiters: [CheckedContinuation<Item?, Never>] = []
    private var closed = false
    private var aborted = false

    init(_ initial: [Item] = [], closed: Bool = false) {
        items = initial
        self.closed = closed
    }

    func send(_ item: Item) {
        guard !closed, !aborted else { return }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: item)
        } else {
            items.append(item)
        }
    }

    func close() {
        closed = true
        if head >= items.count { wakeAll() }
    }

    func abort() {
        aborted = true
        items.removeAll()
        head = 0
        wakeAll()
    }

    func receive() async -> Item? {
        if aborted { return nil }
        if head < items.count {
            let item = items[head]
            head += 1
            // Drop consumed items now and then so a long run does not keep them all.
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
        if closed { return nil }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func wakeAll() {
        let w = waiters
        waiters.removeAll()
        for c in w { c.resume(returning: nil) }
    }
}

/// Opens once; everyone waiting, and everyone who comes later, goes through.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func open() {
        isOpen = true
        for w in waiters { w.resume() }
        waiters.removeAll()
    }

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
