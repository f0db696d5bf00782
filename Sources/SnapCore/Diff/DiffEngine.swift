import AWS
import Foundation

/// Compares two snapshots member by member with merge-joins over their
/// sorted JSON-Lines files, so changes come out in the records' sort order
/// and memory does not grow with the pool. `created` and `modified` are
/// never compared; `ignore` leaves out more fields (`attributes.sub`, `status`).
///
/// With `configuration`, the pool's configuration (`ConfigurationDiff`) is
/// compared too, once both sides were read to their ends: its members are
/// small and kept whole as they pass (pool.json opens an archive,
/// config.json closes it), and its changes are emitted last, with
/// `summary.config` set. `VerifiedDiff` delivers them first.
public struct DiffEngine: Sendable {
    public let ignore: Set<String>
    public let configuration: ConfigurationDiff?

    public init(ignore: Set<String> = [], configuration: ConfigurationDiff? = nil) {
        self.ignore = ignore
        self.configuration = configuration
    }

    /// `old` and `new` map users, groups and memberships to their files.
    @discardableResult
    public func diff(old: [Member: String], new: [Member: String], emit: (DiffChange) throws -> Void = { _ in }) throws -> ChangeSummary {
        try diff(old: .files(old), new: .files(new), emit: emit)
    }

    @discardableResult
    public func diff(old: DiffInput, new: DiffInput, emit: (DiffChange) throws -> Void = { _ in }) throws -> ChangeSummary {
        try diff(old: try old.open(), new: try new.open(), emit: emit)
    }

    /// The join over two opened sides; returns after both were read to their
    /// ends (`DiffReader.finish`), so a verifying side has been proven.
    func diff(old: DiffReader, new: DiffReader, emit: (DiffChange) throws -> Void) throws -> ChangeSummary {
        var summary = ChangeSummary()
        try join(.groups, old, new) { a, b in
            switch (a, b) {
            case (nil, let r?): summary.groups.added += 1; try emit(.groupAdded(r))
            case (let r?, nil): summary.groups.removed += 1; try emit(.groupRemoved(r))
            case (let x?, let y?):
                let f = RecordFields.group(x, y, ignore: ignore)
                if !f.isEmpty { summary.groups.changed += 1; try emit(.groupChanged(group: y["name"]?.stringValue ?? "", f)) }
            default: break
            }
        }
        try join(.users, old, new) { a, b in
            switch (a, b) {
            case (nil, let r?): summary.users.added += 1; try emit(.userAdded(r))
            case (let r?, nil): summary.users.removed += 1; try emit(.userRemoved(r))
            case (let x?, let y?):
                let f = RecordFields.user(x, y, ignore: ignore)
                if !f.isEmpty { summary.users.changed += 1; try emit(.userChanged(username: y["username"]?.stringValue ?? "", f)) }
            default: break
            }
        }
        try join(.memberships, old, new) { a, b in
            switch (a, b) {
            case (nil, let r?):
                summary.memberships.added += 1
                try emit(.membershipAdded(group: r["group"]?.stringValue ?? "", username: r["username"]?.stringValue ?? ""))
            case (let r?, nil):
                summary.memberships.removed += 1
                try emit(.membershipRemoved(group: r["group"]?.stringValue ?? "", username: r["username"]?.stringValue ?? ""))
            default: break
            }
        }
        try old.finish()
        try new.finish()
        if let configuration {
            let changes = configuration.compare(old: try old.configuration(), new: try new.configuration())
            summary.config = changes.count
            for change in changes { try emit(.configuration(change)) }
        }
        return summary
    }

    /// Walks two sorted files of one member in step, calling `body` with the
    /// old and new record of each key (nil on the side where it is absent).
    /// Two lines with the same bytes are the same record with the same key,
    /// whoever wrote them, so they are passed over without a key or a parse.
    /// Only where the lines differ are keys taken (`JSONLineScanner`) and the
    /// records parsed: for snap's canonical JSON exactly the changed records;
    /// other writers' lines with equal values compare equal by value.
    private func join(_ member: Member, _ old: DiffReader, _ new: DiffReader, _ body: (JSONValue?, JSONValue?) throws -> Void) throws {
        let left = try old.lines(member), right = try new.lines(member)
        guard var a = left, var b = right else {
            // Nothing to compare with; a side being verified still has every line checked.
            if var only = left ?? right, only.verifying { while try only.advance() {} }
            return
        }
        var x = try a.advance()
        var y = try b.advance()
        while x || y {
            if x && y && MemberLines.sameLine(a, b) {
                // One check serves both sides of a verified diff: the side
                // holding a key already (or the one not verified) lends it.
                if a.verifying || b.verifying {
                    if b.hasKey || (b.verifying && !a.verifying) {
                        try b.takeKey()
                        try a.adopt(keyOf: b)
                    } else {
                        try a.takeKey()
                        try b.adopt(keyOf: a)
                    }
                }
                x = try a.advance()
                y = try b.advance()
                continue
            }
            if x { try a.takeKey() }
            if y { try b.takeKey() }
            let order = x && y ? MemberLines.compareKeys(a, b) : (x ? -1 : 1)
            if order == 0 {
                try body(try a.parse(), try b.parse())
                x = try a.advance()
                y = try b.advance()
            } else if order < 0 {
                try body(try a.parse(), nil)
                x = try a.advance()
            } else {
                try body(nil, try b.parse())
                y = try b.advance()
            }
        }
    }
}
