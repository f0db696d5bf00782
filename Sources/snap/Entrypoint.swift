import ArgumentParser
import Foundation

@main
struct Snap: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "snap",
        abstract: "Point-in-time snapshots of Amazon Cognito user pools.",
        discussion: """
            snap exports a user pool's users, groups, memberships and configuration into a \
            versioned, zstd-compressed JSON-Lines archive and keeps it in a store: a local \
            folder (default ./snapshots) or S3.

            Exit codes: 0 success, 1 failure, 3 partial (some stores written), 4 lock held \
            by a live owner, 64 usage error.
            """,
        version: version,
        subcommands: [Create.self, List.self, Show.self, Cat.self, Diff.self, Prune.self, Verify.self, Sync.self, Restore.self, Check.self])
}
