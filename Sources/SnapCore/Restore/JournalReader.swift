import AWS
import Foundation

/// Reads a restore journal (`RestoreJournal`) entry by entry. The journal is
/// append-only, each entry one write(2) of a whole line fsynced before
/// anything depends on it, so only its last line can be cut short (a kill
/// mid-append, a full disk): that entry was never acknowledged, and whatever
/// it recorded is found again in the pool, so it is dropped and reported by
/// line number. Any other line that is not a journal entry is damage, and an
/// error naming the file and the line.
enum JournalReader {
    /// Calls `body` with each entry of the journal at `path`, in order. Returns the number of the
    /// last line when it was cut short (and dropped), nil when the journal ends with a whole line.
    static func read(path: String, _ body: (JournalEntry) throws -> Void) throws -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapError.io(
                path: path,
                reason:
                    "cannot read the restore journal (\(String(cString: strerror(errno)))): make it readable, then run again with --resume")
        }
        defer { try? handle.close() }  // read-only: closing it cannot lose anything
        var reader = LineReader(maxLineLength: maxLine) { try handle.read(upToCount: 1 << 18).flatMap { $0.isEmpty ? nil : $0 } }
        while true {
            let line: Data
            do {
                guard let next = try reader.next() else { return nil }
                line = next
            } catch LineReaderError.missingFinalNewline(let n) {
                return n
            } catch LineReaderError.lineTooLong(let n, _) {
                throw damaged(path: path, line: n, why: "it is longer than \(maxLine) bytes, which no journal entry is")
            }
            if line.isEmpty { continue }
            // Not swallowed: a line that does not parse is damage in the middle of an append-only file, thrown
            // below naming file and line (a cut last line is caught above).
            guard let json = try? JSONParser.parse(line), let entry = JournalEntry(json: json) else {
                throw damaged(
                    path: path, line: reader.lineNumber,
                    why: "it is not a journal entry (\(String(decoding: line.prefix(60), as: UTF8.self)))")
            }
            try body(entry)
        }
    }

    /// The first entry, when it is the `start` line naming the snapshot and pool (a cut or damaged first line: nil).
    static func start(path: String) -> (snapshot: String, target: String)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }  // read-only: closing it cannot lose anything
        var reader = LineReader(maxLineLength: maxLine) { try handle.read(upToCount: 1 << 16).flatMap { $0.isEmpty ? nil : $0 } }
        // Only to name another restore's journal in a message: nothing is lost when it cannot be read or
        // parsed, the journal is then named without its snapshot and pool (and a resume of it reads it in full).
        guard let line = try? reader.next(), let json = try? JSONParser.parse(line),
            case .start(let s, let t, _)? = JournalEntry(json: json)
        else { return nil }
        return (s, t)
    }

    static let maxLine = 1 << 22

    static func damaged(path: String, line: Int, why: String) -> SnapError {
        .io(
            path: path,
            reason:
                "line \(line) of the restore journal is damaged: \(why). Only a last line can be cut by a crash, so the file was changed by something else; delete or repair that line (what it recorded is checked against the pool again) and run again with --resume"
        )
    }
}
