import AWS
import Foundation
import Testing

@testable import SnapCore

/// The scanner accepts exactly what `JSONParser` accepts, captures the same
/// sort-key strings, and survives anything.
@Suite struct JSONLineScannerTests {
    /// Reproducible randomness (SplitMix64), so a failing case can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func scannerAccepts(_ bytes: [UInt8], first: String = "username", second: String = "") -> (ok: Bool, first: [UInt8]?, second: [UInt8]?)
    {
        var s = JSONLineScanner(first: first, second: second)
        do {
            try s.scan(bytes.span)
            return (true, s.first, s.second)
        } catch {
            #expect(error.description.hasPrefix("invalid JSON at byte "))
            return (false, nil, nil)
        }
    }

    /// Both accept or both refuse; when both accept, the captured members agree.
    func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let parsed = try? JSONParser.parse(bytes: bytes)  // a refusal is the expected outcome here, compared below
        let scanned = scannerAccepts(bytes, first: "username", second: "name")
        #expect(
            (parsed != nil) == scanned.ok, "parser \(parsed != nil ? "accepts" : "refuses"), scanner disagrees: \(Array(bytes))",
            sourceLocation: sourceLocation)
        if let parsed, scanned.ok {
            #expect(parsed["username"]?.stringValue.map { Array($0.utf8) } == scanned.first, sourceLocation: sourceLocation)
            #expect(parsed["name"]?.stringValue.map { Array($0.utf8) } == scanned.second, sourceLocation: sourceLocation)
        }
    }

    func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        agree(Array(text.utf8), sourceLocation: sourceLocation)
    }

    @Test func acceptsWhatTheParserAccepts() {
        for t in [
            #"{"username":"a"}"#, #"  {"a":1} "#, "[]", "{}", "0", "-0", "1.5e+10", "-12.0E-3", "true", "false", "null", #""x""#,
            #"{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00\n\"\\\/"}"#, #"{"attributes":{"email":"a@b"},"enabled":true,"username":"u"}"#,
            "\t[ 1 ,\r\n2 ]\n", #"{"username":"b\u00e9a \"q\" \\ 😀"}"#, "\"\u{7F}\"", #"{"K":1,"a":2}"#,
        ] {
            agree(t)
            #expect(scannerAccepts(Array(t.utf8)).ok, "\(t)")
        }
    }

    @Test func refusesWhatTheParserRefuses() {
        for t in [
            "", " ", "{", "}", "[1,]", "[,1]", #"{"a":1,}"#, #"{,"a":1}"#, #"{"a"}"#, #"{"a":}"#, #"{a:1}"#, "01", "1.", ".5", "1e", "-",
            "+1", "tru", "nul", "falsey", "NaN", "[1 2]", #"{"a":1 "b":2}"#, "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
            #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#, "{} {}", "1 2", #"{"a":1}x"#, #"{"a":1,"a":2}"#,
            #"{"a":1,"\u0061":2}"#, #"{"b":1,"a":2,"b":3}"#, "\u{0}", "[\u{0}]", "'a'", "[1]]", "[[1]", "{\"a\":1}}",
        ] {
            agree(t)
            #expect(!scannerAccepts(Array(t.utf8)).ok, "\(t)")
        }
    }

    @Test func duplicateKeysFollowSwiftStringEquality() {
        // Canonically equivalent keys are one key to JSONParser's dictionary; the scanner agrees.
        for t in [
            "{\"\u{E9}\":1,\"e\u{301}\":2}", "{\"K\":1,\"\u{212A}\":2}", "{\"\u{212A}\":1,\"K\":2}", "{\"z\":1,\"\u{E9}\":2,\"a\":3}",
            "{\"b\":{\"x\":1},\"a\":{\"x\":1}}", "{\"b\":{\"x\":1,\"x\":2}}", "{\"a\":[{\"k\":1},{\"k\":2}]}",
        ] {
            agree(t)
        }
        #expect(!scannerAccepts(Array("{\"\u{E9}\":1,\"e\u{301}\":2}".utf8)).ok)
        #expect(scannerAccepts(Array("{\"b\":{\"x\":1},\"a\":{\"x\":1}}".utf8)).ok)
    }

    /// Keys in order are checked against the last one only; once out of
    /// order, the object's earlier keys are read again from its text, past
    /// nested values, strings with escapes and brackets, and numbers.
    @Test func duplicatesAreFoundWhenTheOrderBreaksLate() {
        let cases: [(String, Bool)] = [
            (#"{"":1,"":2}"#, false),
            (#"{"":1,"a":2}"#, true),
            (#"{"a":{"x":[1,{"y":"}"}]},"b":"q\"]","c":-1.5e3,"d":[],"a":0}"#, false),
            (#"{"a":{"x":[1,{"y":"}"}]},"b":"q\"]","c":-1.5e3,"d":[],"b0":0}"#, true),
            (#"{ "a" : true , "b" : null , "a" : 1 }"#, false),
            (#"{"b":1,"a":2,"c":{"c":1,"b":2,"c":3}}"#, false),
            (#"{"b":1,"a":2,"c":{"c":1,"b":2,"a":3}}"#, true),
            (#"[{"a":1,"b":2},{"b":1,"a":2},{"a":1,"a":2}]"#, false),
            (#"{"a\u0062":1,"ab":2}"#, false),
        ]
        for (text, ok) in cases {
            let parsed = (try? JSONParser.parse(bytes: Array(text.utf8))) != nil  // a refusal is the answer here, not a loss
            #expect(parsed == ok, "JSONParser on \(text)")
            #expect(scannerAccepts(Array(text.utf8)).ok == ok, "\(text)")
        }
    }

    @Test func invalidUTF8IsRefusedEverywhereTheParserRefusesIt() {
        let cases: [[UInt8]] = [
            [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22],
            [0x22, 0xC3, 0xA9, 0x22], [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22], [0x22, 0xEF, 0xBF, 0xBF, 0x22], [0xC3, 0xA9],
            [0x22, 0xC3, 0x5C, 0x75, 0x30, 0x30, 0x41, 0x39, 0x22], [0x22, 0xE2, 0x82, 0x22],
        ]
        for c in cases { agree(c) }
    }

    @Test func nestingIsBoundedWithoutRecursion() {
        for depth in [255, 256, 257, 100_000] {
            let text = Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
            #expect(scannerAccepts(text).ok == (depth <= JSONLineScanner.maxDepth), "depth \(depth)")
            if depth < 1000 { agree(text) }
        }
        let objects =
            Array(String(repeating: "{\"a\":", count: 300).utf8) + [UInt8(ascii: "1")] + Array(repeating: UInt8(ascii: "}"), count: 300)
        #expect(!scannerAccepts(objects).ok)
    }

    @Test func manyKeysOutOfOrderStayFast() {
        // A hostile object: 100,000 keys in descending order go through a set, not pairwise.
        var text = "{"
        for k in stride(from: 100_000, to: 0, by: -1) { text += "\"k\(k)\":0," }
        text += "\"k1\":1}"
        let start = ContinuousClock.now
        #expect(!scannerAccepts(Array(text.utf8)).ok)
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func capturesDecodedTopLevelStringsOnly() {
        let r = scannerAccepts(Array(#"{"a":{"username":"inner"},"username":"\u0041\u00e9"}"#.utf8))
        #expect(r.ok && r.first == Array("Aé".utf8))
        #expect(scannerAccepts(Array(#"{"username":1}"#.utf8)).first == nil)
        #expect(scannerAccepts(Array(#"["username","x"]"#.utf8)).first == nil)
        #expect(scannerAccepts(Array(#"{"user\u006eame":"x"}"#.utf8)).first == Array("x".utf8))
        let m = scannerAccepts(Array(#"{"group":"g","username":"u"}"#.utf8), first: "group", second: "username")
        #expect(m.first == Array("g".utf8) && m.second == Array("u".utf8))
    }

    @Test func errorsSayWhereAndWhat() {
        var s = JSONLineScanner(first: "username")
        #expect(throws: JSONScanError(offset: 10, reason: "expected ',' or '}'")) { try s.scan(Array(#"{"a":true false}"#.utf8).span) }
        #expect(throws: JSONScanError(offset: 11, reason: "duplicate key \"a\"")) { try s.scan(Array(#"{"a":1,"a":2}"#.utf8).span) }
        #expect(throws: JSONScanError(offset: 3, reason: "unexpected data after the value")) { try s.scan(Array("{} x".utf8).span) }
    }

    /// Random documents, then random damage to them: both readers must agree on every one.
    @Test func agreesWithTheParserOnGeneratedCases() {
        var rng = Seeded(state: 20_261_127)
        let alphabet =
            Array(#"{}[]:,"\ u0123456789abcdefABCDEF-+.eEtrnl/"#.utf8) + [
                0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xA9, 0xED, 0xF0, 0xFF,
            ]
        var accepted = 0
        for _ in 0..<20_000 {
            var doc = Array(Self.document(&rng, depth: 0).utf8)
            let edits = Int.random(in: 0...3, using: &rng)
            for _ in 0..<edits where !doc.isEmpty {
                let at = Int.random(in: 0..<doc.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: doc[at] = alphabet.randomElement(using: &rng)!
                case 1: doc.insert(alphabet.randomElement(using: &rng)!, at: at)
                default: doc.remove(at: at)
                }
            }
            agree(doc)
            if scannerAccepts(doc).ok { accepted += 1 }
        }
        // Both outcomes must be well represented for the comparison to mean anything.
        #expect(accepted > 3000 && accepted < 17000, "\(accepted) accepted")
    }

    @Test func survivesRandomBytes() {
        var rng = Seeded(state: 7)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            agree(bytes)
        }
    }

    static func document(_ rng: inout Seeded, depth: Int) -> String {
        let strings = [
            "username", "name", "a", "b", "K", "\u{212A}", "\u{E9}", "e\u{301}", "x\\ny", "\\u00e9", "\\ud83d\\ude00", "", "q\\\"", "😀",
        ]
        switch Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &rng) {
        case 0: return ["true", "false", "null"].randomElement(using: &rng)!
        case 1: return ["0", "-1", "12.5", "1e9", "-0.0E-2", "123456789012345678901234567890"].randomElement(using: &rng)!
        case 2, 3: return "\"\(strings.randomElement(using: &rng)!)\""
        case 4: return "\"\(strings.randomElement(using: &rng)!)\(strings.randomElement(using: &rng)!)\""
        case 5:
            let n = Int.random(in: 0..<4, using: &rng)
            return "[" + (0..<n).map { _ in document(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let n = Int.random(in: 0..<5, using: &rng)
            let keys = (0..<n).map { _ in strings.randomElement(using: &rng)! }
            return "{" + keys.map { "\"\($0)\":" + document(&rng, depth: depth + 1) }.joined(separator: ", ") + "}"
        }
    }
}
