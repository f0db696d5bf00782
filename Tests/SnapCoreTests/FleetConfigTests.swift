import AWS
import Foundation
import Testing

@testable import SnapCore

/// `[[pool]]` tables, the `--all` exit status and summary, and which pool starts next.
@Suite struct FleetConfigTests {
    static let file = """
        stores = ["s3://central-backups"]
        [prune]
        keep_daily = 7
        [[pool]]
        id = "eu-west-1_AbCdEf123"
        stores = ["s3://backups-eu", "/var/backups/cognito"]
        with_mfa = true
        expected_bucket_owner = "123456789012"
        notify = "sns:arn:aws:sns:eu-west-1:123456789012:team-a"
        [pool.prune]
        keep_last = 3
        drop_unchanged = true
        [[store]]
        url = "/mnt/backup"
        [[pool]]
        id = "us-east-1_Other1"
        region = "us-west-2"
        role_arn = "arn:aws:iam::210987654321:role/snap-reader"
        with_secrets = false
        [[pool]]
        id = "us-east-1_Third"
        profile = "prod"
        """

    @Test func poolTablesAreRead() throws {
        let c = try ConfigFile(text: Self.file, path: "snap.toml")
        #expect(c.pools.map(\.id) == ["eu-west-1_AbCdEf123", "us-east-1_Other1", "us-east-1_Third"])
        let a = c.pools[0]
        #expect(a.stores == ["s3://backups-eu", "/var/backups/cognito"])
        #expect(a.withMFA == true && a.expectedBucketOwner == "123456789012")
        #expect(a.notify == ["sns:arn:aws:sns:eu-west-1:123456789012:team-a"])
        #expect(a.prune == ["keep_last": "3", "drop_unchanged": "true"])
        #expect(a.origin == "snap.toml:4")
        #expect(a.effectiveRegion == "eu-west-1" && a.credentialsKey == "default")
        // The file's own [prune] is untouched by the pool's; a [[store]] after a pool is the file's.
        #expect(c.prune == ["keep_daily": "7"])
        #expect(c.stores == ["s3://central-backups", "/mnt/backup"])
        let b = c.pools[1]
        #expect(b.effectiveRegion == "us-west-2" && b.prune == nil && b.withSecrets == false)
        #expect(b.credentialsKey == "role:arn:aws:iam::210987654321:role/snap-reader")
        #expect(c.pools[2].credentialsKey == "profile:prod")
    }

    @Test(arguments: [
        ("[[pool]]\nregion = \"eu-west-1\"\n", "snap.toml:1: this [[pool]] table has no id"),
        ("[[pool]]\nid = \"nounderscore\"\n", "is not a user pool id"),
        (
            "[[pool]]\nid = \"eu-west-1_A\"\n[[pool]]\nid = \"eu-west-1_A\"\n",
            "snap.toml:3: pool eu-west-1_A is already named at snap.toml:1"
        ),
        ("[[pool]]\nid = \"eu-west-1_A\"\nbucket = \"x\"\n", "snap.toml:3: unknown key \"bucket\" in [[pool]]"),
        (
            "[[pool]]\nid = \"eu-west-1_A\"\nwith_mfa = \"yes\"\n",
            "snap.toml:3: unknown key \"with_mfa\" in [[pool]] or a value of the wrong type"
        ),
        ("[[pool]]\nid = \"eu-west-1_A\"\nrole_arn = \"snap-reader\"\n", "expected arn:aws:iam::ACCOUNT:role/NAME"),
        ("[[pool]]\nid = \"eu-west-1_A\"\nexpected_bucket_owner = \"12\"\n", "an AWS account id is 12 digits"),
        ("[[pool]]\nid = \"eu-west-1_A\"\nprune = \"keep_last=1\"\n", "[pool.prune] after the [[pool]]"),
        ("[pool.prune]\nkeep_last = 1\n", "snap.toml:1: [pool.prune] belongs after the [[pool]] it is for"),
        ("[[pool]]\nid = \"eu-west-1_A\"\n[pool.prune]\nkeep_last = 1.5\n", "snap.toml:4: keep_last must be a whole number >= 0"),
        ("[[pools]]\n", "unknown table [[pools]]; known: [[store]], [[pool]]"),
    ])
    func badPoolTablesAreNamed(text: String, says: String) {
        do {
            _ = try ConfigFile(text: text, path: "snap.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(says), "\(error)")
        }
    }

    func outcome(_ pool: String, _ code: Int32) -> PoolOutcome { PoolOutcome(pool: pool, region: "us-east-1", exitCode: code) }

    @Test func exitStatusIsAllSomeOrNone() {
        #expect(FleetOutcome(pools: [outcome("a", 0), outcome("b", 0)], seconds: 1).exitCode == 0)
        #expect(FleetOutcome(pools: [outcome("a", 0), outcome("b", 1)], seconds: 1).exitCode == 3)
        // Some stores written counts as some.
        #expect(FleetOutcome(pools: [outcome("a", 3), outcome("b", 1)], seconds: 1).exitCode == 3)
        #expect(FleetOutcome(pools: [outcome("a", 1), outcome("b", 4)], seconds: 1).exitCode == 1)
        #expect(FleetOutcome(pools: [], seconds: 1).exitCode == 1)
        let f = FleetOutcome(pools: [outcome("a", 0), outcome("b", 4), outcome("c", 3)], seconds: 2)
        #expect(f.line == "3 pools: 1 ok, 1 partial, 1 failed in 2.0s (not ok: b, c)")
        #expect(f.summaryJSON["summary"]?["notOk"] == .array([.string("b"), .string("c")]))
        #expect(outcome("b", 4).status == .failed && outcome("c", 3).status == .partial)
    }

    @Test func everyLaneGetsAPoolBeforeAnyGetsTwo() {
        // Pools 0-3 in lane A, 4-5 in B, 6 in C; three at once.
        var s = FleetScheduler(lanes: ["A", "A", "A", "A", "B", "B", "C"], limit: 3)
        var started: [Int] = []
        while let i = s.next() { started.append(i) }
        #expect(started.sorted() == [0, 4, 6], "one per lane first")
        s.finished(lane: "C")
        // C has nothing left: the lane with the most pending of the least running goes next.
        #expect(s.next() == 1)
        #expect(s.next() == nil, "three running")
        s.finished(lane: "B")
        #expect(s.next() == 5)
        var rest: [Int] = []
        for lane in ["A", "A", "B"] {
            s.finished(lane: lane)
            while let i = s.next() { rest.append(i) }
        }
        #expect(rest == [2, 3])
        s.finished(lane: "A")
        s.finished(lane: "A")
        #expect(s.isDone)
    }
}
