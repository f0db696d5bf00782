import Foundation

/// A diff's output, withheld while the sides it comes from are still being
/// verified: in memory up to `memoryLimit` bytes, beyond that in a private
/// work file, so memory stays flat however many changes there are. One
/// spool per attempt: a failed attempt's spool is discarded unread.
final class DiffSpool {
    let path: String
    private let memoryLimit: Int
    private var memory = Data()
    private var file: FileHandle?

    /// `path` names the work file, made only if the output outgrows memory.
    init(path: String, memoryLimit: Int = 4 << 20) {
        self.path = path
        self.memoryLimit = memoryLimit
    }

    func append(_ data: Data) throws {
        memory += data
        if memory.count >= memoryLimit { try spill() }
    }

    /// Hands everything spooled to `deliver`, in order, in large blocks.
    func release(_ deliver: (Data) -> Void) throws {
        if let file {
            do {
                try file.seek(toOffset: 0)
                while let block = try file.read(upToCount: 1 << 20), !block.isEmpty { deliver(block) }
            } catch {
                throw SnapError.io(path: path, reason: "cannot read the diff's work file: \(error.localizedDescription)")
            }
        }
        if !memory.isEmpty { deliver(memory) }
        discard()
    }

    /// Forgets the output; the work file goes (it lies in the caller's work
    /// folder, which is removed in any case, so a failed removal loses nothing).
    func discard() {
        memory = Data()
        if let file {
            try? file.close()
            try? FileManager.default.removeItem(atPath: path)
            self.file = nil
        }
    }

    private func spill() throws {
        do {
            if file == nil {
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                    let handle = FileHandle(forUpdatingAtPath: path)
                else { throw SnapError.io(path: path, reason: "cannot create the diff's work file") }
                file = handle
            }
            try file!.write(contentsOf: memory)
        } catch let e as SnapError {
            throw e
        } catch {
            throw WriteFailure.error(error, path: path, writing: "the diff's work file")
        }
        memory.removeAll(keepingCapacity: true)
    }
}
