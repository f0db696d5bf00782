import Testing

@testable import SnapCore

/// The read-back's comparison: every count that differs is named with both numbers, groups by name;
/// nothing is said when the pool holds the plan.
@Suite struct RestoreReadBackTests {
    static let plan = RestoreReadBack(users: 10, disabled: 2, groups: ["b", "a"], memberships: 7)

    @Test func agreeingCountsSayNothing() {
        #expect(Self.plan.differences(RestoreReadBack(users: 10, disabled: 2, groups: ["a", "b"], memberships: 7)).isEmpty)
        #expect(Self.plan.summary == "10 users (2 disabled), 2 groups, 7 memberships")
    }

    @Test func eachDifferenceIsNamedWithBothNumbers() {
        let found = RestoreReadBack(users: 11, disabled: 1, groups: ["a", "c"], memberships: 6)
        #expect(
            Self.plan.differences(found) == [
                "it holds 11 users where 10 were planned",
                "1 of its users are disabled where 2 were planned",
                #"groups missing: "b""#,
                #"groups not in the snapshot: "c""#,
                "it holds 6 group memberships where 7 were planned",
            ])
        #expect(Self.plan.differences(RestoreReadBack(users: 10, disabled: 2, groups: ["a"], memberships: 7)) == [#"groups missing: "b""#])
    }
}
