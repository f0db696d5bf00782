import Foundation

/// `20261127T012345Z-3f9a1c2e`: UTC creation time, then 8 random hex digits.
/// Sorting IDs as strings sorts snapshots by creation time.
public struct SnapshotID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    public init?(_ value: String) {
        let b = Array(value.utf8)
        guard b.count == 25, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"), b[16] == UInt8(ascii: "-") else { return nil }
        let digits = Array(b[0..<8]) + Array(b[9..<15])
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            b[17...].allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        self.value = value
    }

    public static func make(at date: Date) -> SnapshotID {
        let t = Timestamp.format(date)  // 2026-11-27T01:23:45Z
        let compact = t.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        let random = String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        return SnapshotID("\(compact)-\(random)")!
    }

    /// The creation time encoded in the ID.
    public var date: Date {
        let s = value
        let iso =
            "\(s.prefix(4))-\(s.dropFirst(4).prefix(2))-\(s.dropFirst(6).prefix(2))T\(s.dropFirst(9).prefix(2)):\(s.dropFirst(11).prefix(2)):\(s.dropFirst(13).prefix(2))Z"
        return Timestamp.parse(iso) ?? Date(timeIntervalSince1970: 0)
    }

    public var description: String { value }
    public static func < (a: SnapshotID, b: SnapshotID) -> Bool { a.value < b.value }
}
