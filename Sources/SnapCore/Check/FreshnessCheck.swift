import AWS
import Foundation

/// `snap check`: is the pool's newest intact snapshot young enough, and does
/// every store hold it? For cron, Nagios-style checks and health checks.
///
/// "Intact" is, by default, what a listing proves cheaply: the `.json`
/// reads as a manifest and the archive's listed size is the one it names.
/// `deep` downloads the archive and verifies it whole (checksums, counts,
/// JSON, order), newest first, until a copy passes. A store that cannot be
/// listed is never taken for one lacking the snapshot: it makes the answer
/// unknown, not missing.
public struct FreshnessCheck: Sendable {
    public enum Status: String, Sendable {
        /// Fresh and in every store.
        case ok
        /// The newest intact snapshot is older than the limit (or there is none).
        case stale
        /// Fresh, but some readable store lacks it (or holds it damaged).
        case missing
        /// Fresh and in every store that could be read; some could not.
        case unknown
        /// The newest snapshot is dated after now, beyond `futureTolerance`: a
        /// clock ran ahead (here or where it was taken). Its age proves nothing,
        /// and every create refuses to sort before it.
        case future
    }

    /// How far ahead of this machine's clock a snapshot may be dated before
    /// `check` calls it a clock fault: ordinary NTP drift stays well inside.
    public static let futureTolerance: Duration = .seconds(300)

    public struct StoreState: Sendable {
        public var url: String
        /// The newest intact snapshot this store holds.
        public var newest: SnapshotID?
        /// Why this store does not hold the pool's newest intact snapshot, or cannot be read.
        public var problem: String?
        public var readable: Bool
    }

    public struct Report: Sendable {
        public var pool: String
        public var status: Status
        public var maxAge: Duration
        public var newest: Manifest?
        public var age: Duration?
        public var stores: [StoreState]
        /// One line per problem, for people.
        public var problems: [String]
    }

    public let stores: [any SnapshotStore]
    public let maxAge: Duration
    public let deep: Bool
    public init(stores: [any SnapshotStore], maxAge: Duration, deep: Bool = false) {
        self.stores = stores
        self.maxAge = maxAge
        self.deep = deep
    }

    public func run(pool: String, now: Date = Date(), workDirectory: String) async -> Report {
        let listed = await Verifier(stores: stores).listings(pool: pool)
        var states: [StoreState] = []
        var manifests: [SnapshotID: Manifest] = [:]
        for (store, listing) in listed {
            switch listing {
            case .failure(let e):
                states.append(
                    StoreState(url: store.url, newest: nil, problem: StoreFailure(store: store.url, error: e).reason, readable: false))
            case .success(let l):
                var newest: SnapshotID?
                var damaged: [String] = []
                for m in l.manifests.reversed() {
                    let why = await problem(
                        store: store, pool: pool, manifest: m, listedBytes: l.archiveBytes[m.id], work: workDirectory)
                    if let why {
                        damaged.append("\(m.id.value): \(why)")
                        continue
                    }
                    newest = m.id
                    manifests[m.id] = manifests[m.id] ?? m
                    break
                }
                states.append(StoreState(url: store.url, newest: newest, problem: damaged.first, readable: true))
            }
        }
        let best = states.compactMap(\.newest).max()
        var problems: [String] = []
        var status = Status.ok
        var age: Duration?
        if let best, best.date.timeIntervalSince(now) > Double(Self.futureTolerance.components.seconds) {
            let ahead = Duration.seconds(Int64(best.date.timeIntervalSince(now)))
            status = .future
            problems.append(
                "the newest snapshot \(best.value) is dated \(Self.format(ahead)) in the future: a clock ran ahead (here or on the host that took it); "
                    + "its age proves nothing and every create refuses to sort before it; fix the clock, then remove or rename that snapshot (DESIGN.md, Invariants)"
            )
        } else if let best {
            let seconds = max(0, now.timeIntervalSince(best.date))
            age = .seconds(Int64(seconds))
            if seconds > Double(maxAge.components.seconds) {
                status = .stale
                problems.append("the newest intact snapshot \(best.value) is \(Self.format(age!)) old, more than \(Self.format(maxAge))")
            }
        } else {
            status = .stale
            let readable = states.filter(\.readable).count
            problems.append(readable == 0 ? "no store could be read" : "no intact snapshot of \(pool) in any readable store")
        }
        for i in states.indices where states[i].readable {
            guard let best, states[i].newest != best else {
                states[i].problem = nil
                continue
            }
            let have = states[i].newest.map { "its newest intact is \($0.value)" } ?? "it holds no intact snapshot"
            let why = states[i].problem.map { "; damaged: \($0)" } ?? ""
            states[i].problem = "lacks \(best.value) (\(have)\(why))"
            problems.append("store \(states[i].url) \(states[i].problem!)")
            if status == .ok { status = .missing }
        }
        for s in states where !s.readable {
            problems.append("store \(s.url) cannot be read: \(s.problem ?? "")")
            if status == .ok { status = .unknown }
        }
        return Report(
            pool: pool, status: status, maxAge: maxAge, newest: best.flatMap { manifests[$0] }, age: age, stores: states,
            problems: problems)
    }

    private func problem(store: any SnapshotStore, pool: String, manifest: Manifest, listedBytes: Int64?, work: String) async
        -> String?
    {
        guard let listedBytes else { return "the archive is missing (the .json is there)" }
        if let expected = manifest.archive?.bytes, expected != listedBytes {
            return "the archive is \(listedBytes) bytes, its .json says \(expected)"
        }
        guard deep else { return nil }
        return await Verifier.check(
            store: store, pool: pool, manifest: manifest, listedBytes: listedBytes, workDirectory: work, keep: nil)
    }

    /// `45s`, `3h12m`, `26h`, `4d2h`: `DurationText`'s form.
    public static func format(_ d: Duration) -> String { DurationText.format(d) }
}

extension FreshnessCheck.Report {
    public var json: JSONValue {
        [
            "kind": "check", "userPoolId": .string(pool), "status": .string(status.rawValue),
            "maxAgeSeconds": .int(Int(maxAge.components.seconds)),
            "newest": newest.map { m in
                ["id": .string(m.id.value), "createdAt": .string(m.createdAt), "ageSeconds": .int(Int(age?.components.seconds ?? 0))]
            } ?? .null,
            "stores": .array(
                stores.map { s in
                    [
                        "url": .string(s.url), "readable": .bool(s.readable),
                        "ok": .bool(s.readable && s.problem == nil && s.newest != nil),
                        "newest": s.newest.map { .string($0.value) } ?? .null, "error": s.problem.map { .string($0) } ?? .null,
                    ]
                }),
            "problems": .array(problems.map { .string($0) }),
        ]
    }

    /// One line: status, pool, the newest snapshot and its age, and the first problem.
    public var line: String {
        let head = "\(status.rawValue.uppercased()) \(pool):"
        var text: String
        if status == .future, let newest {
            text = "\(head) newest snapshot \(newest.id.value) is dated in the future"
        } else if let newest, let age {
            let held = stores.filter { $0.newest == newest.id }.count
            text =
                "\(head) newest intact snapshot \(newest.id.value) is \(FreshnessCheck.format(age)) old (max \(FreshnessCheck.format(maxAge))), in \(held) of \(stores.count) store(s)"
        } else {
            text = "\(head) no intact snapshot"
        }
        if !problems.isEmpty { text += "; " + problems.joined(separator: "; ") }
        return text
    }
}
