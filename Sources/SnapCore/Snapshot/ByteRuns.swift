import Foundation

/// Searches over bytes for the loops that see every byte of a snapshot:
/// finding line ends and comparing lines (libc's vectorised `memchr` and
/// `memcmp` on a `Span`'s bytes, the pointers never leaving the call), and
/// passing the plain text of JSON strings (eight bytes per step, SWAR:
/// bounds-checked loads from a `Span`).
enum ByteRuns {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each zero byte of `v`. Bits above the lowest may be
    /// false (a borrow from a zero byte), the lowest is exact: bytes below
    /// the first zero receive no borrow.
    @inline(__always) private static func zeros(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }

    /// The index of the first "\n" at or after `from`, or `s.count`: libc's
    /// `memchr` (vector instructions, several times the SWAR loop's speed
    /// on 300-byte lines), on the span's own bytes.
    static func newline(in s: Span<UInt8>, from: Int) -> Int {
        let n = s.count
        guard from < n else { return n }
        return s.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress, let hit = memchr(base + from, 0x0A, n - from) else { return n }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The index of the first byte at or after `from` that is not printable
    /// ASCII other than `"` and `\`, or `s.count`.
    @inline(__always) static func plainEnd(in s: Span<UInt8>, from: Int) -> Int {
        var i = from
        let n = s.count
        let raw = s.bytes
        while i + 8 <= n {
            let v = raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A byte below 0x20: v - 0x20 borrows into its high bit while the
            // byte's own high bit is clear (exact for the lowest, as `zeros`).
            let control = (v &- ones &* 0x20) & ~v & highs
            let stop = (v & highs) | control | zeros(v ^ (ones &* 0x22)) | zeros(v ^ (ones &* 0x5C))
            if stop != 0 {
                #if _endian(little)
                    // The lowest flag is the first such byte: no byte-by-byte search for it.
                    return i + stop.trailingZeroBitCount >> 3
                #else
                    break
                #endif
            }
            i += 8
        }
        while i < n {
            let b = s[i]
            if b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C { return i }
            i += 1
        }
        return n
    }

    /// Whether `a[ra]` and `b[rb]` hold the same bytes (libc's `memcmp`).
    static func equal(_ a: Span<UInt8>, _ ra: Range<Int>, _ b: Span<UInt8>, _ rb: Range<Int>) -> Bool {
        guard ra.count == rb.count else { return false }
        return compare(a.extracting(ra), b.extracting(rb)) == 0
    }

    /// Compares bytes as unsigned numbers, a shorter run before its
    /// extensions (`lexicographicallyPrecedes` of byte arrays): negative,
    /// zero or positive.
    static func compare(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in memcmp(x.baseAddress!, y.baseAddress!, n) } }
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }
}
