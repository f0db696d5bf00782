import Foundation

/// The pool's estimated user count, once DescribeUserPool has said it.
final class EstimatedUsers: @unchecked Sendable {
    private let lock = NSLock()
    private var _value = 0
    var value: Int {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
