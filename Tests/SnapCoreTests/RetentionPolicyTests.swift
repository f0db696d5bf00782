import Foundation
import Testing

@testable import SnapCore

@Suite struct RetentionPolicyTests {
    /// IDs at the given UTC times, "YYYY-MM-DD HH:MM".
    func ids(_ times: [String]) -> [SnapshotID] {
        times.enumerated().map { i, t in
            let d = Timestamp.parse(t.replacingOccurrences(of: " ", with: "T") + ":00Z")!
            return SnapshotID(SnapshotID.make(at: d).value.prefix(17) + String(format: "%08x", i))!
        }
    }

    /// `now` defaults to the newest snapshot's time.
    func kept(_ p: RetentionPolicy, _ all: [SnapshotID], now: Date? = nil, state: (SnapshotID) -> String? = { _ in nil }) -> [Int] {
        p.apply(to: all, now: now ?? all.max()!.date, state: state).enumerated().filter { $0.element.keep }.map(\.offset)
    }

    let nightly = [
        "2026-10-30 01:00", "2026-10-31 01:00", "2026-11-01 01:00", "2026-11-02 01:00", "2026-11-08 01:00",
        "2026-11-09 01:00", "2026-11-09 13:00", "2026-11-10 01:00",
    ]

    @Test func keepLastAndNewestIsAlwaysKept() {
        var p = RetentionPolicy()
        p.last = 3
        #expect(kept(p, ids(nightly)) == [5, 6, 7])
        var zero = RetentionPolicy()
        zero.daily = 0
        zero.weekly = 0
        #expect(zero.isEmpty)
    }

    @Test func dailyKeepsTheNewestOfEachDay() {
        var p = RetentionPolicy()
        p.daily = 3
        // 11-10, 11-09 (the 13:00 one), 11-08.
        #expect(kept(p, ids(nightly)) == [4, 6, 7])
        let d = p.apply(to: ids(nightly), now: ids(nightly).last!.date)
        #expect(d[6].reasons == ["daily 2026-11-09"])
        #expect(d[7].reasons == ["newest", "daily 2026-11-10"])
    }

    @Test func weeklyMonthlyYearlyUseCalendarBuckets() {
        var p = RetentionPolicy()
        p.weekly = 2  // ISO weeks: 2026-W46 (11-09, 11-10), 2026-W45 (11-02 .. 11-08)
        #expect(kept(p, ids(nightly)) == [4, 7])
        var m = RetentionPolicy()
        m.monthly = 2
        #expect(kept(m, ids(nightly)) == [1, 7])
        var y = RetentionPolicy()
        y.yearly = 5
        // One year holds them all: the count has room left, so the oldest stays too (restic).
        #expect(kept(y, ids(nightly)) == [0, 7])
        #expect(y.apply(to: ids(nightly), now: ids(nightly).last!.date)[0].reasons == ["oldest (yearly 5: 4 left)"])
    }

    @Test func rulesAreOredWithEveryReason() {
        var p = RetentionPolicy()
        p.last = 1
        p.monthly = 2
        p.within = KeepWithin(hours: 36)
        let d = p.apply(to: ids(nightly), now: ids(nightly).last!.date)
        #expect(d.filter(\.keep).map(\.id) == [ids(nightly)[1], ids(nightly)[5], ids(nightly)[6], ids(nightly)[7]])
        #expect(d[7].reasons == ["newest", "last 1", "monthly 2026-11", "within 36h"])
        #expect(d[0].reasons.isEmpty && !d[0].keep)
    }

    @Test func dropUnchangedRemovesDuplicatesButNotTheNewest() {
        var p = RetentionPolicy()
        p.last = 8
        p.dropUnchanged = true
        let all = ids(nightly)
        let states = ["a", "b", "c", "c", "d", "e", "e", "e"]
        let d = p.apply(to: all, now: all.last!.date) { states[all.firstIndex(of: $0)!] }
        #expect(d.filter { !$0.keep }.map(\.id) == [all[3], all[6]])
        #expect(d[3].reasons == ["unchanged since \(all[2].value)"] && d[3].sameAs == all[2])
        #expect(d[7].keep)
    }

    /// Issue 7, item 3: thirty quiet days, then one change. The old state's
    /// only kept copies were all "unchanged" against each other; comparing
    /// with the predecessor dropped every one of them.
    @Test func dropUnchangedComparesWithTheLastKeptSnapshot() {
        let days = (1...31).map { String(format: "2026-10-%02d 01:00", $0) }
        let all = ids(days)
        var p = RetentionPolicy()
        p.daily = 7
        p.dropUnchanged = true
        let d = p.apply(to: all, now: all.last!.date) { $0 == all.last! ? "new" : "old" }
        let keptIds = d.filter(\.keep).map(\.id)
        #expect(keptIds == [all[24], all[30]], "\(d.map { "\($0.id.value) \($0.reasons)" })")
        #expect(d[25].sameAs == all[24] && !d[25].keep)
    }

    /// Issue 7, item 7: `within` counts back from now, so a snapshot dated in
    /// the future cannot push the others out of the window.
    @Test func keepWithinCountsBackFromNow() {
        let all = ids(["2026-11-08 01:00", "2026-11-09 01:00", "2026-11-10 01:00", "2027-06-01 00:00"])
        var p = RetentionPolicy()
        p.within = KeepWithin(days: 3)
        let now = Timestamp.parse("2026-11-10T02:00:00Z")!
        #expect(kept(p, all, now: now) == [0, 1, 2, 3])
        #expect(kept(p, all, now: Timestamp.parse("2026-11-12T00:30:00Z")!) == [1, 2, 3])
    }

    /// Issue 19, item 19: restic's units. `1m` was one minute here and one
    /// month in restic; `1y`, `2m2h` and `13d23h` were refused.
    @Test func keepWithinTakesResticsUnitsAndMIsMonths() {
        #expect(KeepWithin("1m") == KeepWithin(months: 1))
        #expect(KeepWithin("1y2m3d") == KeepWithin(years: 1, months: 2, days: 3))
        #expect(KeepWithin("2m2h") == KeepWithin(months: 2, hours: 2))
        #expect(KeepWithin("13d23h") == KeepWithin(days: 13, hours: 23))
        #expect(KeepWithin("2w") == KeepWithin(weeks: 2))
        for bad in ["", "1", "m", "1x", "30s", "1min", "1m1m", "0d", "-1d", "1.5d", "d1"] {
            #expect(KeepWithin(bad) == nil, "\(bad)")
        }
        #expect(KeepWithin("1y2m3d")!.description == "1y2m3d")
        let now = Timestamp.parse("2026-12-03T12:00:00Z")!
        #expect(KeepWithin("1m")!.limit(before: now) == Timestamp.parse("2026-11-03T12:00:00Z")!)
        #expect(KeepWithin("1y2m3d4h")!.limit(before: now) == Timestamp.parse("2025-09-30T08:00:00Z")!)
        let all = ids(["2026-10-20 12:00", "2026-11-04 12:00", "2026-12-01 12:00"])
        var p = RetentionPolicy()
        p.within = KeepWithin("1m")
        #expect(kept(p, all, now: now) == [1, 2])
    }

    /// restic: when a calendar rule's count has room left, the oldest snapshot
    /// is kept as well; a count that is filled keeps only its buckets, and
    /// --keep-last never does this.
    @Test func theOldestIsKeptWhenACountHasRoomLeft() {
        // Two on the oldest day: daily keeps the later one, and the oldest too.
        let all = ids(["2026-11-01 01:00", "2026-11-01 13:00", "2026-11-02 01:00"])
        var p = RetentionPolicy()
        p.daily = 5
        let d = p.apply(to: all, now: all.last!.date)
        #expect(d.filter(\.keep).map(\.id) == all)
        #expect(d[0].reasons == ["oldest (daily 5: 3 left)"])
        p.daily = 2
        #expect(kept(p, all) == [1, 2])
        var last = RetentionPolicy()
        last.last = 10
        #expect(last.apply(to: all, now: all.last!.date)[0].reasons == ["last 10"])
        var two = RetentionPolicy()
        two.daily = 5
        two.monthly = 5
        // Both rules have room: one reason each.
        #expect(two.apply(to: all, now: all.last!.date)[0].reasons == ["oldest (daily 5: 3 left)", "oldest (monthly 5: 4 left)"])
    }
}
