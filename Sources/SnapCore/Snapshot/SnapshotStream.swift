import AWS
import Foundation

/// Reads an archive once and proves it is the snapshot `expected` describes
/// (everything `SnapshotReader` lists), handing each member's bytes on as
/// they pass: a chunk comes out after its complete lines were checked.
///
/// What it hands out is unproven until `nextMember()` has returned nil (the
/// archive digest and manifest.json are checked at the very end): a reader
/// may compute with the chunks, but must not deliver anything before then,
/// and must throw away all it computed if anything here throws.
///
/// Single owner, not Sendable.
final class SnapshotStream {
    let source: String
    private let expected: Manifest
    private let reader: ArchiveReader
    /// The members the manifest's format has, in archive order (format 2 adds clients.jsonl, providers.jsonl,
    /// resource-servers.jsonl and config.json before manifest.json).
    private var order: IndexingIterator<[Member]>
    private var member: Member?
    private var check: MemberCheck?
    /// A document member (pool.json, manifest.json), kept whole to be checked at its end.
    private var document = Data()
    private var ended = false
    private let checksLines: Bool
    /// The consistency rule across members (with `checksLines`).
    private let consistency: ConsistencyCheck?

    /// `checksLines` false leaves the lines of JSON-Lines members (JSON,
    /// key, order, count) to the reader of the chunks; see `MemberCheck`.
    convenience init(archivePath: String, expected: Manifest, source: String, limits: ArchiveLimits = .default, checksLines: Bool = true)
        throws
    {
        try self.init(input: .path(archivePath), expected: expected, source: source, limits: limits, checksLines: checksLines)
    }

    /// Where the archive's bytes come from: a file, or a descriptor the
    /// stream owns from now on (a pipe fed by a download: `ArchiveStream`),
    /// closed when the stream goes.
    enum Input {
        case path(String)
        case descriptor(Int32)
    }

    /// `scratch`: where the consistency check keeps its sorted names (a
    /// private folder is made inside it; nil: TMPDIR). Refuses at once a
    /// manifest whose counts contradict its own `files`.
    init(
        input: Input, expected: Manifest, source: String, limits: ArchiveLimits = .default, checksLines: Bool = true,
        scratch: String? = nil
    ) throws {
        self.source = source
        self.expected = expected
        self.checksLines = checksLines
        order = Member.archiveOrder(format: expected.format, secrets: expected.secrets != nil).makeIterator()
        consistency =
            checksLines
            ? ConsistencyCheck(source: source, scratch: scratch, expectsMemberships: (expected.files[.memberships]?.records ?? 0) > 0)
            : nil
        if let problem = expected.countsProblem {
            if case .descriptor(let fd) = input { FileSystem.closeDescriptor(fd) }
            throw SnapError.damaged(source: source, member: Member.manifest.rawValue, reason: problem)
        }
        do {
            switch input {
            case .path(let path): reader = try ArchiveReader(path: path, limits: limits)
            case .descriptor(let fd): reader = try ArchiveReader(descriptor: fd, name: source, limits: limits)
            }
        } catch let e as ArchiveError {
            throw SnapError.damaged(source: source, member: nil, reason: "\(e)")
        }
    }

    /// Moves to the next member (reading and checking the rest of the current
    /// one); nil after the last, once the whole archive has been proven.
    func nextMember() throws -> Member? {
        if ended { return nil }
        return try wrapped {
            if member != nil { while try readChecked() != nil {} }
            guard let entry = try reader.nextEntry() else {
                try end()
                return nil
            }
            guard let current = Member(rawValue: entry.name) else {
                throw SnapError.damaged(source: source, member: entry.name, reason: "unexpected member \"\(entry.name)\"")
            }
            if current == .secrets, expected.secrets == nil {
                throw SnapError.damaged(
                    source: source, member: entry.name,
                    reason: "the archive holds secrets.enc but the manifest has no \"secrets\" field (an extra member)")
            }
            let next = order.next()
            let formatOrder = Member.archiveOrder(format: expected.format, secrets: expected.secrets != nil)
            if let next, next != current, let due = formatOrder.firstIndex(of: next), let came = formatOrder.firstIndex(of: current),
                came > due
            {
                // A later member of the format where this one was due (a format-2 archive without clients.jsonl
                // or config.json): name the one that is not there.
                let missing = current == .manifest ? "missing" : "missing or out of order"
                throw SnapError.damaged(
                    source: source, member: next.rawValue,
                    reason: "the member is \(missing) (format \(expected.format) has it before \(current.rawValue))")
            }
            guard let next, next == current else {
                let names = formatOrder.map(\.rawValue).joined(separator: ", ")
                throw SnapError.damaged(
                    source: source, member: entry.name,
                    reason: "members are not in the order of format \(expected.format) (\(names))")
            }
            member = current
            check = MemberCheck(member: current, source: source, checksLines: checksLines, consistency: consistency)
            document = Data()
            return current
        }
    }

    /// The current member's next chunk, its complete lines checked (a line
    /// cut by the chunk's end is checked with the next chunk); nil at the
    /// member's end, once its digest, size and record count were checked.
    func read() throws -> [UInt8]? {
        try wrapped { try readChecked() }
    }

    private func readChecked() throws -> [UInt8]? {
        guard let current = member, check != nil else { return nil }
        if let chunk = try reader.readBytes(maxBytes: 1 << 18) {
            try check!.consume(raw: chunk)
            if current.isOpaque {
                // secrets.enc: digest only (its bytes are ciphertext), and a bound on its size.
                if check!.bytes > SecretsEnvelope.maxBytes {
                    throw SnapError.damaged(
                        source: source, member: current.rawValue, reason: "larger than \(SecretsEnvelope.maxBytes >> 20) MiB")
                }
            } else if !current.isJSONLines {
                document.append(contentsOf: chunk)
                if document.count > 64 << 20 {
                    throw SnapError.damaged(source: source, member: current.rawValue, reason: "larger than 64 MiB")
                }
            }
            return chunk
        }
        if current.isOpaque {
            if let secrets = expected.secrets { try check!.finish(sha256: secrets.sha256, field: "secrets.sha256") }
        } else if current.isJSONLines {
            if checksLines { try check!.endOfLines() }
        } else {
            try check!.checkDocument(document)
            if current == .manifest { try compareManifest(document) }
        }
        if let info = expected.files[current] { try check!.finish(expected: info) }
        member = nil
        check = nil
        document = Data()
        return nil
    }

    private func end() throws {
        if let missing = order.next() {
            throw SnapError.damaged(source: source, member: missing.rawValue, reason: "the member is missing (archive truncated?)")
        }
        if let archive = expected.archive {
            if reader.compressedSHA256 != archive.sha256 || reader.compressedBytes != archive.bytes {
                throw SnapError.damaged(
                    source: source, member: nil,
                    reason:
                        "archive sha256 \(reader.compressedSHA256) (\(reader.compressedBytes) bytes), the manifest says \(archive.sha256) (\(archive.bytes) bytes)"
                )
            }
        }
        try consistency?.finish()
        ended = true
    }

    /// Archive and line errors become `damaged`, naming this copy and the member.
    private func wrapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ArchiveError {
            throw SnapError.damaged(source: source, member: member?.rawValue, reason: "\(e)")
        } catch let e as LineReaderError {
            throw SnapError.damaged(source: source, member: member?.rawValue, reason: "\(e)")
        }
    }

    private func compareManifest(_ data: Data) throws {
        let inner = try Manifest(data: [UInt8](data), source: "\(source) manifest.json")
        var outer = expected
        outer.archive = nil
        outer.signature = nil  // the stored .json's alone: it signs the archive's digest too
        guard inner == outer else {
            throw SnapError.damaged(source: source, member: Member.manifest.rawValue, reason: "it differs from the stored manifest")
        }
    }
}
