import AWS
import Foundation

/// A restore's claim, checked against the pool before it says "restored". The executor counts what the
/// service acknowledged (and, resuming, what its journal says an earlier run did); this reads the pool
/// itself after the last write: its users (how many, how many disabled), its groups (by name) and its
/// memberships (how many), and names every difference from the plan. A restore starts from an empty pool
/// (or resumes its own), so the pool must hold exactly what was planned; anything else (another writer, a
/// Lambda trigger, a write the service acknowledged and lost) fails the restore, named.
///
/// It reads counts, not values: each user's values were checked as written (AdminCreateUser's answer, or
/// the import's listing), and `snap diff SNAPSHOT pool:TARGET --map SUBMAP` compares every field.
public struct RestoreReadBack: Sendable, Equatable {
    public var users = 0
    public var disabled = 0
    public var groups: [String] = []
    public var memberships = 0

    public init(users: Int = 0, disabled: Int = 0, groups: [String] = [], memberships: Int = 0) {
        (self.users, self.disabled, self.groups, self.memberships) = (users, disabled, groups.sorted(), memberships)
    }

    /// What a complete restore of `plan` leaves in the pool.
    public static func expected(_ plan: RestorePlan) -> RestoreReadBack {
        RestoreReadBack(users: plan.userCount, disabled: plan.disables, groups: plan.groups.map(\.name), memberships: plan.membershipCount)
    }

    /// From this many planned users the listing runs as 16 shards by the sub's first hex digit, at once, so
    /// that no pagination token outlives its hour (ten million users: about 10,400 pages a shard).
    static let shardFrom = 100_000

    /// Reads the pool: ListUsers (paced as UserList; a refused pagination token lists that shard again, up
    /// to three times), ListGroups, ListUsersInGroup per group.
    public static func read(cognito: CognitoClient, poolId: String, plannedUsers: Int) async throws -> RestoreReadBack {
        let hex = Array("0123456789abcdef")
        let prefixes: [String?] = plannedUsers >= shardFrom ? hex.map { "\($0)" } : [nil]
        let shards = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for prefix in prefixes { group.addTask { try await countUsers(cognito: cognito, poolId: poolId, subPrefix: prefix) } }
            var total = (0, 0)
            for try await (users, disabled) in group { total = (total.0 + users, total.1 + disabled) }
            return total
        }
        var groups: [String] = []
        var token: String?
        repeat {
            let page = try await cognito.listGroups(poolId, nextToken: token)
            groups += page.items.compactMap { $0["GroupName"]?.stringValue }
            token = page.next
        } while token != nil
        var memberships = 0
        for name in groups {
            var next: String?
            repeat {
                let page = try await cognito.listUsersInGroup(poolId, group: name, nextToken: next)
                memberships += page.items.count
                next = page.next
            } while next != nil
        }
        return RestoreReadBack(users: shards.0, disabled: shards.1, groups: groups, memberships: memberships)
    }

    private static func countUsers(cognito: CognitoClient, poolId: String, subPrefix: String?) async throws -> (Int, Int) {
        var (users, disabled) = (0, 0)
        // A shard listed again after a refused token is counted again from its start.
        try await PoolListing.each(
            cognito: cognito, poolId: poolId, filter: subPrefix.map { "sub ^= \"\($0)\"" }, listing: "the read-back after the restore",
            restart: { (users, disabled) = (0, 0) }
        ) { page in
            users += page.count
            disabled += page.filter { $0["Enabled"]?.boolValue == false }.count
        }
        return (users, disabled)
    }

    /// Every way `found` differs from `self` (the plan), each naming both counts; empty when they agree.
    public func differences(_ found: RestoreReadBack) -> [String] {
        var out: [String] = []
        if found.users != users { out.append("it holds \(found.users) users where \(users) were planned") }
        if found.disabled != disabled { out.append("\(found.disabled) of its users are disabled where \(disabled) were planned") }
        if found.groups != groups {
            let missing = Set(groups).subtracting(found.groups).sorted()
            let extra = Set(found.groups).subtracting(groups).sorted()
            if !missing.isEmpty { out.append("groups missing: \(RestorePlan.examples(missing))") }
            if !extra.isEmpty { out.append("groups not in the snapshot: \(RestorePlan.examples(extra))") }
        }
        if found.memberships != memberships {
            out.append("it holds \(found.memberships) group memberships where \(memberships) were planned")
        }
        return out
    }

    public var summary: String {
        "\(users) users (\(disabled) disabled), \(groups.count) groups, \(memberships) memberships"
    }

    public var json: JSONValue {
        ["users": .int(users), "disabled": .int(disabled), "groups": .int(groups.count), "memberships": .int(memberships)]
    }
}
