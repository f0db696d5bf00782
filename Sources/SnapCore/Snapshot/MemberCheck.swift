import AWS
import Crypto
import Foundation

/// Checks one member while it streams past: its SHA-256 and size, and for
/// JSON-Lines members that every line is JSON and the records are sorted.
struct MemberCheck {
    let member: Member
    let source: String
    private var hasher = SHA256()
    private(set) var bytes: Int64 = 0
    private(set) var records = 0
    private var previousKey: [UInt8]?

    init(member: Member, source: String) {
        self.member = member
        self.source = source
    }

    mutating func consume(raw chunk: Data) {
        hasher.update(data: chunk)
        bytes += Int64(chunk.count)
    }

    /// One line of a JSON-Lines member (without its newline).
    mutating func check(line: Data, number: Int) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw SnapError.malformedLine(source: source, member: member.rawValue, line: number, reason: "\(error)")
        }
        let key = try Self.sortKey(member, value, source: source, line: number)
        if let previousKey, !previousKey.lexicographicallyPrecedes(key) {
            throw SnapError.unsorted(source: source, member: member.rawValue, line: number)
        }
        previousKey = key
        records += 1
        return value
    }

    mutating func checkDocument(_ data: Data) throws {
        do {
            _ = try JSONParser.parse(data)
        } catch {
            throw SnapError.malformedLine(source: source, member: member.rawValue, line: 1, reason: "\(error)")
        }
        records = 1
    }

    /// Compares what was read with what the manifest promised.
    func finish(expected: Manifest.FileInfo) throws {
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        if digest != expected.sha256 {
            throw SnapError.damaged(
                source: source, member: member.rawValue, reason: "sha256 is \(digest), the manifest says \(expected.sha256)")
        }
        if bytes != expected.bytes {
            throw SnapError.damaged(source: source, member: member.rawValue, reason: "\(bytes) bytes, the manifest says \(expected.bytes)")
        }
        if records != expected.records {
            throw SnapError.damaged(
                source: source, member: member.rawValue, reason: "\(records) records, the manifest says \(expected.records)")
        }
    }

    /// The sort key of a record: users by username, groups by name,
    /// memberships by group then username (NUL sorts below every other byte).
    static func sortKey(_ member: Member, _ v: JSONValue, source: String, line: Int) throws -> [UInt8] {
        func field(_ name: String) throws -> String {
            guard let s = v[name]?.stringValue else {
                throw SnapError.malformedLine(source: source, member: member.rawValue, line: line, reason: "no string \"\(name)\"")
            }
            return s
        }
        switch member {
        case .users: return Array(try field("username").utf8)
        case .groups: return Array(try field("name").utf8)
        case .memberships: return Array(try field("group").utf8) + [0] + Array(try field("username").utf8)
        case .pool, .manifest: return []
        }
    }
}
