import AWS
import Foundation

/// One line of the sub map.
public struct SubMapEntry: Sendable, Equatable {
    public var username: String
    public var targetUsername: String
    public var oldSub: String?
    public var newSub: String
    /// The user had a software token (TOTP), whose secret no API exports: they must enrol again.
    public var mustEnrolTotp = false

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "username": .string(username), "oldSub": oldSub.map { .string($0) } ?? .null, "newSub": .string(newSub),
        ]
        // Only where the pool made up a username of its own (sign-in by email or phone).
        if targetUsername != username { o["targetUsername"] = .string(targetUsername) }
        if mustEnrolTotp { o["mustEnrolTotp"] = .bool(true) }
        return .object(o)
    }

    /// Writes a whole map atomically (temp file, fsync, rename), sorted by username.
    public static func write(_ entries: [SubMapEntry], to path: String) throws {
        var data = Data()
        for e in entries.sorted(by: { JSONValue.utf8Less($0.username, $1.username) }) {
            data += e.json.canonicalData()
            data.append(0x0A)
        }
        try FileSystem.atomicWrite(data, to: path)
    }
}

/// The sub map as a restore writes it: a line per user as the user is
/// created (or found, on --resume), in creation order, so nothing of it is
/// held. Every run writes it whole (a resumed run lists the users an earlier
/// run made as it checks them); `close` flushes and fsyncs.
public actor SubMapWriter {
    public let path: String
    private var file: BufferedFile
    public private(set) var count = 0

    public init(path: String) throws {
        self.path = path
        file = try BufferedFile(path: path)
    }

    public func append(_ e: SubMapEntry) throws {
        try file.write([UInt8](e.json.canonicalData()) + [0x0A])
        count += 1
    }

    public func close() throws {
        try file.close()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            Glibc.close(fd)
        }
    }
}
