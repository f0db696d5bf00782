import AWS
import Foundation
import Testing

@testable import SnapCore

/// Shards sized to the pagination token's life, and how a refused shard restarts.
@Suite struct ShardPlanTests {
    @Test func theShardCountGrowsWithThePool() {
        // Default share: 24 UserList requests a second, one-hour tokens, 16 scans at once.
        func length(_ users: Int) -> Int { ShardPlan.make(estimatedUsers: users, pagesPerSecond: 24, tokenLife: 3600).prefixLength }
        #expect(length(0) == 1)
        #expect(length(100_000) == 1)
        #expect(length(100_000) == 1)
        #expect(length(150_000) == 2)  // split finer for balance: each of 256 shards still holds 20+ pages (of 20 users)
        #expect(length(1_000_000) == 2)
        #expect(length(10_000_000) == 3)  // at 20 users a page, 256 shards of 10 million would outlive a quarter hour
        #expect(length(40_000_000) == 3)
        for users in [1_000_000, 10_000_000, 40_000_000] {
            let plan = ShardPlan.make(estimatedUsers: users, pagesPerSecond: 24, tokenLife: 3600)
            #expect(plan.shardSeconds <= 900, "\(users) users: a shard takes \(plan.shardSeconds) s")
        }
        // A shorter token life (or a slower pace) needs more shards.
        #expect(ShardPlan.make(estimatedUsers: 200_000, pagesPerSecond: 24, tokenLife: 400).prefixLength == 2)
        #expect(ShardPlan.make(estimatedUsers: 1_000_000, pagesPerSecond: 24, tokenLife: 60).prefixLength == 3)
    }

    /// Pages may hold fewer than Limit users without being the last (issue 20, item 9): the plan never
    /// assumes 60 a page, and a pool whose pages hold few users is split finer.
    @Test func thePlanAssumesShortPagesNotSixtyUsersEach() {
        #expect(ShardPlan.plannedUsersPerPage < Double(ShardPlan.pageLimit))
        // 3 million users at 24 pages/s, 16 scans at once: each of 256 shards takes 130 s at 60 a page, 1,117 s
        // (beyond a quarter of the token's hour) at 7 a page, as the SDK issue's page held.
        let full = ShardPlan.make(estimatedUsers: 3_000_000, pagesPerSecond: 24, tokenLife: 3600, usersPerPage: 60)
        let short = ShardPlan.make(estimatedUsers: 3_000_000, pagesPerSecond: 24, tokenLife: 3600, usersPerPage: 7)
        #expect(full.prefixLength == 2 && short.prefixLength == 3, "\(full) \(short)")
        #expect(short.shardSeconds <= 900)
        // The default plan is the short-page one, not the 60-a-page one.
        let planned = ShardPlan.make(estimatedUsers: 8_000_000, pagesPerSecond: 24, tokenLife: 3600)
        let sixty = ShardPlan.make(estimatedUsers: 8_000_000, pagesPerSecond: 24, tokenLife: 3600, usersPerPage: 60)
        #expect(planned.prefixLength == 3 && sixty.prefixLength == 2, "\(planned) \(sixty)")
    }

    /// The ETA follows the users per page observed, not 60 (issue 20, item 9).
    @Test func theETAUsesObservedUsersPerPage() async {
        // 10,000 users estimated; 10 pages of 20 users listed; 10 pages a second: 9,800 users at 20 a page = 49 s.
        let eta = ProgressTracker.eta(estimatedUsers: 10_000, listedUsers: 200, userPages: 10, pageUsers: 200, pace: 10)
        #expect(eta.map { abs($0 - 49) < 0.001 } == true, "ETA \(String(describing: eta)) s, not 49 s (60 a page gives 16.3 s)")
        #expect(ProgressTracker.eta(estimatedUsers: 10_000, listedUsers: 0, userPages: 0, pageUsers: 0, pace: 10) == nil)
        let tracker = ProgressTracker(report: nil, pacer: nil)
        await tracker.planned(shards: 16, estimatedUsers: 1000)
        for n in [60, 7, 20, 13] { await tracker.listedUsers(n) }
        let p = await tracker.current()
        #expect(p.users == 100 && p.usersPerPage == 25, "\(p.users) users, \(p.usersPerPage) a page")
    }

    @Test func prefixesCoverTheHexSpaceOnce() {
        let plan = ShardPlan.make(estimatedUsers: 10, pagesPerSecond: 24, tokenLife: 3600, forcedLength: 2)
        #expect(plan.shardCount == 256 && plan.concurrency == 16)
        #expect(plan.prefixes.count == 256 && Set(plan.prefixes).count == 256)
        #expect(plan.prefixes.first == "00" && plan.prefixes.last == "ff")
        let one = ShardPlan.make(estimatedUsers: 10, pagesPerSecond: 24, tokenLife: 3600, forcedLength: 0)
        #expect(one.prefixes == [""] && one.concurrency == 1)
    }

    @Test func aRefusedShardSplitsIntoSixteenThenRepeats() {
        let shard = Exporter.Shard(prefix: "a", restarts: 0)
        #expect(shard.filter == "sub ^= \"a\"")
        let children = shard.restarted()
        #expect(children.map(\.prefix) == "0123456789abcdef".map { "a" + String($0) })
        #expect(children.allSatisfy { $0.restarts == 1 })
        let deepest = Exporter.Shard(prefix: "abc", restarts: 2).restarted()
        #expect(deepest.count == 1 && deepest[0].prefix == "abc" && deepest[0].restarts == 3)
        #expect(Exporter.Shard(prefix: "", restarts: 0).filter == nil)
    }

    @Test func statsRoundTripAndOldManifestsStillRead() throws {
        var stats = Manifest.Stats()
        stats.userShards = 256
        stats.shardRestarts = 3
        stats.requests = 1000
        stats.throttled = 7
        stats.rateCuts = 2
        stats.lowestUserListRate = 11.76
        let files = Dictionary(
            uniqueKeysWithValues: Member.data.map {
                ($0, Manifest.FileInfo(sha256: String(repeating: "a", count: 64), bytes: 10, records: 1))
            })
        var m = Manifest(
            id: SnapshotID("20261127T024930Z-3f9a1c2e")!, createdAt: "2026-11-27T02:49:30Z",
            userPool: .init(id: "us-east-1_x", name: "n", region: "us-east-1"), counts: .init(users: 1, groups: 1, memberships: 1),
            files: files, previous: nil, changes: nil, warnings: [], tool: "snap test")
        let old = try Manifest(data: Array(m.json.canonicalData()), source: "old")
        #expect(old.stats == nil && old == m)
        m.stats = stats
        let back = try Manifest(data: Array(m.json.canonicalData()), source: "test")
        #expect(back == m && back.stats?.lowestUserListRate == 11.76)
    }

    @Test func workDirComesFromTheConfigFile() throws {
        let c = try ConfigFile(text: "work_dir = \"/var/tmp/snap\"\n", path: "snap.toml")
        #expect(c.workDir == "/var/tmp/snap")
    }

    @Test func theScratchCheckRefusesATooSmallDisk() throws {
        let dir = try TempDir()
        let free = try ScratchSpace.freeBytes(at: dir.path)
        #expect(free > 0)
        try ScratchSpace.check(path: dir.path, users: 1000)  // below the floor: never checked
        let tooMany = Int(free / ScratchSpace.bytesPerUser) + 1_000_000
        #expect(throws: SnapError.self) { try ScratchSpace.check(path: dir.path, users: tooMany) }
    }
}
