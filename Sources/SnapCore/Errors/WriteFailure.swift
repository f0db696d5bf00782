import Foundation

/// A failed write, turned into an error that names the file and what it held.
/// Foundation reports a full disk as `NSCocoaErrorDomain` 640 ("There isn't
/// enough space.") with no path; snap says which file, what it was writing,
/// and how much space is free there (issue 19, item 10).
enum WriteFailure {
    /// ENOSPC or EDQUOT, however Foundation wrapped it.
    static func isNoSpace(_ error: Error) -> Bool {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain && ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return true }
        if ns.domain == NSPOSIXErrorDomain && (ns.code == Int(ENOSPC) || ns.code == Int(EDQUOT)) { return true }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error { return isNoSpace(underlying) }
        return false
    }

    /// `noSpace` for a full disk, else `io` with the path and what was being written.
    static func error(_ error: Error, path: String, writing what: String) -> SnapError {
        if let e = error as? SnapError { return e }
        guard isNoSpace(error) else { return .io(path: path, reason: "cannot write \(what): \(error.localizedDescription)") }
        let folder = (path as NSString).deletingLastPathComponent
        // The free space only completes the message; a disk whose free space cannot be read says so.
        let free = try? ScratchSpace.freeBytes(at: folder.isEmpty ? "." : folder)
        return .noSpace(path: path, writing: what, freeBytes: free, needBytes: nil)
    }
}

extension SnapError {
    /// The same error with the run's need filled in, where a full disk did not know it.
    func withNeed(_ bytes: Int64) -> SnapError {
        if case .noSpace(let p, let w, let f, nil) = self { return .noSpace(path: p, writing: w, freeBytes: f, needBytes: bytes) }
        return self
    }
}
