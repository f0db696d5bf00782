import Foundation

/// Whether `restore --resume` may go on. A resume takes what the pool holds
/// for this restore's own work, so it needs this snapshot's journal for this
/// pool (`RestorePaths`), which records both. Without one it goes on only into
/// an empty pool (a run stopped before its first write); into a pool holding
/// anything it is refused, naming the journals found beside the expected one:
/// a killed restore of `latest`, then a new `latest`, must not be finished
/// with another snapshot.
public enum ResumeGate {
    /// This restore's journal at `journal`, indexed; nil when there is none and the pool is empty.
    /// `holds` samples the pool (users, groups); it is asked only when there is no journal.
    public static func open(
        journal path: String, snapshot id: String, target: String, source: RestoreSource,
        holds: () async throws -> (users: [String], groups: [String])
    ) async throws -> JournalIndex? {
        if let index = try source.journal(at: path) {
            if let s = index.snapshot, s != id || index.target != target {
                throw SnapError.configuration(
                    "cannot resume: the journal \(path) records a restore of snapshot \(s) into \(index.target ?? "?"), not of \(id) into \(target) (the file was renamed or copied); resume that restore with `snap restore \(s) --user-pool-id \(index.target ?? "POOL") --resume`, or move the file aside"
                )
            }
            if index.snapshot != nil || !index.isEmpty { return index }
        }
        let (users, groups) = try await holds()
        if users.isEmpty && groups.isEmpty { return nil }
        var held: [String] = []
        if !users.isEmpty { held.append("users (\(RestorePlan.examples(users)))") }
        if !groups.isEmpty { held.append("groups (\(RestorePlan.examples(groups)))") }
        let missing =
            FileManager.default.fileExists(atPath: path)
            ? "its journal \(path) records nothing (not even its start), so there is no journal of it to go by"
            : "there is no journal of it (\(path))"
        let folder = RestorePaths.folder(of: path)
        let found: String
        let others: [(name: String, snapshot: String?, target: String?)]
        do {
            others = try journals(in: folder, except: path)
            found =
                others.isEmpty
                ? "No restore journal is in \(folder) (if the interrupted run was given --sub-map in another folder, pass the same --sub-map)"
                : "Journals found in \(folder): "
                    + others.prefix(10).map { j in j.snapshot.map { "\(j.name) (snapshot \($0) into \(j.target ?? "?"))" } ?? j.name }
                    .joined(separator: ", ") + (others.count > 10 ? ", ..." : "")
        } catch {
            others = []
            found = "The folder \(folder) cannot be listed for other journals (\(error.localizedDescription))"
        }
        let resumeOther =
            others.first { $0.target == target && $0.snapshot != nil && !$0.name.contains(".only-missing.") }.map {
                "; to finish that restore, name its snapshot: `snap restore \($0.snapshot!) --user-pool-id \(target) --resume`"
            } ?? ""
        throw SnapError.configuration(
            "cannot resume the restore of \(id) into \(target): \(missing), and the pool is not empty (it holds \(held.joined(separator: " and "))), so what it holds cannot be told from this restore's work; nothing was written. \(found)\(resumeOther); to restore \(id) over what the pool holds, use --only-missing; or restore into an empty pool without --resume"
        )
    }

    /// Restore journals in `folder` (full restores and --only-missing), with the snapshot and pool their first line names.
    static func journals(in folder: String, except path: String) throws -> [(name: String, snapshot: String?, target: String?)] {
        try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("restore-") && $0.hasSuffix(".journal.jsonl") && (folder == "/" ? "" : folder) + "/" + $0 != path }
            .sorted()
            .map { name in
                let start = JournalReader.start(path: (folder == "/" ? "" : folder) + "/" + name)
                return (name, start?.snapshot, start?.target)
            }
    }

    /// The warning for a journal whose last line was cut short and dropped (`JournalReader`).
    public static func cutWarning(journal: String, line: Int) -> String {
        "line \(line), the last, of the restore journal \(journal) was cut short, as a run killed mid-append or a full disk leaves it; that entry was never acknowledged, so it is dropped and what it recorded is checked in the pool"
    }
}
