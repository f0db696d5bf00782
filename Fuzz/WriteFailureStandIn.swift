// A stand-in for SnapCore's WriteFailure, so the fuzz target compiles the
// archive sources without SnapError and everything it names. The fuzz target
// reads archives and never fills a disk: every write failure stays as it was.
import Foundation

enum WriteFailure {
    static func isNoSpace(_ error: Error) -> Bool { false }
    static func error(_ error: Error, path: String, writing what: String) -> Error { error }
}
