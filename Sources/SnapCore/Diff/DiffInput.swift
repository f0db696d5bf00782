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

/// The lines of each member of one side, in turn: from files, from a
/// verified archive, or from a copy being verified on its own thread
/// (`verifying(_:)`), whose chunks arrive through a `ChunkQueue`.
final class DiffReader {
    private let paths: [Member: String]
    private let members: VerifiedMembers?
    private let queue: ChunkQueue?
    private let name: String
    /// An item taken from `queue` that belongs to the next member.
    private var pending: ChunkQueue.Item?
    /// A verifying side: each member's record count in the manifest.
    private var records: [Member: Int] = [:]
    /// A verifying side: why one of its lines failed the join's checks.
    private(set) var lineFailure: (any Error)?
    /// A queued side: the configuration members (`ConfigurationDocuments.memberNames`)
    /// kept whole as they pass the join, by name, and the one being kept now.
    private var kept: [String: [UInt8]] = [:]
    private var keeping: String?

    init(paths: [Member: String], members: VerifiedMembers?, name: String, queue: ChunkQueue? = nil) {
        self.paths = paths
        self.members = members
        self.name = name
        self.queue = queue
    }

    /// Starts verifying `copy` on a thread of its own (decompression, every
    /// digest and line check: `SnapshotStream`), its chunks handed to this
    /// reader as they pass. Until `finish()` returns nothing read here is
    /// proven; `stop()` ends the thread early.
    static func verifying(_ copy: Catalog.Copy) -> DiffReader {
        let queue = ChunkQueue()
        let thread = Thread {
            do {
                // Lines are checked by the join (`MemberLines` verifying), once for both sides where they are equal.
                // A streamed copy's read end is this thread's: closed when the stream goes, which stops the download.
                let input: SnapshotStream.Input = try copy.stream.map { .descriptor(try $0.takeReadEnd()) } ?? .path(copy.archive)
                let stream = try SnapshotStream(input: input, expected: copy.manifest, source: copy.source, checksLines: false)
                while let member = try stream.nextMember() {
                    guard queue.put(.member(member)) else { throw ChunkQueue.Stopped() }
                    while let chunk = try stream.read() {
                        guard queue.put(.chunk(chunk)) else { throw ChunkQueue.Stopped() }
                    }
                }
                guard queue.put(.end) else { throw ChunkQueue.Stopped() }
                queue.close(.success(()))
            } catch {
                queue.close(.failure(error))
            }
        }
        thread.name = "snap verify \(copy.source)"
        thread.start()
        let reader = DiffReader(paths: [:], members: nil, name: copy.source, queue: queue)
        reader.records = copy.manifest.files.mapValues(\.records)
        return reader
    }

    /// nil when this side has no such member (a partial set of files).
    func lines(_ member: Member) throws -> MemberLines? {
        if let queue {
            while true {
                let item = try pending ?? queue.take()
                pending = nil
                keep(item)
                switch item {
                case .member(let m) where m == member:
                    return MemberLines(
                        name: "\(name) \(member.rawValue)", member: member, verifying: true, records: records[member],
                        report: { [unowned self] in self.lineFailure = self.lineFailure ?? $0 }, source: nextChunk)
                case .member, .chunk: continue
                case .end: throw SnapError.damaged(source: name, member: member.rawValue, reason: "the member is missing")
                }
            }
        }
        if let members {
            try members.open(member)
            // An array per chunk (a copy): the join's lines are arrays, whose span is cheaper per line than a Data's.
            return MemberLines(name: "\(name) \(member.rawValue)", member: member) { try members.read().map { [UInt8]($0) } }
        }
        guard let path = paths[member] else { return nil }
        guard let h = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open a work file") }
        return MemberLines(name: path, member: member) {
            do { return try h.read(upToCount: 1 << 20).map { [UInt8]($0) } } catch {
                throw SnapError.io(path: path, reason: "cannot read a work file: \(error.localizedDescription)")
            }
        }
    }

    /// The open member's next chunk from the queue; nil at the next member.
    private func nextChunk() throws -> [UInt8]? {
        guard let queue else { return nil }
        let item = try pending ?? queue.take()
        pending = nil
        if case .chunk(let data) = item { return data }
        pending = item
        return nil
    }

    /// After the last member: the rest of the archive is read and proven
    /// (a verifying side), or read again with its digest checked (a verified one).
    func finish() throws {
        if let queue {
            while true {
                let item = try pending ?? queue.take()
                pending = nil
                keep(item)
                if case .end = item { return }
            }
        }
        try members?.finish()
    }

    /// A queued item the join passes over: a configuration member's bytes are kept.
    private func keep(_ item: ChunkQueue.Item) {
        switch item {
        case .member(let m):
            keeping = ConfigurationDocuments.memberNames.contains(m.rawValue) ? m.rawValue : nil
            if let keeping { kept[keeping] = [] }
        case .chunk(let bytes): if let keeping { kept[keeping]! += bytes }
        case .end: keeping = nil
        }
    }

    /// This side's configuration, after `finish()`: the members it has of
    /// `ConfigurationDocuments.memberNames`, parsed (an error names the
    /// side and member). A verified snapshot read again (`.snapshot`)
    /// keeps none: nothing is compared.
    func configuration() throws -> ConfigurationDocuments {
        var members = kept
        for (member, path) in paths where ConfigurationDocuments.memberNames.contains(member.rawValue) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SnapError.io(path: path, reason: "cannot read a work file")
            }
            members[member.rawValue] = [UInt8](data)
        }
        return try ConfigurationDocuments(source: name.isEmpty ? "the live pool" : name, members: members)
    }

    /// Tells a verifying side's thread to stop, without waiting: whatever
    /// fails in it from now on is no failure of its copy (see `stop()`).
    func abandon() { queue?.cancel() }

    /// Ends a verifying side's thread (waiting for it); returns why this
    /// side failed (its thread's checks or the join's checks of its lines), if it did.
    func stop() -> (any Error)? { queue?.stop() ?? lineFailure }
}
