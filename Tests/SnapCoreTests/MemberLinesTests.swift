import Foundation
import Testing

@testable import SnapCore

/// The join's lines and sort keys: keys decoded from any JSON spelling of
/// the key field, wherever it stands in the object, from lines cut anywhere
/// by chunk ends; keys held in buffers reused from line to line, so the
/// order check must see the whole new key, never a stale tail of the last.
@Suite struct MemberLinesTests {
    /// Lines from `text` in chunks of `size` bytes.
    static func lines(_ text: String, size: Int, records: Int? = nil, member: Member = .users, report: ((any Error) -> Void)? = nil)
        -> MemberLines
    {
        let data = Data(text.utf8)
        var offset = 0
        return MemberLines(name: "t", member: member, verifying: true, records: records, report: report) {
            guard offset < data.count else { return nil }
            let end = min(offset + size, data.count)
            defer { offset = end }
            return [UInt8](data.subdata(in: offset..<end))
        }
    }

    static func keys(_ lines: inout MemberLines) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while try lines.advance() { out.append(try lines.key()) }
        return out
    }

    /// The line an order error names; nil without an error, -1 for another error.
    static func unsortedLine(_ body: () throws -> Void) -> Int? {
        do {
            try body()
            return nil
        } catch SnapError.unsorted(_, _, let line) {
            return line
        } catch {
            return -1
        }
    }

    @Test func keysWithEscapesUnicodeAndOtherPlacesComeOutDecoded() throws {
        let long = String(repeating: "x", count: 3000)
        let text = [
            #"{"username":"a\u0062"}"#,
            #"{"attributes":{"username":"zzz"},"username":"b\u00e9"}"#,
            #"{"username":"bé2"}"#,
            #"{"username":"c","z":"\#(long)"}"#,
            #"{"enabled":true,"username":"d\"q","z":[{"username":"a"}]}"#,
            #"{ "z" : 1 , "username" : "e\/\ud83d\ude00" }"#,
        ].map { $0 + "\n" }.joined()
        let want = ["ab", "bé", "bé2", "c", "d\"q", "e/😀"].map { Array($0.utf8) }
        for size in [1, 2, 7, 64, 100, 2999, text.utf8.count] {
            var lines = Self.lines(text, size: size, records: want.count)
            #expect(try Self.keys(&lines) == want, "chunks of \(size)")
        }
    }

    @Test func membershipKeysAreGroupNulUsername() throws {
        let text = #"{"username":"u","group":"g"}"# + "\n" + #"{"group":"g","username":"v"}"# + "\n"
        var lines = Self.lines(text, size: 5, records: 2, member: .memberships)
        #expect(try Self.keys(&lines) == [Array("g\0u".utf8), Array("g\0v".utf8)])
    }

    /// A shorter key after a longer one it begins, or a repeat: out of order.
    @Test func theOrderCheckSeesTheWholeKey() throws {
        for (names, bad) in [(["ab", "a"], 2), (["a", "ab", "b", "ab"], 4), (["abc", "abd", "abd"], 3), (["b", "ab"], 2)] {
            let text = names.map { VerifiedDiffTests.user($0) }.joined()
            var reported: (any Error)?
            var lines = Self.lines(text, size: 3, report: { reported = $0 })
            #expect(Self.unsortedLine { _ = try Self.keys(&lines) } == bad, "\(names)")
            #expect(reported != nil)
        }
        var fine = Self.lines(["a", "ab", "abc", "b"].map { VerifiedDiffTests.user($0) }.joined(), size: 4, records: 4)
        #expect(try Self.keys(&fine).count == 4)
    }

    /// A line with the same bytes takes the other side's key, and that key
    /// is still checked against the line before it on its own side.
    @Test func anAdoptedKeyIsCheckedForOrder() throws {
        var a = Self.lines(VerifiedDiffTests.user("b"), size: 7)
        var reported: (any Error)?
        var b = Self.lines(VerifiedDiffTests.user("c") + VerifiedDiffTests.user("b"), size: 5, report: { reported = $0 })
        #expect(try a.advance() && b.advance())
        #expect(!MemberLines.sameLine(a, b))
        try a.takeKey()
        try b.takeKey()
        #expect(MemberLines.compareKeys(a, b) < 0)
        #expect(try b.advance())
        #expect(MemberLines.sameLine(a, b))
        #expect(Self.unsortedLine { try b.adopt(keyOf: a) } == 2)
        #expect(reported != nil)
    }

    @Test func anAdoptedKeyIsTheLinesKey() throws {
        let text = ["a", "b", "c"].map { VerifiedDiffTests.user($0) }.joined()
        var a = Self.lines(text, size: 11, records: 3), b = Self.lines(text, size: 13, records: 3)
        var keys: [[UInt8]] = []
        while try a.advance() {
            #expect(try b.advance())
            #expect(MemberLines.sameLine(a, b))
            try a.takeKey()
            try b.adopt(keyOf: a)
            #expect(MemberLines.compareKeys(a, b) == 0)
            keys.append(try b.key())
        }
        #expect(try !b.advance())
        #expect(keys == [[0x61], [0x62], [0x63]])
    }

    @Test func aLineLongerThanTheLimitIsRefusedWhereverItIsCut() throws {
        let text = #"{"username":"a","z":""# + String(repeating: "y", count: 200) + "\"}\n"
        for size in [1, 50, 1000] {
            let data = Data(text.utf8)
            var offset = 0
            var lines = MemberLines(name: "t", member: .users, maxLineLength: 100, verifying: true, records: nil, report: nil) {
                guard offset < data.count else { return nil }
                let end = min(offset + size, data.count)
                defer { offset = end }
                return [UInt8](data.subdata(in: offset..<end))
            }
            #expect(throws: SnapError.self) { _ = try lines.advance() }
        }
    }
}
