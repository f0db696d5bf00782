import Foundation

/// Counts successful writes for the test-only kill switch.
actor WriteCounter {
    private var count = 0
    private let limit: Int?

    init(limit: Int?) { self.limit = limit }

    func wrote() {
        #if DEBUG
            // Compiled into debug (test) builds only: a release snap never kills itself.
            guard let limit else { return }
            count += 1
            if count >= limit { kill(getpid(), SIGKILL) }
        #endif
    }
}
