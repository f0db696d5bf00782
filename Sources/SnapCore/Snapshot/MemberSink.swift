import Foundation

/// A private work file (0600) receiving one member's bytes as they are verified.
final class MemberSink {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let h = FileHandle(forWritingAtPath: path)
        else { throw SnapError.io(path: path, reason: "cannot create a work file (is the work folder writable and not full?)") }
        self.path = path
        handle = h
    }

    func write(_ chunk: Data) throws {
        do { try handle.write(contentsOf: chunk) } catch {
            throw SnapError.io(path: path, reason: "cannot write a work file: \(error.localizedDescription)")
        }
    }

    func close() throws {
        do { try handle.close() } catch {
            throw SnapError.io(path: path, reason: "cannot close a work file: \(error.localizedDescription)")
        }
    }
}
