import SnapCore

/// What a full restore and an `--only-missing` run both report when they
/// end: the failures (on stderr, the first 50) and one line of counts.
enum RestoreReport {
    static let shownFailures = 50

    static func failures(_ o: RestoreOutcome) {
        for f in o.failures.prefix(shownFailures) { Output.error(f) }
        if o.failureCount > shownFailures { Output.error("... and \(o.failureCount - shownFailures) more failures (see --json)") }
    }

    /// `groups: 3/3; users: 200/200 (2 already there); ...`; MFA preferences have their own line (`MFAReport`).
    static func counts(_ o: RestoreOutcome) -> String {
        func line(_ kind: String, _ c: RestoreOutcome.Count) -> String {
            "\(kind): \(c.done)/\(c.planned)" + (c.existing > 0 ? " (\(c.existing) already there)" : "")
                + (c.failed > 0 ? ", \(c.failed) failed" : "")
        }
        return [
            line("groups", o.groups), line("users", o.users), line("passwords", o.passwords), line("disabled", o.disabled),
            line("memberships", o.memberships),
        ].joined(separator: "; ")
    }
}
