import Foundation
import Testing

/// `create --all` on the simulator's fleet mode (scripts/cognito_sim.py --fleet): pools in two regions of
/// one account and one region of a second account reached through AssumeRole, each account and region
/// with its own budgets. Proves: exact snapshots of every pool, one pacer per account and region (the
/// pools of a lane together never exceed its budget), a denied pool and a down store reported while the
/// rest succeed (exit 3). The 50-pool benchmark is scripts/bench_fleet.sh (BENCHMARKS.md).
@Suite(.serialized) struct SimulatorFleetTests {
    static let accountA = "111111111111"
    static let accountB = "222222222222"
    static let users = 3000
    static let groups = 5
    static let k = 10.0

    /// Memberships the simulator defines for a pool of `users` users in `groups` groups (cognito_sim.py's Pool).
    static func memberships(users: Int, groups: Int) -> Int {
        (0..<groups).reduce(0) { sum, g in
            let x = users - 3 - 7 * g
            return sum + (x <= 0 ? 0 : (x + 7 * groups - 1) / (7 * groups))
        }
    }

    @Test func everyPoolExactOnePacerPerAccountAndRegionFailuresReported() throws {
        let work = try tempFolder("simfleet")
        FileManager.default.createFile(atPath: work + "/notadir", contents: Data())
        let role = "arn:aws:iam::\(Self.accountB):role/snap-reader"
        var pools: [(id: String, account: String)] =
            ["us-east-1_FleetA1", "us-east-1_FleetA2", "us-east-1_FleetA3", "eu-west-1_FleetA4", "eu-west-1_FleetA5"].map {
                ($0, Self.accountA)
            }
        pools += ["us-east-1_FleetB1", "us-east-1_FleetB2"].map { ($0, Self.accountB) }
        var spec: [[String: Any]] = pools.map { ["id": $0.id, "account": $0.account, "users": Self.users, "groups": Self.groups] }
        spec.append(["id": "us-east-1_FleetDenied", "account": Self.accountA, "users": 10, "groups": 1, "denied": true])
        spec.append(["id": "us-east-1_FleetDown", "account": Self.accountA, "users": 10, "groups": 1])
        let fleet: [String: Any] = [
            "accounts": [
                ["id": Self.accountA, "accessKey": "AKIDFLEETA0000000001", "secretKey": "fleet-a-secret", "roles": [String]()],
                ["id": Self.accountB, "accessKey": "AKIDFLEETB0000000002", "secretKey": "fleet-b-secret", "roles": [role]],
            ],
            "pools": spec,
        ]
        try JSONSerialization.data(withJSONObject: fleet).write(to: URL(fileURLWithPath: work + "/fleet.json"))
        var toml = "stores = [\"\(work)/store\"]\n"
        for p in pools {
            toml += "[[pool]]\nid = \"\(p.id)\"\n" + (p.account == Self.accountB ? "role_arn = \"\(role)\"\n" : "")
        }
        toml += "[[pool]]\nid = \"us-east-1_FleetDenied\"\n[[pool]]\nid = \"us-east-1_FleetDown\"\nstores = [\"\(work)/notadir/store\"]\n"
        try toml.write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)

        let sim = try CognitoSim(["--fleet", work + "/fleet.json", "--time-scale", String(Self.k), "--rtt-ms", "150"])
        var env = ProcessInfo.processInfo.environment
        for k in env.keys where k.hasPrefix("AWS_") || k.hasPrefix("SNAP_") { env[k] = nil }
        env["AWS_ENDPOINT_URL"] = sim.endpoint
        env["AWS_ACCESS_KEY_ID"] = "AKIDFLEETA0000000001"
        env["AWS_SECRET_ACCESS_KEY"] = "fleet-a-secret"
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials"
        env["AWS_CONFIG_FILE"] = "/nonexistent/config"
        // Every quota times K; snap takes half of each, so a lane's pools together stay under its budget
        // only if they share one pacer (each alone would take half, three together 1.5 times it).
        var quotas: [String] = []
        for (c, rps) in [
            ("UserList", 30.0), ("UserRead", 120), ("UserPoolRead", 15), ("UserPoolResourceRead", 20), ("UserPoolClientRead", 15),
        ] {
            quotas += ["--quota", "\(c)=\(rps * Self.k)"]
        }
        let r = try snap(
            [
                "create", "--all", "--json", "-v", "--quota-share", "0.5", "--parallel", "9", "--token-life", "360s", "--max-throttle-wait",
                "180s",
            ] + quotas,
            env: env, cwd: work)
        #expect(r.status == 3, "the denied pool and the down store fail, the rest succeed: \(r.stderr.suffix(3000))")
        let objects = try r.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let byPool = Dictionary(uniqueKeysWithValues: objects.dropLast().map { ($0["pool"] as! String, $0) })
        let wanted = Self.memberships(users: Self.users, groups: Self.groups)
        for p in pools {
            let o = try #require(byPool[p.id], "\(p.id) reported")
            #expect(o["status"] as? String == "ok" && o["account"] as? String == p.account, "\(o)")
            let archive = "\(work)/store/\(p.id)/\(o["id"] as? String ?? "?").tar.zst"
            let dir = try tempFolder("simfleet-\(p.id)")
            try untar(archive, into: dir)
            let users = try jsonLines(dir + "/users.jsonl").map { $0["username"] as! String }
            #expect(
                users.count == Self.users
                    && zip(users, users.dropFirst()).allSatisfy { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) },
                "\(p.id): every user once")
            #expect(try jsonLines(dir + "/memberships.jsonl").count == wanted, "\(p.id) memberships")
        }
        #expect(
            (byPool["us-east-1_FleetDenied"]?["errors"] as? [String])?.first?.contains("AccessDeniedException") == true,
            "\(byPool["us-east-1_FleetDenied"] ?? [:])")
        #expect(byPool["us-east-1_FleetDown"]?["status"] as? String == "failed")
        // One pacer per account and region: three lanes, three pacers.
        #expect(r.stderr.components(separatedBy: "pacing Cognito at 0.5").count - 1 == 3, "\(r.stderr.prefix(2000))")
        #expect(r.stderr.contains("create --all: 9 pool(s) in 3 account/region lane(s)"), "\(r.stderr.prefix(2000))")

        // Each lane's pools together: never throttled (they stay under the lane's budget), and over the lane's
        // busy seconds at most its share.
        let lanes = try #require(try sim.rawStats()["lanes"] as? [String: [String: Any]])
        #expect(Set(lanes.keys).isSuperset(of: ["\(Self.accountA)/us-east-1", "\(Self.accountA)/eu-west-1", "\(Self.accountB)/us-east-1"]))
        let share = 30 * Self.k * 0.5
        for (lane, s) in lanes {
            let ops = s["operations"] as? [String: [String: Int]] ?? [:]
            let calls = (ops["ListUsers"]?["count"] ?? 0) + (ops["ListUsersInGroup"]?["count"] ?? 0)
            let throttled = (ops["ListUsers"]?["throttled"] ?? 0) + (ops["ListUsersInGroup"]?["throttled"] ?? 0)
            #expect(throttled == 0, "\(lane): \(throttled) UserList requests throttled")
            let seconds = (s["userListPerSecond"] as? [Int] ?? []).enumerated().filter { $0.element > 0 }.map(\.offset)
            guard let first = seconds.first, let last = seconds.last, last > first + 1 else { continue }
            // Whole seconds only: the first and last are partial. One second of burst is allowed (the pacer's bucket).
            let inner = Double(calls) / Double(last - first + 1)
            #expect(inner <= share * 1.1, "\(lane): \(inner) UserList/s against a share of \(share)")
        }
    }
}
