import Foundation

/// What must be undone when the process is interrupted (SIGINT, SIGTERM):
/// private work folders and temporary files holding user data, multipart
/// uploads in flight, held locks. Code that creates such a thing registers
/// its undo here and unregisters it when done; the executable's signal
/// handler runs what is left, newest first, then exits 130 or 143.
///
/// Signals are process-wide, so this is the one process-wide registry;
/// everything else in snap flows through values.
public final class CleanupRegistry: @unchecked Sendable {
    public static let shared = CleanupRegistry()

    public struct Token: Sendable, Hashable {
        let id: UInt64
    }

    private let lock = NSLock()
    private var actions: [(Token, String, @Sendable () async -> Void)] = []
    private var nextId: UInt64 = 0
    private var interruptedBy: Int32?

    public init() {}

    /// Registers `action` (described for the log); returns the token that unregisters it.
    @discardableResult
    public func register(_ what: String, _ action: @escaping @Sendable () async -> Void) -> Token {
        lock.lock()
        defer { lock.unlock() }
        nextId += 1
        let token = Token(id: nextId)
        actions.append((token, what, action))
        return token
    }

    public func unregister(_ token: Token) {
        lock.lock()
        defer { lock.unlock() }
        actions.removeAll { $0.0 == token }
    }

    /// The signal that interrupted the process, once the handler has run.
    public var interruption: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return interruptedBy
    }

    /// Writers check this before they commit (a `.json`, a journal line), so
    /// nothing new becomes visible once an interruption has begun.
    public func checkNotInterrupted() throws {
        if let signal = interruption { throw SnapError.interrupted(signal: signal) }
    }

    private func takeAll(_ signal: Int32) -> [(Token, String, @Sendable () async -> Void)] {
        lock.lock()
        defer { lock.unlock() }
        interruptedBy = signal
        let pending = Array(actions.reversed())
        actions.removeAll()
        return pending
    }

    /// Marks the process interrupted and runs every registered action,
    /// newest first, each at most once; `log` hears what is undone.
    public func interrupt(by signal: Int32, log: @Sendable (String) -> Void) async {
        let pending = takeAll(signal)
        for (_, what, action) in pending {
            log(what)
            await action()
        }
    }
}
