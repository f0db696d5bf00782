import Foundation

/// What `snap restore --only-missing` may re-create: which kinds of record
/// (`--only`, all three when none is named) and, with `--user` /
/// `--users-from`, which users. Named users are held in memory: the bound is
/// the list the operator wrote, not the pool.
public struct OnlyMissingScope: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case users, groups, memberships
    }

    public var kinds: Set<Kind>
    /// nil: every user of the snapshot; else just these (and their memberships, and the
    /// missing groups those memberships need).
    public var users: Set<String>?

    public init(kinds: Set<Kind> = [], users: Set<String>? = nil) {
        self.kinds = kinds.isEmpty ? Set(Kind.allCases) : kinds
        self.users = users
    }

    public func includes(_ kind: Kind) -> Bool { kinds.contains(kind) }

    /// Whether `username` is one of the users this run is about.
    public func covers(_ username: String) -> Bool { users?.contains(username) ?? true }

    /// The usernames of a `--users-from` file: one per line, as Cognito spells them. A line
    /// that is empty or holds white space or control characters is an error naming the file
    /// and line (a username has none; a stray space would name nobody). The final newline is optional.
    public static func usernames(fromFile path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SnapError.configuration(
                "--users-from \(path): cannot read the file (does it exist?); give a file with one username per line")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SnapError.configuration("--users-from \(path): not UTF-8 text; give a file with one username per line")
        }
        return try usernames(text: text, file: path)
    }

    static func usernames(text: String, file: String) throws -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else {
            throw SnapError.configuration("--users-from \(file): the file is empty; give one username per line")
        }
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            if line.isEmpty {
                throw SnapError.configuration(
                    "--users-from \(file) line \(i + 1): empty line; give one username per line, no blank lines")
            }
            if line.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
                throw SnapError.configuration(
                    "--users-from \(file) line \(i + 1): \"\(line.prefix(80))\" holds white space or a control character, which no username has; one username per line, nothing else"
                )
            }
            out.append(String(line))
        }
        return out
    }
}
