import Foundation

/// One side of a diff: sorted member files (a live pool's export) or a
/// verified snapshot whose members stream from its archive.
public enum DiffInput: Sendable {
    case files([Member: String])
    case snapshot(VerifiedSnapshot)

    /// Opens the side for one diff; members are asked for in archive order.
    func open() throws -> DiffReader {
        switch self {
        case .files(let paths): return DiffReader(paths: paths, members: nil, name: "")
        case .snapshot(let s): return DiffReader(paths: [:], members: try s.members(), name: s.source)
        }
    }
}

/// The lines of each member of one side, in turn.
final class DiffReader {
    private let paths: [Member: String]
    private let members: VerifiedMembers?
    private let name: String

    init(paths: [Member: String], members: VerifiedMembers?, name: String) {
        self.paths = paths
        self.members = members
        self.name = name
    }

    /// nil when this side has no such member (a partial set of files).
    func lines(_ member: Member) throws -> MemberLines? {
        if let members {
            try members.open(member)
            return MemberLines(name: "\(name) \(member.rawValue)", member: member, source: members.read)
        }
        guard let path = paths[member] else { return nil }
        guard let h = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open a work file") }
        return MemberLines(name: path, member: member) {
            do { return try h.read(upToCount: 1 << 20) } catch {
                throw SnapError.io(path: path, reason: "cannot read a work file: \(error.localizedDescription)")
            }
        }
    }

    /// After the last member: a snapshot's archive is read to its end and its digest checked again.
    func finish() throws { try members?.finish() }
}
