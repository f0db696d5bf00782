import Foundation

/// restic's retention rules, as its current documentation gives them:
/// calendar buckets per rule, rules ORed, the reasons each kept snapshot is
/// kept, and the oldest snapshot kept as well when a calendar rule's count
/// has room left. Times are UTC, from the snapshot IDs. Where snap differs on
/// purpose: `within` counts back from now, not from the newest snapshot.
public struct RetentionPolicy: Sendable, Equatable {
    public var last = 0
    public var hourly = 0
    public var daily = 0
    public var weekly = 0
    public var monthly = 0
    public var yearly = 0
    public var within: KeepWithin?
    public var dropUnchanged = false

    public init() {}

    /// No rule at all: refused, so a typo never deletes everything.
    public var isEmpty: Bool { last + hourly + daily + weekly + monthly + yearly == 0 && within == nil }

    public struct Decision: Sendable, Equatable {
        public var id: SnapshotID
        public var keep: Bool
        public var reasons: [String]
        /// For a snapshot removed by `--drop-unchanged`: the kept snapshot
        /// holding the same state, which must stay where this one goes.
        public var sameAs: SnapshotID?
    }

    /// `ids` in any order; `now` is where `within` counts back from (not the
    /// newest snapshot, so one dated in the future cannot push the others
    /// out); `state(id)` names a snapshot's contents (equal names, equal
    /// contents; nil when unknown). Returns decisions oldest first.
    ///
    /// `dropUnchanged` removes a snapshot the rules keep when its state equals
    /// that of the last snapshot kept before it, so every state the rules keep
    /// is still kept by its oldest kept snapshot.
    public func apply(to ids: [SnapshotID], now: Date, state: (SnapshotID) -> String? = { _ in nil }) -> [Decision] {
        let newestFirst = ids.sorted(by: >)
        guard let newest = newestFirst.first else { return [] }
        var reasons: [SnapshotID: [String]] = [:]
        for (i, id) in newestFirst.enumerated() where i < last { reasons[id, default: []].append("last \(last)") }
        let rules: [(String, Int, (DateComponents) -> String)] = [
            ("hourly", hourly, { String(format: "%04d-%02d-%02d %02d", $0.year!, $0.month!, $0.day!, $0.hour!) }),
            ("daily", daily, { String(format: "%04d-%02d-%02d", $0.year!, $0.month!, $0.day!) }),
            ("weekly", weekly, { String(format: "%04d-W%02d", $0.yearForWeekOfYear!, $0.weekOfYear!) }),
            ("monthly", monthly, { String(format: "%04d-%02d", $0.year!, $0.month!) }),
            ("yearly", yearly, { String(format: "%04d", $0.year!) }),
        ]
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let oldest = newestFirst.last!
        for (name, count, bucket) in rules where count > 0 {
            var left = count
            var lastBucket: String?
            for id in newestFirst where left > 0 {
                let c = calendar.dateComponents([.year, .month, .day, .hour, .weekOfYear, .yearForWeekOfYear], from: id.date)
                let b = bucket(c)
                if b != lastBucket {
                    reasons[id, default: []].append("\(name) \(b)")
                    lastBucket = b
                    left -= 1
                }
            }
            // restic: "If there are not enough snapshots to keep one for each
            // duration related --keep-{within-,} option, the oldest snapshot
            // in the group is kept additionally."
            if left > 0 && !(reasons[oldest] ?? []).contains(where: { $0.hasPrefix(name + " ") }) {
                reasons[oldest, default: []].append("oldest (\(name) \(count): \(left) left)")
            }
        }
        if let within {
            let limit = within.limit(before: now)
            for id in newestFirst where id.date >= limit { reasons[id, default: []].append("within \(within)") }
        }
        reasons[newest, default: []].insert("newest", at: 0)
        var sameAs: [SnapshotID: SnapshotID] = [:]
        if dropUnchanged {
            var lastKept: (id: SnapshotID, state: String?)?
            for id in newestFirst.reversed() where reasons[id] != nil {
                let s = state(id)
                if id != newest, let s, let lastKept, lastKept.state == s {
                    sameAs[id] = lastKept.id
                    reasons[id] = nil
                } else {
                    lastKept = (id, s)
                }
            }
        }
        return newestFirst.reversed().map { id in
            Decision(
                id: id, keep: reasons[id] != nil, reasons: reasons[id] ?? sameAs[id].map { ["unchanged since \($0.value)"] } ?? [],
                sameAs: sameAs[id])
        }
    }
}
