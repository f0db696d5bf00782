import Foundation

/// A diff of two sides joined while they are verified: each stored side is
/// decompressed and checked once, on its own thread (`SnapshotStream`), and
/// the join reads its chunks as they pass. The output is spooled
/// (`DiffSpool`) and delivered only after both sides were proven whole, so
/// nothing is printed or counted from a copy that turns out damaged.
///
/// An S3 side streams from its store into its thread as it downloads
/// (`ArchiveStream`), never landing on disk; a local one is copied first.
/// A side that fails has its copy removed and the next store's taken; the
/// whole join then runs again from empty (a fresh spool and summary), so no
/// result ever mixes two copies. A streamed side reads once, so a side that
/// did not fail streams its store again for the next attempt.
public enum VerifiedDiff {
    /// Diffs `old` against `new`. `render` turns a change into its output
    /// bytes (nil: count only); `deliver` receives the output of the attempt
    /// that succeeded, in order, once both sides are verified.
    public static func run(
        old: DiffSide, new: DiffSide, catalog: Catalog, engine: DiffEngine, workDirectory: String,
        log: @escaping @Sendable (String) -> Void,
        render: (DiffChange) -> Data? = { _ in nil },
        deliver: (Data) -> Void = { _ in }
    ) async throws -> ChangeSummary {
        try FileSystem.makeFolder("\(workDirectory)/old")
        try FileSystem.makeFolder("\(workDirectory)/new")
        var a = SideCopies(old, catalog: catalog, directory: "\(workDirectory)/old", log: log)
        var b = SideCopies(new, catalog: catalog, directory: "\(workDirectory)/new", log: log)
        var round = 0
        while true {
            round += 1
            // Both sides' copies download at the same time.
            let (sideA, sideB) = (a, b)
            async let readyA = sideA.ready()
            async let readyB = sideB.ready()
            (a, b) = try await (readyA, readyB)
            let spool = DiffSpool(path: "\(workDirectory)/output-\(round)")
            // Configuration changes come out before the records' (they are few: held in memory).
            var head = Data()
            let oldReader = try a.open()
            let newReader: DiffReader
            do { newReader = try b.open() } catch {
                // Streamed downloads end (and are awaited) before the error leaves: nothing keeps running.
                oldReader.abandon()
                a.abandon()
                _ = await a.settle(oldReader.stop())
                _ = await b.settle(nil)
                throw error
            }
            let summary: ChangeSummary
            do {
                summary = try engine.diff(old: oldReader, new: newReader) { change in
                    guard let bytes = render(change) else { return }
                    if case .configuration = change { head += bytes } else { try spool.append(bytes) }
                }
            } catch {
                spool.discard()
                // Both threads are told to stop first, then their downloads: a thread
                // waiting on a stalled network then ends now, not at the stall timeout.
                oldReader.abandon()
                newReader.abandon()
                a.abandon()
                b.abandon()
                let failedA = await a.settle(oldReader.stop()), failedB = await b.settle(newReader.stop())
                // The join's own error is only the symptom when a side failed.
                if failedA == nil && failedB == nil { throw error }
                if let failedA { a.reject(failedA) }
                if let failedB { b.reject(failedB) }
                continue
            }
            // A streamed side's download must have ended well too (its reader saw every byte and proved them).
            let failedA = await a.settle(nil), failedB = await b.settle(nil)
            if failedA != nil || failedB != nil {
                spool.discard()
                if let failedA { a.reject(failedA) }
                if let failedB { b.reject(failedB) }
                continue
            }
            // Both sides were read to their ends and proven: now the output may go.
            if !head.isEmpty { deliver(head) }
            try spool.release(deliver)
            return summary
        }
    }
}
