import AWS
import Foundation

/// Counts added, removed and changed records between two sorted JSON-Lines
/// files of the same member, by a merge-join: memory does not grow with the
/// pool. `created` and `modified` are never compared.
public enum ChangeCounter {
    public static func count(member: Member, old: String, new: String) throws -> ChangeSummary.Tally {
        var tally = ChangeSummary.Tally()
        var a = try Cursor(path: old, member: member)
        var b = try Cursor(path: new, member: member)
        var x = try a.next()
        var y = try b.next()
        while x != nil || y != nil {
            switch (x, y) {
            case let (l?, r?) where l.key == r.key:
                if comparable(l.value) != comparable(r.value) { tally.changed += 1 }
                x = try a.next()
                y = try b.next()
            case let (l?, r?) where l.key.lexicographicallyPrecedes(r.key):
                tally.removed += 1
                x = try a.next()
            case (_?, nil):
                tally.removed += 1
                x = try a.next()
            default:
                tally.added += 1
                y = try b.next()
            }
        }
        return tally
    }

    public static func summary(old: [Member: String], new: [Member: String]) throws -> ChangeSummary {
        var s = ChangeSummary()
        for (member, keyPath) in [(Member.users, \ChangeSummary.users), (.groups, \.groups), (.memberships, \.memberships)] {
            guard let o = old[member], let n = new[member] else { continue }
            s[keyPath: keyPath] = try count(member: member, old: o, new: n)
        }
        return s
    }

    static func comparable(_ v: JSONValue) -> JSONValue {
        guard var o = v.objectValue else { return v }
        o["created"] = nil
        o["modified"] = nil
        return .object(o)
    }

    struct Cursor {
        var lines: LineReader
        let member: Member
        let path: String

        init(path: String, member: Member) throws {
            guard let h = FileHandle(forReadingAtPath: path) else { throw SnapError.io(path: path, reason: "cannot open") }
            lines = LineReader { try h.read(upToCount: 1 << 16) }
            self.member = member
            self.path = path
        }

        mutating func next() throws -> (key: [UInt8], value: JSONValue)? {
            guard let line = try lines.next() else { return nil }
            let value: JSONValue
            do { value = try JSONParser.parse(line) } catch {
                throw SnapError.malformedLine(source: path, member: member.rawValue, line: lines.lineNumber, reason: "\(error)")
            }
            return (try MemberCheck.sortKey(member, value, source: path, line: lines.lineNumber), value)
        }
    }
}
