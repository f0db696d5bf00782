import Logging

/// Loggers of the store layer (shown with -v). Made on first use, after
/// the executable has set swift-log up.
enum LockLog {
    static let logger = Logger(label: "snap.lock")
}

enum StoreLog {
    static let logger = Logger(label: "snap.store")
}
