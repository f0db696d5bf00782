import Testing

@testable import SnapCore

/// The searches and compares find what a byte loop finds, at every offset.
@Suite struct ByteRunsTests {
    @Test func agreeWithAByteLoop() {
        var rng = JSONLineScannerTests.Seeded(state: 99)
        let alphabet: [UInt8] = [0x0A, 0x20, 0x22, 0x5C, 0x1F, 0x00, 0x7F, 0x80, 0xFF, 0x41, 0x61, 0x09, 0x21, 0x5B, 0x5D]
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<40, using: &rng)
            let plainOnly = Bool.random(using: &rng)
            let bytes: [UInt8] = (0..<n).map { _ in
                plainOnly && Int.random(in: 0..<10, using: &rng) > 0 ? 0x61 : alphabet.randomElement(using: &rng)!
            }
            for from in 0...n {
                let newline = bytes[from...].firstIndex(of: 0x0A) ?? n
                let plain = bytes[from...].firstIndex { $0 < 0x20 || $0 >= 0x80 || $0 == 0x22 || $0 == 0x5C } ?? n
                #expect(ByteRuns.newline(in: bytes.span, from: from) == newline, "\(bytes) from \(from)")
                #expect(ByteRuns.plainEnd(in: bytes.span, from: from) == plain, "\(bytes) from \(from)")
            }
            var other = bytes
            if !other.isEmpty, Bool.random(using: &rng) { other[Int.random(in: 0..<n, using: &rng)] ^= 1 }
            #expect(ByteRuns.equal(bytes.span, 0..<n, other.span, 0..<n) == (bytes == other))
            let cut = Array(other.prefix(Int.random(in: 0...n, using: &rng)))
            for (x, y) in [(bytes, other), (other, bytes), (bytes, cut), (cut, bytes), (bytes, bytes)] {
                let c = ByteRuns.compare(x.span, y.span)
                #expect((c < 0) == x.lexicographicallyPrecedes(y) && (c == 0) == (x == y), "\(x) against \(y)")
            }
        }
    }
}
