import AWS

/// What `snap restore --only-missing` found by joining the snapshot with the
/// live pool (`OnlyMissingPlanner`): what it re-creates, and what it lists
/// and leaves alone. Lists are capped at `shown` entries, each with its full
/// count; the per-user work is in sorted files, never in memory.
public struct OnlyMissingPlan: Sendable {
    /// A username the pool holds for a different user (another `sub`): the snapshot's user is not restored.
    public struct Taken: Sendable, Equatable {
        public var username: String
        public var snapshotSub: String
        public var poolSub: String
    }

    /// A user to re-create whose sign-in value a user of the pool holds (`OnlyMissingConflicts`): its
    /// email or phone in a pool that signs in by one, held with other attributes, or an alias another
    /// user holds. AdminCreateUser is refused, and the run fails that user.
    public struct Conflict: Sendable, Equatable {
        public var username: String
        /// The value both want.
        public var value: String
        /// The pool's user that holds it.
        public var holder: String
        /// The alias attribute the value is (email, phone_number, preferred_username; "username": the
        /// username itself, in a case-insensitive pool); nil: the sign-in username.
        public var alias: String?
        /// Sign-in only: the attributes the snapshot gives the user that the holder lacks or holds otherwise.
        public var differing: [String]
    }

    /// Capped list and full count.
    public struct Tally<T: Sendable & Equatable>: Sendable, Equatable {
        public var first: [T] = []
        public var count = 0
        mutating func add(_ item: T, keep: Int = OnlyMissingPlan.shown) {
            count += 1
            if first.count < keep { first.append(item) }
        }
    }

    public static let shown = 1000

    /// Groups the snapshot has and the pool lacks, to create (in scope).
    public var groups: [GroupRecord] = []
    /// Usernames to re-create, sorted, one a line (the users the pool lacks, and on `--resume`
    /// those an earlier run set out to re-create).
    public var usersFile = ""
    public var users = 0
    /// `username NUL group` lines, sorted: memberships of the users re-created (joined to them by the executor).
    public var restoredMembersFile = ""
    public var restoredMemberships = 0
    /// `username NUL group` lines, sorted: memberships the pool lacks of users it holds.
    public var existingMembersFile = ""
    public var existingMemberships = 0
    /// `poolUsername NUL group` lines: the part of those that belongs to users an earlier undo re-created under
    /// the pool's own username (their memberships are sent on every run, unjoined with the pool's).
    public var renamedMembersFile = ""
    public var renamedMemberships = 0

    /// Sub map lines of users earlier undos re-created (the pool holds them with those new subs), carried into this run's map.
    public var carriedFile = ""
    public var carried = 0

    /// Users and groups on both sides that differ (the diff's changes, `snap diff` form): listed, not touched.
    public var differences = Tally<DiffChange>()
    public var taken = Tally<Taken>()
    /// Users to re-create whose sign-in value another user of the pool holds (`OnlyMissingConflicts`).
    public var conflicts = Tally<Conflict>()
    /// Memberships of taken usernames: not added, since the pool's user is someone else.
    public var takenMemberships = Tally<MembershipRecord>()
    /// Federated users the pool lacks: the admin API cannot create them (as in a full restore).
    public var federated = Tally<String>()
    public var federatedMemberships = 0
    /// What the pool lacks that `--only` leaves for another run, with why.
    public var leftOut = Tally<String>()
    /// `--user` / `--users-from` names the snapshot does not have.
    public var unknownUsers: [String] = []

    /// Users the run will not bring back: usernames taken by, and sign-in values held by, other users.
    public var blocked: Int { taken.count + conflicts.count }

    /// Nothing to write.
    public var isEmpty: Bool { groups.isEmpty && users == 0 && existingMemberships == 0 }
}
