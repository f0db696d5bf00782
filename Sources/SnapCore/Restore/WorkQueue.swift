/// A FIFO channel between pipeline stages with any number of consumers
/// (AsyncStream allows only one), bounded: `send` waits while `capacity`
/// items are queued, so a producer streaming ten million users holds only a
/// queue's worth. `close` lets consumers drain what is queued and then get
/// nil; `abort` wakes everyone at once (consumers get nil, senders return).
actor WorkQueue<Item: Sendable> {
    private var items: [Item] = []
    private var head = 0
    private var waiters: [CheckedContinuation<Item?, Never>] = []
    private var senders: [CheckedContinuation<Void, Never>] = []
    private var closed = false
    private var aborted = false
    let capacity: Int

    init(_ initial: [Item] = [], closed: Bool = false, capacity: Int = .max) {
        items = initial
        self.closed = closed
        self.capacity = max(1, capacity)
    }

    var queued: Int { items.count - head }
    var isAborted: Bool { aborted }

    func send(_ item: Item) async {
        while !closed, !aborted, waiters.isEmpty, queued >= capacity {
            await withCheckedContinuation { senders.append($0) }
        }
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
        wakeSenders()
    }

    func abort() {
        aborted = true
        items.removeAll()
        head = 0
        wakeAll()
        wakeSenders()
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
            if !senders.isEmpty { senders.removeFirst().resume() }
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

    private func wakeSenders() {
        let s = senders
        senders.removeAll()
        for c in s { c.resume() }
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
