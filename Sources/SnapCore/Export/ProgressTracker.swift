import AWS

/// Tallies progress and export events from concurrent tasks, and reads the
/// pacer for the UserList pace and whether Cognito is throttling.
actor ProgressTracker {
    private var state = ExportProgress()
    private var shards = 0
    private var shardRestarts = 0
    private var groupRestarts = 0
    private var estimatedUsers = 0
    /// ListUsers pages read and the users they held: the observed users per page.
    private var userPages = 0
    private var pageUsers = 0
    private let report: (@Sendable (ExportProgress) -> Void)?
    private let pacer: QuotaPacer?

    init(report: (@Sendable (ExportProgress) -> Void)?, pacer: QuotaPacer?) {
        self.report = report
        self.pacer = pacer
    }

    func planned(shards n: Int, estimatedUsers: Int = 0) {
        shards = n
        state.shards = n
        self.estimatedUsers = estimatedUsers
    }

    /// One ListUsers page of `n` users: counted, and the users-per-page and ETA follow what pages really hold.
    func listedUsers(_ n: Int) async {
        userPages += 1
        pageUsers += n
        state.usersPerPage = Double(pageUsers) / Double(userPages)
        await add(users: n)
    }

    /// Seconds the listing should still take: the users DescribeUserPool estimates and not yet listed, at the users
    /// per page observed so far and `pace` pages a second; nil before a page or a pace is known. A pool's pages may
    /// hold fewer than Limit users without being the last, so 60 a page is never assumed.
    static func eta(estimatedUsers: Int, listedUsers: Int, userPages: Int, pageUsers: Int, pace: Double) -> Double? {
        guard userPages > 0, pageUsers > 0, pace > 0 else { return nil }
        let perPage = Double(pageUsers) / Double(userPages)
        return Double(max(0, estimatedUsers - listedUsers)) / perPage / pace
    }

    func restarted(group: Bool) {
        if group { groupRestarts += 1 } else { shardRestarts += 1 }
        state.restarts += 1
    }

    func add(users: Int = 0, groups: Int = 0, memberships: Int = 0) async {
        state.users += users
        state.groups += groups
        state.memberships += memberships
        state.requests += 1
        if let pacer {
            let s = await pacer.snapshot(of: .userList)
            state.pace = s.rate
            state.throttled = s.throttledRecently
        }
        state.etaSeconds = Self.eta(
            estimatedUsers: estimatedUsers, listedUsers: state.users, userPages: userPages, pageUsers: pageUsers, pace: state.pace)
        report?(state)
    }

    /// The progress now (for tests and a final report).
    func current() -> ExportProgress { state }

    /// One user's MFA settings read (`--with-mfa`); reported every 50 users, with the UserRead pace.
    func fetchedMFA() async {
        state.mfaUsers += 1
        state.requests += 1
        guard state.mfaUsers % 50 == 0 else { return }
        if let pacer {
            let s = await pacer.snapshot(of: .userRead)
            state.mfaPace = s.rate
            state.throttled = s.throttledRecently
        }
        report?(state)
    }

    func stats() async -> Manifest.Stats {
        var s = Manifest.Stats()
        s.userShards = shards
        s.shardRestarts = shardRestarts
        s.groupRestarts = groupRestarts
        if let pacer {
            for c in QuotaCategory.allCases {
                let p = await pacer.snapshot(of: c)
                s.requests += p.requests
                s.throttled += p.throttled
                s.rateCuts += p.cuts
            }
            s.lowestUserListRate = ((await pacer.snapshot(of: .userList).lowestRate) * 100).rounded() / 100
        } else {
            s.requests = state.requests
        }
        return s
    }
}
