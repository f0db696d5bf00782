import AWS
import Foundation
import Testing

@testable import SnapCore

/// `verify --chain`'s rules on a history built in memory; signatures stand in as a verdict on `"good"`.
@Suite struct ChainCheckTests {
    static func manifest(_ second: Int, previous: Manifest?, signed: Bool = true) -> Manifest {
        let date = Date(timeIntervalSince1970: 1_796_000_000 + Double(second) * 86_400)
        let file = Manifest.FileInfo(sha256: String(repeating: "a", count: 64), bytes: 1, records: 1)
        var m = Manifest(
            id: SnapshotID.make(at: date), createdAt: Timestamp.format(date),
            userPool: .init(id: "us-east-1_P", name: "p", region: "us-east-1"),
            counts: .init(users: 1, groups: 1, memberships: 1),
            files: Dictionary(uniqueKeysWithValues: Member.data(format: 1).map { ($0, file) }),
            previous: previous?.id, changes: nil, warnings: [], tool: "test")
        m.previousDigest = previous?.digest
        m.archive = .init(sha256: String(repeating: "b", count: 64), bytes: 10)
        if signed { m.signature = ["alg": "ECDSA_SHA_256", "key": "k", "value": "good"] }
        return m
    }

    static func chain(_ n: Int) -> [Manifest] {
        var out: [Manifest] = []
        for i in 0..<n { out.append(manifest(i, previous: out.last)) }
        return out
    }

    static func verdict(_ sig: JSONValue?, _ bytes: [UInt8]) async -> ChainCheck.Signature {
        guard let sig else { return .unsigned }
        return sig["value"]?.stringValue == "good" ? .valid : .invalid("bad value")
    }

    func problems(_ ms: [Manifest], records: [(name: String, record: PruneRecord)] = []) async -> [String] {
        await ChainCheck.run(manifests: ms, records: records, verdict: Self.verdict).problems.map(\.description)
    }

    @Test func anIntactHistoryHasNoProblem() async {
        let r = await ChainCheck.run(manifests: Self.chain(4).shuffled(), records: [], verdict: Self.verdict)
        #expect(r.problems.isEmpty && r.snapshots == 4 && r.signed == 4)
        // Unsigned throughout (no signing): no problem either.
        var plain: [Manifest] = []
        for i in 0..<3 { plain.append(Self.manifest(i, previous: plain.last, signed: false)) }
        #expect(await problems(plain).isEmpty)
    }

    @Test func aDeletedMiddleSnapshotIsNamedUnlessAPruneRecordExplainsIt() async {
        var c = Self.chain(4)
        let gone = c.remove(at: 1)
        #expect(
            await problems(c) == [
                "\(gone.id.value): missing: \(c[1].id.value) names it as its previous snapshot and no prune record explains it"
            ])
        var record = PruneRecord(
            pool: "us-east-1_P", at: "2026-12-04T00:00:00Z", store: "s", removed: [.init(id: gone.id, digest: gone.digest, reason: "r")],
            tool: "t")
        record.signature = ["alg": "ECDSA_SHA_256", "key": "k", "value": "good"]
        let report = await ChainCheck.run(manifests: c, records: [("r.json", record)], verdict: Self.verdict)
        #expect(report.problems.isEmpty && report.explainedByPrune == 1)
        // Unsigned, or forged, the record explains nothing in a signed history.
        record.signature = nil
        #expect(await problems(c, records: [("r.json", record)]).count == 2)
        record.signature = ["alg": "ECDSA_SHA_256", "key": "k", "value": "forged"]
        #expect(await problems(c, records: [("r.json", record)]).first?.contains("prune record r.json: its signature fails") == true)
        // A record of another manifest under that ID does not explain this one.
        record.signature = ["alg": "ECDSA_SHA_256", "key": "k", "value": "good"]
        record.removed[0].digest = String(repeating: "0", count: 64)
        #expect(await problems(c, records: [("r.json", record)]).first?.contains("removed another manifest of that ID") == true)
    }

    @Test func aReplacedOrStrippedManifestIsNotTheOneItsSuccessorNames() async {
        var c = Self.chain(3)
        c[1].warnings = ["changed"]  // re-signed by whoever holds the key: its signature passes, the digest does not
        #expect(
            await problems(c).contains {
                $0.hasPrefix("\(c[1].id.value): its manifest is not the one its successor \(c[2].id.value) names")
            })
        var s = Self.chain(3)
        s[1].signature = nil
        let found = await problems(s)
        #expect(found.contains("\(s[1].id.value): unsigned, while other snapshots of the pool are signed (a signature stripped?)"))
        #expect(found.contains { $0.hasPrefix("\(s[1].id.value): its manifest is not the one") })
        var bad = Self.chain(2)
        bad[1].signature = ["alg": "ECDSA_SHA_256", "key": "other", "value": "nope"]
        #expect(await problems(bad) == ["\(bad[1].id.value): its signature fails: bad value"])
    }

    @Test func anOlderManifestUnderANewerIdIsNamed() async {
        var c = Self.chain(3)
        // The first snapshot's content, with the newest ID: its creation time says otherwise, and it is not in the chain.
        var replay = c[0]
        replay.id = SnapshotID.make(at: Date(timeIntervalSince1970: 1_796_000_000 + 5 * 86_400))
        c.append(replay)
        let found = await problems(c)
        #expect(found.contains { $0.hasPrefix("\(replay.id.value): its ID says") })
        #expect(found.contains { $0.hasPrefix("\(replay.id.value): created at") })
    }

    @Test func aSnapshotSlippedInIsNotInTheChain() async {
        var c = Self.chain(2)
        let slipped = Self.manifest(0, previous: nil)
        var late = slipped
        late.id = SnapshotID.make(at: Date(timeIntervalSince1970: 1_796_000_000 + 43_200))
        late.createdAt = Timestamp.format(late.id.date)
        c.append(late)
        #expect(await problems(c).contains { $0.hasPrefix("\(late.id.value): not in the chain: \(c[1].id.value)") })
    }
}
