import Foundation

/// Fault hooks for the crash tests. They exist in debug builds, which the
/// tests run, and are compiled out of release builds: a shipped snap never
/// reads these variables and never kills itself.
enum TestHooks {
    /// `SNAP_TEST_KILL_AFTER_WRITES=N`: restore SIGKILLs itself after N writes.
    static var killAfterWrites: Int? {
        #if DEBUG
            return ProcessInfo.processInfo.environment["SNAP_TEST_KILL_AFTER_WRITES"].flatMap { Int($0) }
        #else
            return nil
        #endif
    }
}
