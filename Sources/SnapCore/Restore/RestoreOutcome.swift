public struct RestoreProgress: Sendable {
    public var groups = 0, users = 0, passwords = 0, disabled = 0, memberships = 0, failures = 0, mfa = 0, links = 0
}

public struct RestoreOutcome: Sendable {
    public struct Count: Sendable, Equatable {
        /// In the snapshot and meant to be restored.
        public var planned = 0
        /// Written by this run.
        public var written = 0
        /// Found already in the pool (an earlier, interrupted run) and checked.
        public var existing = 0
        public var failed = 0
        public var done: Int { written + existing }
    }

    public var groups = Count()
    public var users = Count()
    public var passwords = Count()
    public var disabled = Count()
    public var memberships = Count()
    /// Users whose SMS / email MFA preferences are set (AdminSetUserMFAPreference).
    public var mfa = Count()
    /// Linked identities linked again (AdminLinkProviderForUser), found linked, or failed.
    public var links = Count()
    /// Links not made because the target lacks their provider: not failures (the restore is whole without
    /// them), but listed, each with the command that makes it (the first `shownFailures`; `pendingLinkCount` all).
    public var pendingLinks: [PendingLink] = []
    public var pendingLinkCount = 0

    public struct PendingLink: Sendable, Equatable {
        public var username: String
        public var provider: String
        public var reason: String
        public var command: String
    }
    /// Users that had a software token (TOTP) and must enrol again: the first `shownTotp`, the count,
    /// and the file listing them all (next to the sub map).
    public var totpUsers: [String] = []
    public var totpCount = 0
    public var totpFile: String?
    static let shownTotp = 100
    /// The first `shownFailures` failures; `failureCount` counts them all.
    public var failures: [String] = []
    public var failureCount = 0
    static let shownFailures = 1000

    public struct Job: Sendable, Equatable {
        public var index: Int
        public var jobId: String?
        public var status: String
        public var users: Int
        public var imported: Int?
        public var failed: Int?
    }

    /// `--method import-job`: the jobs, the users the CSV carried, and those the
    /// jobs failed or skipped that went through the API instead (first names and count).
    public var importJobs: [Job] = []
    public var importCarried = 0
    public var fallbacks: [String] = []
    public var fallbackCount = 0
    /// Imported users with a value Cognito trimmed (leading or trailing white space): first names and count.
    public var trimmed: [String] = []
    public var trimmedCount = 0

    /// Every planned group, user (with its password and state) and membership is in the pool.
    public var complete: Bool {
        failureCount == 0 && [groups, users, passwords, disabled, memberships, mfa, links].allSatisfy { $0.done == $0.planned }
    }
}
