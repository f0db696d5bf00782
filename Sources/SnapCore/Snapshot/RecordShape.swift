import AWS

/// The types of a record's fields, as the SPEC gives them, checked on a
/// line `JSONLineScanner` has already proven to be JSON. Readers take a
/// field of the wrong type for an absent one (restore would drop a
/// `"precedence":"0"` without a word), so verification refuses it, naming
/// the field.
///
/// - users: `username`, `status` strings, `attributes` an object of strings,
///   `enabled` a boolean (all required); `mfaOptions` an array, `created`
///   and `modified` strings, `mfa` an object (optional);
/// - groups: `name` a string (required); `description`, `roleArn`,
///   `created`, `modified` strings, `precedence` an integer (optional);
/// - memberships: `group` and `username` strings (the sort key's own check).
///
/// An optional field may be null (readers take it for absent). Fields the
/// format does not name are left alone (readers ignore them).
/// A walk over the bytes, no tree: keys with escapes (never in snap's
/// canonical form) are decoded through `JSONParser`.
enum RecordShape {
    enum Kind: Equatable {
        case string, integer, number, bool, null, object, array

        var name: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            case .object: "an object"
            case .array: "an array"
            }
        }
    }

    /// One field the format names: its name's bytes, the kind it must be, whether it must be there.
    struct Rule {
        let name: String
        let bytes: [UInt8]
        let kind: Kind
        let required: Bool

        init(_ name: String, _ kind: Kind, required: Bool = false) {
            self.name = name
            bytes = Array(name.utf8)
            self.kind = kind
            self.required = required
        }
    }

    static let userRules = [
        Rule("username", .string, required: true), Rule("attributes", .object, required: true),
        Rule("enabled", .bool, required: true), Rule("status", .string, required: true), Rule("mfaOptions", .array),
        Rule("created", .string), Rule("modified", .string), Rule("mfa", .object),
    ]
    static let groupRules = [
        Rule("name", .string, required: true), Rule("description", .string), Rule("precedence", .integer),
        Rule("roleArn", .string), Rule("created", .string), Rule("modified", .string),
    ]

    /// What is wrong with the record's fields, or nil. Per line it allocates
    /// nothing: keys are compared as bytes where they lie (a key with an
    /// escape is decoded first), and a field's name becomes a string only
    /// to say what is wrong.
    static func problem(_ member: Member, _ text: Span<UInt8>) -> String? {
        let rules: [Rule]
        switch member {
        case .users: rules = userRules
        case .groups: rules = groupRules
        case .memberships, .pool, .clients, .providers, .resourceServers, .config, .secrets, .manifest: return nil
        }
        var seen: UInt32 = 0
        var i = 0
        skipSpace(text, &i)
        guard i < text.count, text[i] == UInt8(ascii: "{") else { return "the record is not a JSON object" }
        i += 1
        while true {
            skipSpace(text, &i)
            guard i < text.count, text[i] == UInt8(ascii: "\"") else { break }
            let keyStart = i
            let escaped = skipString(text, &i)
            skipSpace(text, &i)
            i += 1  // ':'
            skipSpace(text, &i)
            let start = i
            let kind = skipValue(text, &i)
            if let r = rule(rules, text, key: keyStart, escaped: escaped) {
                seen |= 1 << UInt32(r)
                let rule = rules[r]
                // null reads as absent, which an optional field may be.
                if kind != rule.kind && !(kind == .null && !rule.required) {
                    return "field \"\(rule.name)\" is \(kind.name), the format says \(rule.kind.name)"
                }
                if rule.kind == .object, rule.name == "attributes", let bad = nonString(text, object: start) {
                    return "field \"attributes.\(bad)\" is not a string"
                }
            }
            skipSpace(text, &i)
            if i < text.count, text[i] == UInt8(ascii: ",") { i += 1 } else { break }
        }
        for (n, rule) in rules.enumerated() where rule.required && seen & (1 << UInt32(n)) == 0 {
            return "field \"\(rule.name)\" is missing"
        }
        return nil
    }

    /// The index of the rule naming the key whose opening quote is at `key`, if any.
    private static func rule(_ rules: [Rule], _ t: Span<UInt8>, key: Int, escaped: Bool) -> Int? {
        if escaped {
            var i = key
            let name = keyText(t, &i)
            return rules.firstIndex { $0.name == name }
        }
        let open = key + 1
        var end = open
        while t[end] != UInt8(ascii: "\"") { end += 1 }
        for (n, rule) in rules.enumerated() where rule.bytes.count == end - open {
            var k = 0
            while k < rule.bytes.count && t[open + k] == rule.bytes[k] { k += 1 }
            if k == rule.bytes.count { return n }
        }
        return nil
    }

    /// The first member of the object opening at `object` whose value is not a string.
    private static func nonString(_ t: Span<UInt8>, object: Int) -> String? {
        var i = object + 1
        while true {
            skipSpace(t, &i)
            guard i < t.count, t[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i
            _ = skipString(t, &i)
            skipSpace(t, &i)
            i += 1
            skipSpace(t, &i)
            if skipValue(t, &i) != .string {
                var k = keyStart
                return keyText(t, &k)
            }
            skipSpace(t, &i)
            if i < t.count, t[i] == UInt8(ascii: ",") { i += 1 } else { return nil }
        }
    }

    /// Past the (proven) string opening at `i`; whether it holds an escape.
    private static func skipString(_ t: Span<UInt8>, _ i: inout Int) -> Bool {
        var escaped = false
        i += 1
        while i < t.count {
            let b = t[i]
            if b == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            i += 1
            if b == UInt8(ascii: "\"") { break }
        }
        return escaped
    }

    /// The string at `i` (its opening quote), decoded; `i` ends past its closing quote.
    private static func keyText(_ t: Span<UInt8>, _ i: inout Int) -> String {
        let open = i
        var escaped = false
        i += 1
        while i < t.count {
            let b = t[i]
            if b == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            i += 1
            if b == UInt8(ascii: "\"") { break }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(i - open)
        for k in open..<min(i, t.count) { bytes.append(t[k]) }
        guard escaped else { return String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self) }
        return (try? JSONParser.parse(bytes: bytes))?.stringValue ?? String(decoding: bytes, as: UTF8.self)
    }

    /// Skips the (proven) value at `i` and says what it is.
    private static func skipValue(_ t: Span<UInt8>, _ i: inout Int) -> Kind {
        guard i < t.count else { return .null }
        switch t[i] {
        case UInt8(ascii: "\""):
            _ = skipString(t, &i)
            return .string
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let kind: Kind = t[i] == UInt8(ascii: "{") ? .object : .array
            var depth = 0
            while i < t.count {
                switch t[i] {
                case UInt8(ascii: "\""):
                    _ = skipString(t, &i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return kind
                    }
                default: break
                }
                i += 1
            }
            return kind
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            i += t[i] == UInt8(ascii: "t") ? 4 : 5
            return .bool
        case UInt8(ascii: "n"):
            i += 4
            return .null
        default:
            var integer = true
            while i < t.count {
                let b = t[i]
                if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { integer = false }
                guard
                    b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || (b | 0x20) == UInt8(ascii: "e")
                        || (b >= 0x30 && b <= 0x39)
                else { break }
                i += 1
            }
            return integer ? .integer : .number
        }
    }

    private static func skipSpace(_ t: Span<UInt8>, _ i: inout Int) {
        while i < t.count, t[i] == 0x20 || t[i] == 0x0A || t[i] == 0x09 || t[i] == 0x0D { i += 1 }
    }
}
