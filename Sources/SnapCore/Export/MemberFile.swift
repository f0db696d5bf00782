import AWS
import Crypto
import Foundation

/// A member being written to a work file: every byte hashed and counted as
/// it goes, so the manifest's numbers describe exactly what was written.
public final class MemberFile {
    public let member: Member
    public let path: String
    private let handle: FileHandle
    private var hasher = SHA256()
    private var buffer = [UInt8]()
    private(set) public var bytes: Int64 = 0
    private(set) public var records = 0

    public init(member: Member, directory: String) throws {
        self.member = member
        self.path = "\(directory)/\(member.rawValue)"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let h = FileHandle(forWritingAtPath: path)
        else { throw SnapError.io(path: path, reason: "cannot create a work file") }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    /// Appends one record as a line.
    public func writeLine(_ line: [UInt8]) throws {
        buffer += line
        buffer.append(0x0A)
        records += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends a whole document (pool.json): one record, no newline added.
    public func writeDocument(_ bytes: [UInt8]) throws {
        buffer += bytes
        records += 1
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        bytes += Int64(buffer.count)
        do { try handle.write(contentsOf: buffer) } catch { throw WriteFailure.error(error, path: path, writing: "a member file") }
        buffer.removeAll(keepingCapacity: true)
    }

    public func finish() throws -> Manifest.FileInfo {
        try flush()
        try handle.close()
        let digest = Hex.encode(hasher.finalize())
        return Manifest.FileInfo(sha256: digest, bytes: bytes, records: records)
    }
}
