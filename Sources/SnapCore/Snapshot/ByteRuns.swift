/// Word-at-a-time searches over bytes (eight per step, SWAR), for the loops
/// that see every byte of a snapshot: finding line ends and passing the
/// plain text of JSON strings. Safe: bounds-checked loads from a `Span`.
enum ByteRuns {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `v` is zero (exact for "any", which is all we ask).
    @inline(__always) private static func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }

    /// The index of the first "\n" at or after `from`, or `s.count`.
    static func newline(in s: Span<UInt8>, from: Int) -> Int {
        var i = from
        let n = s.count
        let raw = s.bytes
        while i + 8 <= n {
            if hasZero(raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self) ^ (ones &* 0x0A)) { break }
            i += 8
        }
        while i < n {
            if s[i] == 0x0A { return i }
            i += 1
        }
        return n
    }

    /// The index of the first byte at or after `from` that is not printable
    /// ASCII other than `"` and `\`, or `s.count`.
    static func plainEnd(in s: Span<UInt8>, from: Int) -> Int {
        var i = from
        let n = s.count
        let raw = s.bytes
        while i + 8 <= n {
            let v = raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A byte below 0x20: v - 0x20 borrows into its high bit while the byte's own high bit is clear.
            let control = (v &- ones &* 0x20) & ~v & highs
            if v & highs != 0 || control != 0 || hasZero(v ^ (ones &* 0x22)) || hasZero(v ^ (ones &* 0x5C)) { break }
            i += 8
        }
        while i < n {
            let b = s[i]
            if b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C { return i }
            i += 1
        }
        return n
    }

    /// Whether `a[ra]` and `b[rb]` hold the same bytes.
    static func equal(_ a: Span<UInt8>, _ ra: Range<Int>, _ b: Span<UInt8>, _ rb: Range<Int>) -> Bool {
        guard ra.count == rb.count else { return false }
        let x = a.bytes, y = b.bytes
        var k = 0
        let n = ra.count
        while k + 8 <= n {
            if x.unsafeLoadUnaligned(fromByteOffset: ra.lowerBound + k, as: UInt64.self)
                != y.unsafeLoadUnaligned(fromByteOffset: rb.lowerBound + k, as: UInt64.self)
            {
                return false
            }
            k += 8
        }
        while k < n {
            if a[ra.lowerBound + k] != b[rb.lowerBound + k] { return false }
            k += 1
        }
        return true
    }
}
