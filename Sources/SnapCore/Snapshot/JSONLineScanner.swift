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
/// Reusable: the scratch buffers keep their capacity from line to line, so a
/// member of a million lines allocates only for the sort keys it returns.
struct JSONLineScanner {
    static let maxDepth = 256

    /// The decoded bytes of the wanted top-level members; nil where a member
    /// is absent, not a string, or the text is not an object.
    private(set) var first: [UInt8]?
    private(set) var second: [UInt8]?

    private let firstName: [UInt8]
    private let secondName: [UInt8]
    private var frames: [Frame] = []
    /// Decoded keys of every open object, back to back; `offsets` marks where each starts.
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    /// Key sets of objects whose keys are not plain ASCII in increasing order (never canonical JSON).
    private var keySets: [Int: Set<String>] = [:]

    private struct Frame {
        var isObject: Bool
        /// Keys so far are ASCII and strictly increasing, so they are distinct.
        var ordered = true
        var arenaStart: Int
        var offsetStart: Int
    }

    private enum State { case value, key, afterValue }

    /// `first` and `second` name the top-level members to capture ("" for none).
    init(first: String = "", second: String = "") {
        firstName = Array(first.utf8)
        secondName = Array(second.utf8)
    }

    /// Checks `text`; afterwards `first` and `second` hold the captured members.
    mutating func scan(_ text: Span<UInt8>) throws(JSONScanError) {
        first = nil
        second = nil
        frames.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        keySets.removeAll()
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
                    frames.append(Frame(isObject: isObject, arenaStart: arena.count, offsetStart: offsets.count))
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
                    if wanted == 0 {
                        try Self.string(text, &i, decode: false, into: &arena)
                    } else {
                        var out: [UInt8] = []
                        try Self.string(text, &i, decode: true, into: &out)
                        if wanted == 1 { first = out } else { second = out }
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
                let keyStart = arena.count
                try Self.string(text, &i, decode: true, into: &arena)
                Self.skipSpace(text, &i)
                guard i < n, text[i] == UInt8(ascii: ":") else { throw Self.fail(i, "expected ':'") }
                i += 1
                Self.skipSpace(text, &i)
                try addKey(from: keyStart, at: i)
                if frames.count == 1 {
                    let key = arena[keyStart...]
                    if !firstName.isEmpty, key.elementsEqual(firstName) {
                        capture = 1
                    } else if !secondName.isEmpty, key.elementsEqual(secondName) {
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

    private mutating func pop() {
        let frame = frames.removeLast()
        if frame.isObject {
            arena.removeSubrange(frame.arenaStart...)
            offsets.removeSubrange(frame.offsetStart...)
            if !frame.ordered { keySets[frames.count] = nil }
        }
    }

    /// Refuses a key its object already has, with `JSONParser`'s notion of
    /// equal (Swift `String` equality: canonically equivalent text is the same key).
    private mutating func addKey(from start: Int, at position: Int) throws(JSONScanError) {
        let level = frames.count - 1
        var frame = frames[level]
        defer {
            offsets.append(start)
            frames[level] = frame
        }
        let key = arena[start...]
        if frame.ordered {
            let ascii = key.allSatisfy { $0 < 0x80 }
            if offsets.count == frame.offsetStart {
                if ascii { return }
            } else if ascii, arena[offsets[offsets.count - 1]..<start].lexicographicallyPrecedes(key) {
                return
            }
            // From here on the object's keys go through a set.
            frame.ordered = false
            var set = Set<String>()
            var bounds = Array(offsets[frame.offsetStart...])
            bounds.append(start)
            for j in 0..<(bounds.count - 1) { set.insert(String(decoding: arena[bounds[j]..<bounds[j + 1]], as: UTF8.self)) }
            keySets[level] = set
        }
        let name = String(decoding: key, as: UTF8.self)
        if keySets[level, default: []].insert(name).inserted == false {
            throw Self.fail(position, "duplicate key \"\(name)\"")
        }
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
        let name = word.description
        for b in name.utf8 {
            guard i < t.count, t[i] == b else { throw fail(i, "expected \(name)") }
            i += 1
        }
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
    /// `decode`, the string's UTF-8 is appended to `out`.
    private static func string(_ t: Span<UInt8>, _ i: inout Int, decode: Bool, into out: inout [UInt8]) throws(JSONScanError) {
        let n = t.count
        i += 1
        while true {
            guard i < n else { throw fail(i, "unterminated string") }
            let b = t[i]
            if b >= 0x20 && b < 0x80 && b != UInt8(ascii: "\\") && b != UInt8(ascii: "\"") {
                if decode { out.append(b) }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"):
                i += 1
                guard i < n else { throw fail(i, "unterminated escape") }
                let e = t[i]
                i += 1
                let plain: UInt8
                switch e {
                case UInt8(ascii: "\""): plain = 0x22
                case UInt8(ascii: "\\"): plain = 0x5C
                case UInt8(ascii: "/"): plain = 0x2F
                case UInt8(ascii: "b"): plain = 0x08
                case UInt8(ascii: "f"): plain = 0x0C
                case UInt8(ascii: "n"): plain = 0x0A
                case UInt8(ascii: "r"): plain = 0x0D
                case UInt8(ascii: "t"): plain = 0x09
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
                if decode { out.append(plain) }
            case 0x00..<0x20:
                throw fail(i, "control character in string")
            default:
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
