/// How the user listing is split: `sub ^= P` for every hex prefix P of one
/// length (1 shard with no filter, or 16, 256 or 4,096), listed
/// `concurrency` at a time.
///
/// A pagination token lives about an hour from the start of its scan, so a
/// shard must finish well inside that (a quarter of it here): with n users,
/// 16^L shards and `concurrency` of them sharing `pagesPerSecond`, one shard
/// takes (n / 16^L / usersPerPage) pages at pagesPerSecond / concurrency.
/// A page holds at most Limit (60) users but may hold fewer without being
/// the last (ListUsers' documentation; a public SDK issue shows 7 users on a
/// Limit=20 page), so the plan assumes `plannedUsersPerPage`, a third of
/// Limit, as that page held. The shortest
/// prefix that fits is chosen (fewer, longer scans waste fewer requests on
/// part-filled last pages), but at least 256 shards once each still holds
/// `balancedPages` pages: a shard's pages come one after another, so with
/// only as many shards as run at once the last few to finish end the
/// listing at one page per round trip (measured: 16 shards of a million
/// users left the last 6% of the listing at a quarter of the pace).
public struct ShardPlan: Sendable, Equatable {
    public var prefixLength: Int
    public var concurrency: Int
    /// The longest a shard should take at full pace, in seconds.
    public var shardSeconds: Double

    /// ListUsers' Limit: the most users a page holds, never what it is assumed to hold.
    public static let pageLimit = 60
    /// Users per page the plan assumes before any page is seen: a third of Limit (an assumption, TESTING.md).
    public static let plannedUsersPerPage = 20.0
    /// Shards must finish inside this share of the token's life.
    public static let margin = 0.25
    /// Pages a shard should still hold before the plan splits finer for balance.
    public static let balancedPages = 20

    public var shardCount: Int { prefixLength == 0 ? 1 : 1 << (4 * prefixLength) }

    /// Every prefix of the plan, in order ("" for the one unfiltered scan).
    public var prefixes: [String] {
        guard prefixLength > 0 else { return [""] }
        return (0..<shardCount).map { n in
            let hex = String(n, radix: 16)
            return String(repeating: "0", count: prefixLength - hex.count) + hex
        }
    }

    public init(prefixLength: Int, concurrency: Int, shardSeconds: Double) {
        self.prefixLength = prefixLength
        self.concurrency = concurrency
        self.shardSeconds = shardSeconds
    }

    /// The plan for `estimatedUsers` at `pagesPerSecond` (snap's UserList pace) and a token life of `tokenLife` seconds,
    /// pages holding `usersPerPage` users on average.
    /// `forcedLength` (0 to 3) overrides the choice, as `--shards` does.
    public static func make(
        estimatedUsers: Int, pagesPerSecond: Double, tokenLife: Double, concurrency: Int = 16, forcedLength: Int? = nil,
        usersPerPage: Double = plannedUsersPerPage
    ) -> ShardPlan {
        let perPage = min(Double(pageLimit), max(1, usersPerPage))
        func seconds(_ length: Int) -> Double {
            let shards = length == 0 ? 1 : 1 << (4 * length)
            let running = Double(min(concurrency, shards))
            let pages = (Double(max(0, estimatedUsers)) / Double(shards) / perPage).rounded(.up)
            return pages * running / max(0.001, pagesPerSecond)
        }
        let forLife = (1...3).first { seconds($0) <= tokenLife * margin } ?? 3
        let forBalance = Double(estimatedUsers) >= 256 * perPage * Double(balancedPages) ? 2 : 1
        let length = forcedLength ?? max(forLife, forBalance)
        return ShardPlan(
            prefixLength: length, concurrency: min(concurrency, length == 0 ? 1 : 1 << (4 * length)), shardSeconds: seconds(length))
    }
}
