import ArgumentParser
import Foundation

@main
struct Snap: AsyncParsableCommand {
    static let version = "0.1.0"

    /// What `snap --version` prints and manifests and notifications carry as `tool`:
    /// "snap VERSION (COMMIT, CONFIGURATION)". The commit comes from the BuildInfo plugin.
    static let versionText: String = {
        #if DEBUG
            let configuration = "debug"
        #else
            let configuration = "release"
        #endif
        return "snap \(version) (\(buildCommit), \(configuration))"
    }()

    static let configuration = CommandConfiguration(
        commandName: "snap",
        abstract: "Point-in-time snapshots of Amazon Cognito user pools.",
        discussion: """
            snap exports a user pool's users, groups, memberships and configuration into a \
            versioned, zstd-compressed JSON-Lines archive and keeps it in a store: a local \
            folder (default ./snapshots) or S3.

            A snapshot is named by ID, unique prefix, latest, latest~N, or by time: --at TIME or \
            @TIME (the newest at or before TIME). -v and -vv log to stderr (--log-format json for \
            one JSON object per line); create, prune, sync and restore publish a summary with \
            --notify sns:TOPIC_ARN; snap check --max-age 26h alerts on a missed night.

            Exit codes: 0 success, 1 failure, 3 partial (create: some stores written; list, \
            verify, sync, prune: some stores could not be read), 4 lock held by a live owner, \
            64 usage error, 130/143 interrupted by SIGINT/SIGTERM (temporary files removed, \
            uploads aborted, lock released), 141 the reader of stdout went away (e.g. | head); \
            snap check: 0 ok, 1 stale or missing, 3 a store could not be read.
            """,
        version: versionText,
        subcommands: [
            Create.self, List.self, Show.self, Cat.self, Diff.self, LogCommand.self, Prune.self, Verify.self, Sync.self, Restore.self,
            Check.self, KeyCommand.self,
        ])
}
