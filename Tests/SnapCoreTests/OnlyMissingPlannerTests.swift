import AWS
import Foundation
import Testing

@testable import SnapCore

/// `--only-missing`'s sorting of the snapshot-to-pool diff: what is re-created, listed, taken, left out.
@Suite struct OnlyMissingPlannerTests {
    static func user(_ name: String, sub: String, email: String? = nil, enabled: Bool = true, status: String = "CONFIRMED") -> UserRecord {
        var attrs = ["sub": sub, "email": email ?? "\(name)@example.com"]
        attrs["email_verified"] = "true"
        return UserRecord(username: name, attributes: attrs, enabled: enabled, status: status)
    }

    /// One side's three member files, each sorted as snap writes them.
    static func side(
        _ dir: TempDir, _ label: String, groups: [GroupRecord], users: [UserRecord], memberships: [(String, String)]
    ) throws -> DiffInput {
        func lines(_ values: [JSONValue]) -> String { values.map { $0.canonicalString() + "\n" }.joined() }
        let g = try dir.write("\(label)-groups.jsonl", lines(groups.sorted { JSONValue.utf8Less($0.name, $1.name) }.map(\.json)))
        let u = try dir.write("\(label)-users.jsonl", lines(users.sorted { JSONValue.utf8Less($0.username, $1.username) }.map(\.json)))
        let m = try dir.write(
            "\(label)-memberships.jsonl",
            lines(
                memberships.map { MembershipRecord(group: $0.0, username: $0.1) }
                    .sorted { ($0.group, $0.username) < ($1.group, $1.username) }.map(\.json)))
        return .files([.groups: g, .users: u, .memberships: m])
    }

    static let admins = GroupRecord(name: "admins", description: "All", precedence: 0, roleArn: "arn:aws:iam::1:role/a")
    static let support = GroupRecord(name: "support", description: "Desk", precedence: 10)
    static let beta = GroupRecord(name: "beta", description: "Beta")

    /// The snapshot: six users, three groups, eight memberships.
    static func snapshot(_ dir: TempDir) throws -> DiffInput {
        try side(
            dir, "snap", groups: [admins, support, beta],
            users: [
                user("alice", sub: "s-a"), user("bob", sub: "s-b", enabled: false), user("carol", sub: "s-c"),
                user("dave", sub: "s-d"), user("eve", sub: "s-e"), user("fed", sub: "s-f", status: "EXTERNAL_PROVIDER"),
            ],
            memberships: [
                ("admins", "alice"), ("admins", "carol"), ("beta", "alice"), ("beta", "carol"), ("beta", "dave"), ("beta", "fed"),
                ("support", "alice"), ("support", "eve"),
            ])
    }

    /// The pool after a bad night: beta and carol gone, fed gone, bob's email changed, support's precedence
    /// changed, dave deleted and made again (new sub), eve out of support, alice out of beta.
    static func pool(_ dir: TempDir, carol: UserRecord? = nil, extra: [(String, String)] = []) throws -> DiffInput {
        var support = Self.support
        support.precedence = 99
        return try side(
            dir, "pool", groups: [admins, support],
            users: [
                user("alice", sub: "s-a"), user("bob", sub: "s-b", email: "bob@elsewhere.com", enabled: false),
                user("dave", sub: "x-d"), user("eve", sub: "s-e"),
            ] + (carol.map { [$0] } ?? []),
            memberships: [("admins", "alice"), ("support", "alice")] + extra)
    }

    static func read(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.replacingOccurrences(of: "\u{0}", with: " ") }
    }

    /// The plan's files live in `dir`: keep it for as long as they are read.
    func plan(
        _ dir: TempDir, _ scope: OnlyMissingScope, planned: [String]? = nil, subMap: String? = nil, carol: UserRecord? = nil,
        extra: [(String, String)] = []
    ) throws -> OnlyMissingPlan {
        let work = dir.file("work-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let plannedPath = try planned.map { try dir.write("planned.txt", $0.map { $0 + "\n" }.joined()) }
        var planner = OnlyMissingPlanner(scope: scope, directory: work, planned: plannedPath)
        if let subMap { planner.earlier = try OnlyMissingSubMap.sorted(path: try dir.write("map.jsonl", subMap), directory: work) }
        let p = try planner.plan(
            old: try Self.snapshot(dir), new: try Self.pool(dir, carol: carol, extra: extra))
        return p
    }

    @Test func everythingMissingIsPlannedAndWhatDiffersIsOnlyListed() throws {
        let dir = try TempDir()
        let p = try plan(dir, OnlyMissingScope())
        #expect(p.groups.map(\.name) == ["beta"])
        #expect(p.groups.first == Self.beta)
        #expect(try Self.read(p.usersFile) == ["carol"])
        #expect(p.users == 1)
        #expect(try Self.read(p.restoredMembersFile) == ["carol admins", "carol beta"])
        #expect(p.restoredMemberships == 2)
        #expect(try Self.read(p.existingMembersFile) == ["alice beta", "eve support"])
        #expect(p.existingMemberships == 2)
        #expect(p.taken.first == [.init(username: "dave", snapshotSub: "s-d", poolSub: "x-d")])
        #expect(p.takenMemberships.first == [MembershipRecord(group: "beta", username: "dave")])
        #expect(p.federated.first == ["fed"] && p.federatedMemberships == 1)
        #expect(
            p.differences.first.map(\.text) == [
                "~ group support: precedence 10 -> 99", #"~ user bob: attributes.email "bob@example.com" -> "bob@elsewhere.com""#,
            ])
        #expect(p.leftOut.count == 0)
    }

    @Test func onlyGroupsCreatesTheGroupAndLeavesTheRestForAnotherRun() throws {
        let dir = try TempDir()
        let p = try plan(dir, OnlyMissingScope(kinds: [.groups]))
        #expect(p.groups.map(\.name) == ["beta"])
        #expect(p.users == 0 && p.restoredMemberships == 0 && p.existingMemberships == 0)
        #expect(p.differences.first.map(\.text) == ["~ group support: precedence 10 -> 99"])
        #expect(p.leftOut.first.first == "1 user(s) the pool lacks (--only does not name users)")
        #expect(p.leftOut.count == 5)  // the user and four memberships
    }

    @Test func onlyMembershipsAddsThoseWhoseUserAndGroupArePresent() throws {
        let dir = try TempDir()
        let p = try plan(dir, OnlyMissingScope(kinds: [.memberships]))
        #expect(p.groups.isEmpty && p.users == 0)
        #expect(try Self.read(p.existingMembersFile) == ["eve support"])
        #expect(
            p.leftOut.first.sorted() == [
                "1 group(s) the pool lacks (--only does not name groups)",
                "1 user(s) the pool lacks (--only does not name users)",
                "membership of alice in beta: the pool lacks the group (--only does not name groups)",
                "membership of carol in admins: the pool lacks the user (--only does not name users)",
                "membership of carol in beta: the pool lacks the group (--only does not name groups)",
            ])
    }

    @Test func namedUsersBringTheirMembershipsAndTheGroupsTheyNeed() throws {
        let dir = try TempDir()
        let a = try plan(dir, OnlyMissingScope(users: ["alice"]))
        #expect(a.users == 0)
        #expect(try Self.read(a.existingMembersFile) == ["alice beta"])
        #expect(a.groups.map(\.name) == ["beta"])
        #expect(a.taken.count == 0 && a.federated.count == 0)
        #expect(a.differences.first.map(\.text) == ["~ group support: precedence 10 -> 99"])

        let e = try plan(dir, OnlyMissingScope(users: ["eve"]))
        #expect(e.groups.isEmpty, "eve's group support exists: beta is not hers to bring")
        #expect(try Self.read(e.existingMembersFile) == ["eve support"])

        let c = try plan(dir, OnlyMissingScope(kinds: [.users], users: ["carol"]))
        #expect(try Self.read(c.usersFile) == ["carol"])
        #expect(c.restoredMemberships == 0 && c.groups.isEmpty)
        #expect(c.leftOut.count == 3)
    }

    @Test func onResumeTheUsersAnEarlierRunBeganAreFinishedNotTakenOrListed() throws {
        let dir = try TempDir()
        // The earlier run made carol (new sub) and her admins membership, then died.
        let p = try plan(
            dir,
            OnlyMissingScope(), planned: ["carol"], carol: Self.user("carol", sub: "new-c", status: "FORCE_CHANGE_PASSWORD"),
            extra: [("admins", "carol")])
        #expect(try Self.read(p.usersFile) == ["carol"])
        #expect(p.taken.first.map(\.username) == ["dave"])
        #expect(!p.differences.first.contains { $0.text.contains("carol") })
        #expect(try Self.read(p.restoredMembersFile) == ["carol beta"])
    }

    @Test func aUserAnEarlierUndoReCreatedIsNotTaken() throws {
        let dir = try TempDir()
        // dave's pool sub x-d is the one an earlier undo's sub map gave him: his, carried over, his membership added.
        let ours = try plan(
            dir, OnlyMissingScope(),
            subMap: #"{"newSub":"n-z","oldSub":"s-z","username":"zed"}"# + "\n" + #"{"newSub":"x-d","oldSub":"s-d","username":"dave"}"#
                + "\n")
        #expect(ours.taken.count == 0 && ours.carried == 1)
        #expect(try Self.read(ours.carriedFile) == [#"{"newSub":"x-d","oldSub":"s-d","username":"dave"}"#])
        #expect(try Self.read(ours.existingMembersFile) == ["alice beta", "dave beta", "eve support"])
        #expect(!ours.differences.first.contains { $0.text.contains("dave") })
        // Carried whatever the scope, so a narrowed run's map still lists every user the undo re-created.
        let narrowed = try plan(
            dir, OnlyMissingScope(kinds: [.groups], users: ["alice"]), subMap: #"{"newSub":"x-d","oldSub":"s-d","username":"dave"}"# + "\n")
        #expect(narrowed.carried == 1 && narrowed.taken.count == 0)
        // Another sub in the map: taken after all.
        let theirs = try plan(dir, OnlyMissingScope(), subMap: #"{"newSub":"other","oldSub":"s-d","username":"dave"}"# + "\n")
        #expect(theirs.taken.first.map(\.username) == ["dave"] && theirs.carried == 0)
        // A damaged map is an error naming it and the line.
        #expect(throws: SnapError.self) { try plan(dir, OnlyMissingScope(), subMap: "{\"username\":\"dave\"}\n") }
    }

    @Test func aUserAnEarlierUndoReCreatedUnderAPoolMadeUsernameIsFoundByItsNewSub() throws {
        // A pool that signs in by email: the earlier undo's re-created users got usernames of the pool's making.
        let dir = try TempDir()
        let work = dir.file("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let snapshot = try Self.side(
            dir, "snap", groups: [Self.admins, Self.beta],
            users: [Self.user("a1", sub: "s-1"), Self.user("a2", sub: "s-2"), Self.user("a3", sub: "s-3")],
            memberships: [("admins", "a1"), ("admins", "a3"), ("beta", "a2")])
        var z1 = Self.user("z1", sub: "n-1", email: "new@example.com")
        z1.attributes["email_verified"] = "true"
        let pool = try Self.side(
            dir, "pool", groups: [Self.admins, Self.beta],
            users: [Self.user("a3", sub: "s-3"), z1, Self.user("z2", sub: "other")], memberships: [("admins", "a3")])
        let map =
            #"{"newSub":"n-1","oldSub":"s-1","targetUsername":"z1","username":"a1"}"# + "\n"
            + #"{"newSub":"n-2","oldSub":"s-2","targetUsername":"z2","username":"a2"}"# + "\n"
        var planner = OnlyMissingPlanner(scope: OnlyMissingScope(), directory: work, planned: nil)
        planner.earlier = try OnlyMissingSubMap.sorted(path: try dir.write("map.jsonl", map), directory: work)
        planner.liveUsers = dir.file("pool-users.jsonl")
        let p = try planner.plan(old: snapshot, new: pool)
        // a1 is z1 (the sub the map gave it): carried, its difference listed, its membership added to z1.
        #expect(p.carried == 1)
        #expect(try Self.read(p.carriedFile) == [#"{"newSub":"n-1","oldSub":"s-1","targetUsername":"z1","username":"a1"}"#])
        #expect(p.differences.first.map(\.text) == [#"~ user a1: attributes.email "a1@example.com" -> "new@example.com""#])
        #expect(try Self.read(p.existingMembersFile) == ["z1 admins"])
        // a2's z2 has another sub: a2 is missing, re-created with its membership.
        #expect(try Self.read(p.usersFile) == ["a2"])
        #expect(try Self.read(p.restoredMembersFile) == ["a2 beta"])
        #expect(p.taken.count == 0)
    }

    @Test func usersFromFilesAreOneUsernameALine() throws {
        #expect(try OnlyMissingScope.usernames(text: "alice\nbob\n", file: "f") == ["alice", "bob"])
        #expect(try OnlyMissingScope.usernames(text: "alice\nbob", file: "f") == ["alice", "bob"])
        for (text, message) in [
            ("alice\n\nbob\n", "--users-from f line 2: empty line"),
            ("alice\nbob smith\n", "--users-from f line 2: \"bob smith\" holds white space"),
            ("alice\r\n", "--users-from f line 1:"),
            ("", "--users-from f: the file is empty"),
        ] {
            #expect(throws: SnapError.self) { try OnlyMissingScope.usernames(text: text, file: "f") }
            do {
                _ = try OnlyMissingScope.usernames(text: text, file: "f")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
        #expect(throws: SnapError.self) { try OnlyMissingScope.usernames(fromFile: "/nonexistent/users.txt") }
    }

    @Test func pathsDoNotCollideWithAFullRestore() {
        let full = RestorePaths(snapshot: "ID", target: "eu-west-1_X", subMap: nil, cwd: "/w")
        let only = OnlyMissingPaths(snapshot: "ID", target: "eu-west-1_X", subMap: nil, cwd: "/w")
        #expect(only.journal == "/w/restore-ID-eu-west-1_X.only-missing.journal.jsonl")
        #expect(only.subMap == "/w/restore-ID-eu-west-1_X.only-missing.submap.jsonl")
        #expect(Set([only.journal, only.subMap, only.users]).isDisjoint(with: [full.journal, full.subMap]))
    }
}
