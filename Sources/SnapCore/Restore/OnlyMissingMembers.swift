import AWS
import Foundation

/// Adds the memberships the live pool lacks of users it still holds (the
/// executor adds those of the users it re-creates): AdminAddUserToGroup at
/// the UserResourceUpdate rate through the shared pacer (throttling is paced
/// and retried by the client, never a failed membership), each journaled once
/// written. Streams its sorted `username NUL group` file through a bounded
/// queue. Runs after the executor, so every group it needs has been created.
struct OnlyMissingMembers {
    let cognito: CognitoClient
    let pacer: QuotaPacer
    let poolId: String
    let journal: RestoreJournal
    let counter: WriteCounter

    struct Result: Sendable {
        var count = RestoreOutcome.Count()
        var failures: [String] = []
    }

    private actor Tally {
        var result = Result()
        func written() { result.count.written += 1 }
        func failed(_ why: String) {
            result.count.failed += 1
            if result.failures.count < RestoreOutcome.shownFailures { result.failures.append(why) }
        }
    }

    func run(file: String, planned: Int) async throws -> Result {
        let queue = WorkQueue<MembershipRecord>(capacity: 4096)
        let tally = Tally()
        let workers = RestoreExecutor.workers(rate: await pacer.rate(of: .userResourceUpdate))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    var lines = try SortedLines(path: file)
                    while let line = try lines.peek() {
                        try lines.advance()
                        let parts = line.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                        await queue.send(MembershipRecord(group: parts.count > 1 ? String(parts[1]) : "", username: String(parts[0])))
                        if await queue.isAborted { return }
                    }
                    await queue.close()
                } catch {
                    await queue.abort()
                    throw error
                }
            }
            for _ in 0..<workers {
                group.addTask {
                    do {
                        while let m = await queue.receive() {
                            do {
                                try await cognito.adminAddUserToGroup(poolId, username: m.username, group: m.group)
                                await counter.wrote()
                                try await journal.append(.member(group: m.group, username: m.username))
                                await tally.written()
                            } catch let error where RestoreExecutor.isItemError(error) {
                                await tally.failed("membership of \(m.username) in \(m.group): \(error)")
                            }
                        }
                    } catch {
                        await queue.abort()
                        throw error
                    }
                }
            }
            try await group.waitForAll()
        }
        var result = await tally.result
        result.count.planned = planned
        return result
    }
}
