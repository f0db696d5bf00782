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

    /// `SNAP_TEST_CRASH=1`: snap dereferences a bad pointer as a command
    /// begins, so the tests can prove that a crash is reported with its signal
    /// and backtrace, never read as an exit status.
    static func crashIfAsked() {
        #if DEBUG
            guard ProcessInfo.processInfo.environment["SNAP_TEST_CRASH"] == "1" else { return }
            let bad = UnsafeMutablePointer<Int>(bitPattern: 8)!
            bad.pointee = 1
        #endif
    }

    /// `SNAP_TEST_SKIP_SCRATCH_CHECK=1`: create skips the free-space pre-check,
    /// so the tests can fill a disk mid-export and see the error it gives.
    static var skipScratchCheck: Bool {
        #if DEBUG
            return ProcessInfo.processInfo.environment["SNAP_TEST_SKIP_SCRATCH_CHECK"] == "1"
        #else
            return false
        #endif
    }

    /// `SNAP_TEST_IMPORT_WAIT_SECONDS=N`: restore waits at most N seconds for someone else's import job
    /// (an hour otherwise), so a test sees the bounded wait end.
    static var importWait: Duration? {
        #if DEBUG
            return ProcessInfo.processInfo.environment["SNAP_TEST_IMPORT_WAIT_SECONDS"].flatMap { Double($0) }.map {
                .milliseconds(Int64($0 * 1000))
            }
        #else
            return nil
        #endif
    }
}
