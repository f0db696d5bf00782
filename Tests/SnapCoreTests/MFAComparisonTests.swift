import AWS
import Foundation
import Testing

@testable import SnapCore

/// Diff's MFA rule, now beside the other diff rules: `mfa` is compared like for like.
@Suite struct MFAComparisonTests {
    private func stored(withMFA: Bool) -> DiffSideRef {
        var manifest = Manifest(
            id: SnapshotID("20261127T000000Z-00000001")!, createdAt: "2026-11-27T00:00:00Z",
            userPool: .init(id: "us-east-1_x", name: "x", region: "us-east-1"), counts: .init(users: 0, groups: 0, memberships: 0),
            files: [:], previous: nil, changes: nil, warnings: [], tool: "test")
        manifest.options = SnapshotOptions(withMFA: withMFA)
        return .stored(.init(pool: "us-east-1_x", entry: .init(manifest: manifest, stores: [])))
    }

    @Test func aLivePoolIsReadWithMFAWhenTheSnapshotWasTakenSo() {
        let live = DiffSideRef.live(pool: "us-east-1_x")
        for c in [MFAComparison(old: stored(withMFA: true), new: live), MFAComparison(old: live, new: stored(withMFA: true))] {
            #expect(c.readLive && c.ignore.isEmpty && c.note != nil)
        }
        let plain = MFAComparison(old: stored(withMFA: false), new: live)
        #expect(!plain.readLive && plain.ignore.isEmpty && plain.note == nil)
    }

    @Test func twoSnapshotsOfWhichOnlyOneHasMFALeaveItOut() {
        let mixed = MFAComparison(old: stored(withMFA: false), new: stored(withMFA: true))
        #expect(mixed.ignore == ["mfa"] && !mixed.readLive && mixed.note?.contains("--with-mfa") == true)
        let both = MFAComparison(old: stored(withMFA: true), new: stored(withMFA: true))
        #expect(both.ignore.isEmpty && both.note == nil && !both.readLive)
    }
}
