import AWS

/// How one pool of a `--all` run ended.
public struct PoolOutcome: Sendable {
    public enum Status: String, Sendable {
        /// Every store holds what the command made or checked.
        case ok
        /// Some stores do, some failed (exit 3 of the one-pool command).
        case partial
        /// Nothing done for this pool: denied, its stores down, a lock held, a stale snapshot.
        case failed
    }

    public var pool: String
    public var region: String
    public var account: String?
    public var status: Status
    /// The one-pool command's exit status.
    public var exitCode: Int32
    /// The error lines printed for this pool, in order.
    public var errors: [String]
    public var seconds: Double
    /// What the command reports for the pool (create: the snapshot), for `--json` and the notification.
    public var detail: [String: JSONValue]

    public init(
        pool: String, region: String, account: String? = nil, exitCode: Int32, errors: [String] = [], seconds: Double = 0,
        detail: [String: JSONValue] = [:]
    ) {
        self.pool = pool
        self.region = region
        self.account = account
        self.exitCode = exitCode
        self.status = exitCode == 0 ? .ok : exitCode == 3 ? .partial : .failed
        self.errors = errors
        self.seconds = seconds
        self.detail = detail
    }

    public var json: JSONValue {
        var o = detail
        o["pool"] = .string(pool)
        o["region"] = .string(region)
        o["account"] = account.map { .string($0) } ?? .null
        o["status"] = .string(status.rawValue)
        o["exitCode"] = .number(String(exitCode))
        o["errors"] = .array(errors.map { .string($0) })
        o["seconds"] = .number(String(format: "%.3f", seconds))
        return .object(o)
    }
}

/// The whole `--all` run: the SPEC's exit status and its summary.
public struct FleetOutcome: Sendable {
    public var pools: [PoolOutcome]
    public var seconds: Double

    public init(pools: [PoolOutcome], seconds: Double) {
        self.pools = pools
        self.seconds = seconds
    }

    public func count(_ s: PoolOutcome.Status) -> Int { pools.filter { $0.status == s }.count }

    /// 0 when every pool succeeded, 1 when none did anything (or there were no pools), else 3: some did
    /// (a pool with some stores written counts as some).
    public var exitCode: Int32 {
        if !pools.isEmpty && pools.allSatisfy({ $0.status == .ok }) { return 0 }
        if pools.contains(where: { $0.status != .failed }) { return 3 }
        return 1
    }

    /// `N pools: X ok, Y partial, Z failed in Ts`.
    public var line: String {
        "\(pools.count) pool\(pools.count == 1 ? "" : "s"): \(count(.ok)) ok, \(count(.partial)) partial, \(count(.failed)) failed"
            + String(format: " in %.1fs", seconds)
            + (pools.contains { $0.status != .ok }
                ? " (not ok: " + pools.filter { $0.status != .ok }.map(\.pool).joined(separator: ", ") + ")" : "")
    }

    /// The last line of `--json`: `{"summary":{...}}`.
    public var summaryJSON: JSONValue {
        .object([
            "summary": .object([
                "pools": .number(String(pools.count)), "ok": .number(String(count(.ok))),
                "partial": .number(String(count(.partial))), "failed": .number(String(count(.failed))),
                "notOk": .array(pools.filter { $0.status != .ok }.map { .string($0.pool) }),
                "exitCode": .number(String(exitCode)), "seconds": .number(String(format: "%.3f", seconds)),
            ])
        ])
    }
}

/// Which pool of a `--all` run starts next: pools run at most `limit` at once, each started in the lane
/// (account and region: one pacer) with the fewest running, so every lane's budget is in use while it
/// has pools left; within a lane, in the order given.
public struct FleetScheduler: Sendable {
    private var pending: [String: [Int]] = [:]
    private var running: [String: Int] = [:]
    private var laneOrder: [String] = []
    public let limit: Int
    public private(set) var inFlight = 0

    /// `lanes[i]` is the lane of pool i.
    public init(lanes: [String], limit: Int) {
        self.limit = max(1, limit)
        for (i, lane) in lanes.enumerated() {
            if pending[lane] == nil { laneOrder.append(lane) }
            pending[lane, default: []].append(i)
        }
    }

    public var isDone: Bool { inFlight == 0 && pending.values.allSatisfy(\.isEmpty) }

    /// The next pool to start, or nil when `limit` are running or none is left.
    public mutating func next() -> Int? {
        guard inFlight < limit else { return nil }
        let candidates = laneOrder.filter { !(pending[$0]?.isEmpty ?? true) }
        guard
            let lane = candidates.min(by: {
                let (a, b) = (running[$0, default: 0], running[$1, default: 0])
                return a != b ? a < b : pending[$0]!.count > pending[$1]!.count
            })
        else { return nil }
        let i = pending[lane]!.removeFirst()
        running[lane, default: 0] += 1
        inFlight += 1
        return i
    }

    public mutating func finished(lane: String) {
        running[lane, default: 1] -= 1
        inFlight -= 1
    }
}
