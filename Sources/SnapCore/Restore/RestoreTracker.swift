/// Counts and failures as the run goes.
actor RestoreTracker {
    enum Result {
        case written, existing
        /// nil: a consequence of another failure, already reported.
        case failed(String?)
    }

    private var out = RestoreOutcome()
    private var failedGroups: Set<String> = []
    private let progress: (@Sendable (RestoreProgress) -> Void)?
    private var lastReport = ContinuousClock.now

    init(progress: (@Sendable (RestoreProgress) -> Void)?) { self.progress = progress }

    func plan(_ p: RestorePlan) {
        out.groups.planned = p.groups.count
        out.users.planned = p.userCount
        out.passwords.planned = p.passwords
        out.disabled.planned = p.disables
        out.memberships.planned = p.membershipCount
        out.mfa.planned = p.mfa.apply
        out.links.planned = p.links
    }

    private func count(_ kind: WritableKeyPath<RestoreOutcome, RestoreOutcome.Count>, _ r: Result) {
        switch r {
        case .written: out[keyPath: kind].written += 1
        case .existing: out[keyPath: kind].existing += 1
        case .failed(let why):
            out[keyPath: kind].failed += 1
            if let why {
                out.failureCount += 1
                if out.failures.count < RestoreOutcome.shownFailures { out.failures.append(why) }
            }
        }
        report()
    }

    func group(_ name: String, _ r: Result) {
        if case .failed = r { failedGroups.insert(name) }
        count(\.groups, r)
    }
    func groupFailed(_ name: String) -> Bool { failedGroups.contains(name) }
    func user(_ r: Result) { count(\.users, r) }
    func password(_ r: Result) { count(\.passwords, r) }
    func disabled(_ r: Result) { count(\.disabled, r) }
    func membership(_ r: Result) { count(\.memberships, r) }
    func mfa(_ r: Result) { count(\.mfa, r) }
    func link(_ r: Result) { count(\.links, r) }
    func pendingLink(_ p: RestoreOutcome.PendingLink) {
        out.pendingLinkCount += 1
        if out.pendingLinks.count < RestoreOutcome.shownFailures { out.pendingLinks.append(p) }
    }
    func mustEnrolTotp(_ username: String, file: String) {
        out.totpCount += 1
        out.totpFile = file
        if out.totpUsers.count < RestoreOutcome.shownTotp { out.totpUsers.append(username) }
    }

    private func report() {
        guard let progress else { return }
        let now = ContinuousClock.now
        guard now - lastReport >= .milliseconds(200) else { return }
        lastReport = now
        progress(
            RestoreProgress(
                groups: out.groups.done, users: out.users.done, passwords: out.passwords.done, disabled: out.disabled.done,
                memberships: out.memberships.done, failures: out.failureCount, mfa: out.mfa.done, links: out.links.done))
    }

    /// Users an import CSV carries end RESET_REQUIRED: no password to set.
    func imported(_ carried: Int) {
        out.passwords.planned -= carried
        out.importCarried = carried
    }
    func jobs(_ results: [ImportRunner.Result]) {
        for r in results {
            out.importJobs.append(
                RestoreOutcome.Job(
                    index: r.chunk.index, jobId: r.job?.jobId, status: r.job?.status ?? "done earlier", users: r.chunk.users,
                    imported: r.job?.imported, failed: r.job.map { $0.failed + $0.skipped }))
        }
    }
    /// A user the import job failed or skipped, created through the API instead.
    func fallback(_ username: String, password: Bool) {
        if password { out.passwords.planned += 1 }
        out.fallbackCount += 1
        if out.fallbacks.count < RestoreOutcome.shownFailures { out.fallbacks.append(username) }
    }

    /// An imported user one of whose values Cognito trimmed of leading or trailing white space.
    func trimmed(_ username: String) {
        out.trimmedCount += 1
        if out.trimmed.count < RestoreOutcome.shownFailures { out.trimmed.append(username) }
    }

    func outcome() -> RestoreOutcome { out }
}
