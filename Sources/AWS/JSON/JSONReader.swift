/// Reading a JSON text piece by piece, for a caller that wants a few members
/// of many objects (a ListUsers page's users) without a `JSONValue` tree for
/// each: `JSONParser`'s own steps, in its order, so the same text is accepted
/// or refused with the same error at the same byte as `JSONParser.parse`.
public struct JSONReader {
    private var parser: JSONParser

    public init(bytes: [UInt8]) {
        parser = JSONParser(bytes: bytes)
        parser.skipSpace()
    }

    /// The next value, whole.
    public mutating func value() throws(JSONParseError) -> JSONValue {
        try parser.value()
    }

    /// When the next value is an object, hands each member's key to `member`, which must read its value
    /// (with any method of this reader), and returns true; otherwise reads the value whole and returns false.
    /// A key seen twice is refused, as `JSONParser` refuses it.
    public mutating func object(_ member: (inout JSONReader, String) throws(JSONParseError) -> Void) throws(JSONParseError) -> Bool {
        guard parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: "{") else {
            _ = try parser.value()
            return false
        }
        try parser.enter()
        defer { parser.depth -= 1 }
        parser.i += 1
        parser.skipSpace()
        if parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: "}") {
            parser.i += 1
            return true
        }
        var keys: [String] = []
        while true {
            parser.skipSpace()
            guard parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: "\"") else { throw parser.fail("expected a key") }
            let key = try parser.string()
            parser.skipSpace()
            guard parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: ":") else { throw parser.fail("expected ':'") }
            parser.i += 1
            parser.skipSpace()
            if keys.contains(key) { throw parser.fail("duplicate key \"\(key)\"") }
            keys.append(key)
            try member(&self, key)
            parser.skipSpace()
            guard parser.i < parser.bytes.count else { throw parser.fail("unexpected end in object") }
            if parser.bytes[parser.i] == UInt8(ascii: ",") {
                parser.i += 1
                continue
            }
            if parser.bytes[parser.i] == UInt8(ascii: "}") {
                parser.i += 1
                return true
            }
            throw parser.fail("expected ',' or '}'")
        }
    }

    /// When the next value is an array, hands each element to `element`, which must read it, and returns
    /// true; otherwise reads the value whole and returns false.
    public mutating func array(_ element: (inout JSONReader) throws(JSONParseError) -> Void) throws(JSONParseError) -> Bool {
        guard parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: "[") else {
            _ = try parser.value()
            return false
        }
        try parser.enter()
        defer { parser.depth -= 1 }
        parser.i += 1
        parser.skipSpace()
        if parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: "]") {
            parser.i += 1
            return true
        }
        while true {
            parser.skipSpace()
            try element(&self)
            parser.skipSpace()
            guard parser.i < parser.bytes.count else { throw parser.fail("unexpected end in array") }
            if parser.bytes[parser.i] == UInt8(ascii: ",") {
                parser.i += 1
                continue
            }
            if parser.bytes[parser.i] == UInt8(ascii: "]") {
                parser.i += 1
                return true
            }
            throw parser.fail("expected ',' or ']'")
        }
    }

    /// The next value when it is a string; otherwise reads it whole and returns nil.
    public mutating func string() throws(JSONParseError) -> String? {
        guard parser.i < parser.bytes.count, parser.bytes[parser.i] == UInt8(ascii: "\"") else {
            _ = try parser.value()
            return nil
        }
        return try parser.string()
    }

    /// After the one value: nothing but white space may follow.
    public mutating func end() throws(JSONParseError) {
        parser.skipSpace()
        if parser.i != parser.bytes.count { throw parser.fail("unexpected data after the value") }
    }
}
