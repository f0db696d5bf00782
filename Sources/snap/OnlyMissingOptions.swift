import ArgumentParser
import SnapCore

extension OnlyMissingScope.Kind: ExpressibleByArgument {}

/// `snap restore --only-missing` and what narrows it.
struct OnlyMissingOptions: ParsableArguments {
    @Flag(
        help:
            "Undo in a live pool: re-create only the groups, users and memberships the snapshot has and the pool (--user-pool-id) lacks; change and delete nothing (see below)."
    )
    var onlyMissing = false

    @Option(
        help: ArgumentHelp("With --only-missing: re-create only this kind, users, groups or memberships (repeatable).", valueName: "KIND"))
    var only: [OnlyMissingScope.Kind] = []

    @Option(
        name: .customLong("user"),
        help: ArgumentHelp(
            "With --only-missing: just this user, its memberships and the missing groups they need (repeatable).", valueName: "NAME"))
    var users: [String] = []

    @Option(help: ArgumentHelp("With --only-missing: the users of --user, one username per line.", valueName: "FILE"))
    var usersFrom: String?

    func validate(createPool: String?, method: RestoreMethod?) throws {
        if !onlyMissing {
            var given: [String] = []
            if !only.isEmpty { given.append("--only") }
            if !users.isEmpty { given.append("--user") }
            if usersFrom != nil { given.append("--users-from") }
            guard given.isEmpty else {
                throw ValidationError(
                    "\(given.joined(separator: ", ")) narrow an undo in a live pool: add --only-missing (a full restore brings back everything)"
                )
            }
            return
        }
        if createPool != nil {
            throw ValidationError(
                "--only-missing re-creates what a live pool lacks; --create-pool makes a new, empty pool: drop --only-missing for a full restore into a new pool, or give the live pool with --user-pool-id"
            )
        }
        if method == .importJob {
            throw ValidationError(
                "--only-missing writes through the API: import jobs are for empty pools (a full restore); drop --method import-job")
        }
        if let usersFrom {
            do {
                _ = try OnlyMissingScope.usernames(fromFile: usersFrom)
            } catch let e as SnapError {
                throw ValidationError(e.description)
            }
        }
    }

    /// The scope; --users-from is read again here (validate proved it reads).
    func scope() throws -> OnlyMissingScope {
        var named = users
        if let usersFrom { named += try OnlyMissingScope.usernames(fromFile: usersFrom) }
        return OnlyMissingScope(kinds: Set(only), users: named.isEmpty ? nil : Set(named))
    }
}

extension Restore {
    static let onlyMissingHelp = """
        --only-missing, to undo a bad night: --user-pool-id names the LIVE pool (usually the snapshot's own). \
        It is read as `snap diff REF pool:LIVE` reads it and joined with the snapshot the same way; only what the \
        snapshot has and the pool lacks is re-created: groups (description, precedence, role ARN), users (as \
        above: attributes, verification flags, password state, disabled, MFA preferences), memberships, those of users the pool \
        still holds included. Nothing the pool holds is changed or deleted: users and groups that differ are \
        listed, not touched. A username the pool holds for a different user (another sub) is listed as taken: \
        that user and its memberships are not restored. Re-created users get new subs, listed in the sub map \
        (restore-<ID>-<POOL>.only-missing.submap.jsonl or --sub-map); the journal, \
        restore-<ID>-<POOL>.only-missing.journal.jsonl, is apart from a full restore's, and --resume finishes \
        a run that was interrupted (until it does, a run without --resume is refused). Keep the same --sub-map from one run to the next: users an earlier undo \
        re-created are known by the new subs it lists, not taken for strangers. The full restore's checks run, \
        but for the empty pool. A user to re-create whose sign-in value a pool user holds (its email or phone \
        in a pool that signs in by one, held with other attributes; an active alias another user holds) is \
        listed as held: the run fails it. --dry-run prints \
        what would be created and what differs, and exits 1 when the run would (a username taken, a sign-in \
        value held). --only users|groups|memberships (repeatable) narrows it; --user NAME \
        (repeatable) or --users-from FILE (one username per line) restores just those users, their \
        memberships, and the missing groups those memberships need; a named user the snapshot lacks is an error \
        before any write. After the writes the pool is read and joined with the snapshot again: anything in \
        scope still missing (removed meanwhile by another writer, or lost) is named, and the run exits 1. \
        Exit 0 when everything in scope the pool lacked is now in it (listed differences do \
        not count); 1 when a check or a write failed, the read-back found something missing, or a username or sign-in value is held by a different \
        user (the snapshot's user is not back: delete or rename the pool's user and run again, or accept it); 64 with \
        --create-pool or --method import-job (import jobs are for empty pools).
        """
}
