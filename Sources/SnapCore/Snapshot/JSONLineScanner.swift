/// Why a line was refused, and the byte offset where: worded as `JSONParser`'s
/// errors, so messages read the same whichever checked the line.
struct JSONScanError: Error, Sendable, Equatable, CustomStringConvertible {
    var offset: Int
    var reason: String
    var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// Validates one JSON text exactly as `JSONParser` does (RFC 8259, UTF-8
/// checked, no duplicate keys, at most 256 levels deep) without building a
/// tree, and captures the string values of up to two top-level members (a
/// record's sort key). A pure function of its input: any bytes give a result
/// or a `JSONScanError`, never a crash, and time stays linear in the input.
///
/// Reusable: the scratch buffers and the captured values keep their capacity
/// from line to line, so a member of a million lines allocates next to nothing.
struct JSONLineScanner {
    static let maxDepth = 256

    /// The decoded bytes of the wanted top-level members; nil where a member
    /// is absent, not a string, or the text is not an object.
    var first: [UInt8]? { hasFirst ? firstValue : nil }
    var second: [UInt8]? { hasSecond ? secondValue : nil }
    /// The captured values, valid where `hasFirst` and `hasSecond` say: buffers
    /// reused from line to line (no allocation per line), read in place by
    /// `MemberCheck.sortKey`.
    private(set) var firstValue: [UInt8] = []
    private(set) var secondValue: [UInt8] = []
    private(set) var hasFirst = false
    private(set) var hasSecond = false

    private let firstName: [UInt8]
    private let secondName: [UInt8]
    /// The names of the captured fields, for messages.
    var firstField: String { String(decoding: firstName, as: UTF8.self) }
    var secondField: String { String(decoding: secondName, as: UTF8.self) }
    private var frames: [Frame] = []
    /// Key sets of objects whose keys are not plain ASCII in increasing order (never canonical JSON).
    private var keySets: [Int: Set<String>] = [:]
    /// A key with escapes or non-ASCII bytes, decoded.
    private var decoded: [UInt8] = []

    private struct Frame {
        var isObject: Bool
        /// Keys so far are plain ASCII (no escapes) and strictly increasing, so they are distinct.
        var ordered = true
        /// Where the object opens in the text: its keys are read again from
        /// there if they stop being `ordered` (no list of keys kept per line).
        var start: Int
        /// The last key, while `ordered` (where `hasKey`: a key may be "").
        var lastKey = 0..<0
        var hasKey = false
    }

    private enum State { case value, key, afterValue }

    /// `first` and `second` name the top-level members to capture ("" for none).
    init(first: String = "", second: String = "") {
        firstName = Array(first.utf8)
        secondName = Array(second.utf8)
    }

    /// Checks `text`; afterwards `first` and `second` hold the captured members.
    mutating func scan(_ text: Span<UInt8>) throws(JSONScanError) {
        hasFirst = false
        hasSecond = false
        // Empty after every line that passed: only a refused line leaves something to clear.
        if !frames.isEmpty { frames.removeAll(keepingCapacity: true) }
        if !keySets.isEmpty { keySets.removeAll() }
        let n = text.count
        var i = 0
        var capture = 0  // 1 or 2: the value about to be read is a wanted top-level member
        var state = State.value
        Self.skipSpace(text, &i)
        loop: while true {
            switch state {
            case .value:
                guard i < n else { throw Self.fail(i, "unexpected end") }
                let b = text[i]
                let wanted = capture
                capture = 0
                switch b {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = b == UInt8(ascii: "{")
                    frames.append(Frame(isObject: isObject, start: i))
                    if frames.count > Self.maxDepth { throw Self.fail(i, "nested too deeply") }
                    i += 1
                    Self.skipSpace(text, &i)
                    if i < n, text[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        i += 1
                        pop()
                        state = .afterValue
                    } else {
                        state = isObject ? .key : .value
                    }
                case UInt8(ascii: "\""):
                    if wanted == 1 {
                        firstValue.removeAll(keepingCapacity: true)
                        _ = try Self.string(text, &i, decode: true, into: &firstValue)
                        hasFirst = true
                    } else if wanted == 2 {
                        secondValue.removeAll(keepingCapacity: true)
                        _ = try Self.string(text, &i, decode: true, into: &secondValue)
                        hasSecond = true
                    } else {
                        _ = try Self.string(text, &i, decode: false, into: &decoded)
                    }
                    state = .afterValue
                case UInt8(ascii: "t"): try Self.literal(text, &i, "true"); state = .afterValue
                case UInt8(ascii: "f"): try Self.literal(text, &i, "false"); state = .afterValue
                case UInt8(ascii: "n"): try Self.literal(text, &i, "null"); state = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    try Self.number(text, &i)
                    state = .afterValue
                default: throw Self.fail(i, "unexpected character")
                }
            case .key:
                Self.skipSpace(text, &i)
                guard i < n, text[i] == UInt8(ascii: "\"") else { throw Self.fail(i, "expected a key") }
                let keyStart = i
                let plain = try Self.string(text, &i, decode: false, into: &decoded)
                let key = (keyStart + 1)..<(i - 1)
                if !plain {
                    decoded.removeAll(keepingCapacity: true)
                    var again = keyStart
                    _ = try Self.string(text, &again, decode: true, into: &decoded)
                }
                Self.skipSpace(text, &i)
                guard i < n, text[i] == UInt8(ascii: ":") else { throw Self.fail(i, "expected ':'") }
                i += 1
                Self.skipSpace(text, &i)
                try addKey(text, plain ? key : nil, quote: keyStart, at: i)
                if frames.count == 1 {
                    if !firstName.isEmpty, plain ? Self.equal(text, key, firstName) : decoded == firstName {
                        capture = 1
                    } else if !secondName.isEmpty, plain ? Self.equal(text, key, secondName) : decoded == secondName {
                        capture = 2
                    }
                }
                state = .value
            case .afterValue:
                guard let frame = frames.last else { break loop }
                Self.skipSpace(text, &i)
                guard i < n else { throw Self.fail(i, frame.isObject ? "unexpected end in object" : "unexpected end in array") }
                let b = text[i]
                if b == UInt8(ascii: ",") {
                    i += 1
                    if frame.isObject {
                        state = .key
                    } else {
                        Self.skipSpace(text, &i)
                        state = .value
                    }
                } else if b == (frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    pop()
                } else {
                    throw Self.fail(i, frame.isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
        }
        Self.skipSpace(text, &i)
        if i != n { throw Self.fail(i, "unexpected data after the value") }
    }

    /// Hands the captured first value over by swapping buffers with `other`
    /// (no copy; `other`'s old buffer becomes the scanner's scratch): a sort key of one field.
    mutating func takeFirst(into other: inout [UInt8]) {
        swap(&firstValue, &other)
        hasFirst = false
    }

    private mutating func pop() {
        let frame = frames.removeLast()
        if frame.isObject && !frame.ordered { keySets[frames.count] = nil }
    }

    /// Refuses a key its object already has, with `JSONParser`'s notion of
    /// equal (Swift `String` equality: canonically equivalent text is the
    /// same key). `plain` is where a key without escapes or non-ASCII bytes
    /// lies in `text`; any other key is in `decoded`. `quote` is where the key starts.
    private mutating func addKey(_ text: Span<UInt8>, _ plain: Range<Int>?, quote: Int, at position: Int) throws(JSONScanError) {
        let level = frames.count - 1
        if frames[level].ordered {
            if let plain {
                if !frames[level].hasKey || Self.precedes(text, frames[level].lastKey, plain) {
                    frames[level].lastKey = plain
                    frames[level].hasKey = true
                    return
                }
            }
            // From here on this object's keys go through a set, starting with those before this one.
            frames[level].ordered = false
            keySets[level] = Self.keys(text, object: frames[level].start, before: quote)
        }
        let name = plain.map { Self.string(text, $0) } ?? String(decoding: decoded, as: UTF8.self)
        if keySets[level, default: []].insert(name).inserted == false {
            throw Self.fail(position, "duplicate key \"\(name)\"")
        }
    }

    /// The keys of the object opening at `object`, up to `end`: text already
    /// checked, whose keys were all plain (their bytes are their value), so
    /// it is walked without checks.
    private static func keys(_ t: Span<UInt8>, object: Int, before end: Int) -> Set<String> {
        var set = Set<String>()
        var i = object + 1
        while true {
            skipSpace(t, &i)
            guard i < end, t[i] == UInt8(ascii: "\"") else { return set }
            let open = i
            i = stringEnd(t, i)
            set.insert(string(t, (open + 1)..<(i - 1)))
            skipSpace(t, &i)
            i += 1  // ':'
            skipSpace(t, &i)
            skipValue(t, &i)
            skipSpace(t, &i)
            if i < end, t[i] == UInt8(ascii: ",") { i += 1 }
        }
    }

    /// Past the closing quote of a checked string opening at `i`.
    private static func stringEnd(_ t: Span<UInt8>, _ i: Int) -> Int {
        var j = i + 1
        while j < t.count {
            switch t[j] {
            case UInt8(ascii: "\\"): j += 2
            case UInt8(ascii: "\""): return j + 1
            default: j += 1
            }
        }
        return j
    }

    /// Past a checked value starting at `i`.
    private static func skipValue(_ t: Span<UInt8>, _ i: inout Int) {
        guard i < t.count else { return }
        switch t[i] {
        case UInt8(ascii: "\""):
            i = stringEnd(t, i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < t.count {
                switch t[i] {
                case UInt8(ascii: "\""):
                    i = stringEnd(t, i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return
                    }
                default: break
                }
                i += 1
            }
        default:
            while i < t.count {
                switch t[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x09, 0x0D: return
                default: i += 1
                }
            }
        }
    }

    private static func string(_ t: Span<UInt8>, _ r: Range<Int>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(r.count)
        for k in r { bytes.append(t[k]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func equal(_ t: Span<UInt8>, _ r: Range<Int>, _ name: [UInt8]) -> Bool {
        guard r.count == name.count else { return false }
        var k = 0
        while k < name.count {
            if t[r.lowerBound + k] != name[k] { return false }
            k += 1
        }
        return true
    }

    private static func precedes(_ t: Span<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        var k = 0
        while k < a.count && k < b.count {
            let x = t[a.lowerBound + k], y = t[b.lowerBound + k]
            if x != y { return x < y }
            k += 1
        }
        return a.count < b.count
    }

    private static func fail(_ offset: Int, _ reason: String) -> JSONScanError { JSONScanError(offset: offset, reason: reason) }

    private static func skipSpace(_ t: Span<UInt8>, _ i: inout Int) {
        while i < t.count {
            let b = t[i]
            guard b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D else { return }
            i += 1
        }
    }

    private static func literal(_ t: Span<UInt8>, _ i: inout Int, _ word: StaticString) throws(JSONScanError) {
        // The word's bytes where the literal lies: no String made per literal.
        let matched = word.withUTF8Buffer { w in
            for b in w {
                guard i < t.count, t[i] == b else { return false }
                i += 1
            }
            return true
        }
        if !matched { throw fail(i, "expected \(word)") }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func number(_ t: Span<UInt8>, _ i: inout Int) throws(JSONScanError) {
        let n = t.count
        if t[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n, isDigit(t[i]) else { throw fail(i, "expected a digit") }
        if t[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < n, isDigit(t[i]) { i += 1 }
        }
        if i < n, t[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, isDigit(t[i]) else { throw fail(i, "expected a digit after '.'") }
            while i < n, isDigit(t[i]) { i += 1 }
        }
        if i < n, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
            guard i < n, isDigit(t[i]) else { throw fail(i, "expected an exponent") }
            while i < n, isDigit(t[i]) { i += 1 }
        }
    }

    /// A string from its opening quote; `i` ends past the closing one. With
    /// `decode`, the string's UTF-8 is appended to `out`. Returns whether it
    /// was plain: printable ASCII without escapes, its bytes its value.
    private static func string(_ t: Span<UInt8>, _ i: inout Int, decode: Bool, into out: inout [UInt8]) throws(JSONScanError) -> Bool {
        let n = t.count
        i += 1
        var plain = true
        while true {
            // Most of a line is runs of printable ASCII: pass them in one tight loop.
            let j = ByteRuns.plainEnd(in: t, from: i)
            if decode {
                // One allocation for the run (a sort key is one run), not growth by doubling.
                out.reserveCapacity(out.count + (j - i))
                for k in i..<j { out.append(t[k]) }
            }
            i = j
            guard i < n else { throw fail(i, "unterminated string") }
            let b = t[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return plain
            case UInt8(ascii: "\\"):
                plain = false
                i += 1
                guard i < n else { throw fail(i, "unterminated escape") }
                let e = t[i]
                i += 1
                let escaped: UInt8
                switch e {
                case UInt8(ascii: "\""): escaped = 0x22
                case UInt8(ascii: "\\"): escaped = 0x5C
                case UInt8(ascii: "/"): escaped = 0x2F
                case UInt8(ascii: "b"): escaped = 0x08
                case UInt8(ascii: "f"): escaped = 0x0C
                case UInt8(ascii: "n"): escaped = 0x0A
                case UInt8(ascii: "r"): escaped = 0x0D
                case UInt8(ascii: "t"): escaped = 0x09
                case UInt8(ascii: "u"):
                    var scalar = try hex4(t, &i)
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 1 < n, t[i] == UInt8(ascii: "\\"), t[i + 1] == UInt8(ascii: "u") else { throw fail(i, "lone surrogate") }
                        i += 2
                        let low = try hex4(t, &i)
                        guard (0xDC00..<0xE000).contains(low) else { throw fail(i, "bad surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail(i, "lone surrogate")
                    }
                    if decode, let u = Unicode.Scalar(scalar) { out.append(contentsOf: UTF8.encode(u)!) }
                    continue
                default: throw fail(i - 1, "bad escape")
                }
                if decode { out.append(escaped) }
            case 0x00..<0x20:
                throw fail(i, "control character in string")
            default:
                plain = false
                // A multi-byte UTF-8 sequence, checked as Unicode's table 3-7 says.
                let need: Int
                var low: UInt8 = 0x80
                var high: UInt8 = 0xBF
                switch b {
                case 0xC2...0xDF: need = 1
                case 0xE0: need = 2; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: need = 2
                case 0xED: need = 2; high = 0x9F
                case 0xF0: need = 3; low = 0x90
                case 0xF1...0xF3: need = 3
                case 0xF4: need = 3; high = 0x8F
                default: throw fail(i, "string is not valid UTF-8")
                }
                guard i + need < n else { throw fail(i, "string is not valid UTF-8") }
                let c = t[i + 1]
                guard c >= low && c <= high else { throw fail(i, "string is not valid UTF-8") }
                var k = 2
                while k <= need {
                    guard t[i + k] & 0xC0 == 0x80 else { throw fail(i, "string is not valid UTF-8") }
                    k += 1
                }
                if decode {
                    for j in 0...need { out.append(t[i + j]) }
                }
                i += need + 1
            }
        }
    }

    private static func hex4(_ t: Span<UInt8>, _ i: inout Int) throws(JSONScanError) -> UInt32 {
        guard i + 4 <= t.count else { throw fail(i, "short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = t[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail(i, "bad hex digit")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
