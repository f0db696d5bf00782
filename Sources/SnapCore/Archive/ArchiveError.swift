import Foundation

/// Everything that can go wrong while writing or reading a snapshot archive
/// (`<ID>.tar.zst`). Each case carries enough context (archive path, member
/// name, limit) for `description` to tell a user what happened and what to do.
public enum ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which layer of the container rejected the bytes.
    public enum Layer: String, Sendable, Equatable {
        case zstd
        case tar
    }

    /// Why a member was refused. Snap archives only ever hold flat regular
    /// files, so anything else means the archive was not made by snap or was
    /// tampered with; refusing it keeps a crafted archive from steering reads.
    public enum UnsafeEntryReason: Sendable, Equatable, CustomStringConvertible {
        case emptyName
        case absolutePath
        case parentDirectory
        case nestedPath
        case symbolicLink(target: String)
        case hardLink(target: String)
        case notRegularFile(kind: String)

        public var description: String {
            switch self {
            case .emptyName: return "empty name"
            case .absolutePath: return "absolute path"
            case .parentDirectory: return "contains a '..' component"
            case .nestedPath: return "nested path (contains '/')"
            case .symbolicLink(let target): return "symbolic link to \"\(target)\""
            case .hardLink(let target): return "hard link to \"\(target)\""
            case .notRegularFile(let kind): return "not a regular file (\(kind))"
            }
        }
    }

    /// What a size limit applied to.
    public enum LimitScope: Sendable, Equatable {
        case member(String)
        case total
    }

    case truncated(path: String, detail: String)
    case corrupt(path: String, layer: Layer, message: String)
    case checksumMismatch(path: String)
    case notZstd(path: String)
    case unsafeEntry(path: String, name: String, reason: UnsafeEntryReason)
    case tooLarge(path: String, scope: LimitScope, limit: Int64)
    case tooManyEntries(path: String, limit: Int)
    case io(path: String, operation: String, reason: String)
    case writeFailed(path: String, message: String)
    /// A programming error in the caller (e.g. adding a member after `finish`).
    case invalidUse(path: String, message: String)

    public var description: String {
        let damaged = "the copy is damaged; use another store's copy"
        switch self {
        case .truncated(let path, let detail):
            return "archive \(path) is truncated (\(detail)): \(damaged)"
        case .corrupt(let path, let layer, let message):
            return "archive \(path) is corrupt (\(layer.rawValue): \(message)): \(damaged)"
        case .checksumMismatch(let path):
            return "archive \(path) failed its zstd content checksum (XXH64): "
                + "the data changed after it was written; \(damaged)"
        case .notZstd(let path):
            return "file \(path) is not a zstd-compressed snapshot archive "
                + "(it does not start with a zstd frame): check that the path names a "
                + ".tar.zst written by snap"
        case .unsafeEntry(let path, let name, let reason):
            return "archive \(path) contains an unsafe member \"\(name)\" (\(reason)): "
                + "snap archives hold only flat regular files, so this archive was not "
                + "made by snap or was tampered with; refusing to read it"
        case .tooLarge(let path, .member(let name), let limit):
            return "member \"\(name)\" of archive \(path) is larger than the limit of "
                + "\(limit) bytes: refusing to read it (possible decompression bomb); "
                + "raise the limit only if you trust this archive"
        case .tooLarge(let path, .total, let limit):
            return "archive \(path) decompresses to more than the limit of \(limit) bytes: "
                + "refusing to read further (possible decompression bomb); "
                + "raise the limit only if you trust this archive"
        case .tooManyEntries(let path, let limit):
            return "archive \(path) has more than \(limit) members: snap archives have only "
                + "a handful, so this one was not made by snap or was tampered with"
        case .io(let path, let operation, let reason):
            return "cannot \(operation) \(path): \(reason); check that the path exists, "
                + "is accessible and that the disk is healthy"
        case .writeFailed(let path, let message):
            return "writing archive \(path) failed: \(message); the partial file is "
                + "unusable — delete it, check free space and permissions, and retry"
        case .invalidUse(let path, let message):
            return "internal error using archive \(path): \(message); please report this bug"
        }
    }

    static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
