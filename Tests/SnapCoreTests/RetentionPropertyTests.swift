import Foundation
import Testing

@testable import SnapCore

/// `--drop-unchanged` over random histories: random states, times and
/// policies. Every state some snapshot kept without it is still kept by a
/// snapshot with it; it only ever removes more; the newest always stays.
@Suite struct RetentionPropertyTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: 0..<400)
    func everyKeptStateIsStillRepresented(seed: Int) {
        var g = Generator(state: UInt64(seed) &* 7919 &+ 1)
        let count = Int.random(in: 1...60, using: &g)
        var t = Timestamp.parse("2026-01-01T00:00:00Z")!.timeIntervalSince1970
        var ids: [SnapshotID] = []
        var stateOf: [SnapshotID: String] = [:]
        var current = 0
        for i in 0..<count {
            // Gaps from minutes to weeks, so every calendar rule has work.
            t += Double([60, 3_600, 86_400, 7 * 86_400].randomElement(using: &g)!) * Double.random(in: 0.5...2, using: &g)
            let base = SnapshotID.make(at: Date(timeIntervalSince1970: t)).value.prefix(17)
            let id = SnapshotID(base + String(format: "%08x", i))!
            // Few states, revisited: A B A is a change back, not "unchanged".
            if Int.random(in: 0..<3, using: &g) == 0 { current = Int.random(in: 0..<4, using: &g) }
            ids.append(id)
            stateOf[id] = "s\(current)"
        }
        var p = RetentionPolicy()
        p.last = Int.random(in: 0...3, using: &g)
        p.hourly = Int.random(in: 0...3, using: &g)
        p.daily = Int.random(in: 0...5, using: &g)
        p.weekly = Int.random(in: 0...3, using: &g)
        p.monthly = Int.random(in: 0...3, using: &g)
        if Bool.random(using: &g) { p.within = KeepWithin(hours: Int.random(in: 1...(30 * 24), using: &g)) }
        let now = Date(timeIntervalSince1970: t + Double.random(in: -86_400...86_400, using: &g))
        var dropping = p
        dropping.dropUnchanged = true

        let plain = p.apply(to: ids.shuffled(using: &g), now: now) { stateOf[$0] }
        let dropped = dropping.apply(to: ids, now: now) { stateOf[$0] }
        let keptPlain = Set(plain.filter(\.keep).map(\.id))
        let keptDropped = Set(dropped.filter(\.keep).map(\.id))
        let context = "seed \(seed), policy \(p), ids \(ids.map(\.value))"

        #expect(keptDropped.isSubset(of: keptPlain), "\(context)")
        #expect(keptDropped.contains(ids.max()!), "\(context)")
        // Every state kept without the flag is kept with it.
        #expect(Set(keptPlain.map { stateOf[$0]! }) == Set(keptDropped.map { stateOf[$0]! }), "\(context)")
        // Each dropped snapshot names a kept one with its state, older than it.
        for d in dropped where keptPlain.contains(d.id) && !d.keep {
            #expect(d.sameAs.map { keptDropped.contains($0) && stateOf[$0] == stateOf[d.id] && $0 < d.id } == true, "\(context)")
        }
        // Two kept snapshots in a row (among the kept) never share a state, but for the newest.
        let keptInOrder = ids.filter { keptDropped.contains($0) }
        for (a, b) in zip(keptInOrder, keptInOrder.dropFirst()) where b != ids.max()! {
            #expect(stateOf[a] != stateOf[b], "\(context)")
        }
    }
}
