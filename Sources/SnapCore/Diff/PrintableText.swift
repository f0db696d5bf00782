/// Names and values as `snap diff` prints them in text: one change per line,
/// whatever a username holds. Control characters (C0, DEL, C1), line and
/// paragraph separators, and the bidirectional controls that reorder what a
/// terminal shows are written as JSON-style escapes (`\n`, `\u202e`), and a
/// backslash as `\\`, so that a name can never end a line early, forge the
/// next one, or hide behind reordered text (issue 19, item 17).
public enum PrintableText {
    /// A raw name (username, group name): every character that needs it escaped.
    public static func name(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 == "\\" || needsEscape($0) }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: if needsEscape(u) { out += escape(u) } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// Text that is already JSON (a canonical value): JSON escaped quotes,
    /// backslashes and C0 controls; what it leaves raw is escaped here.
    public static func json(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if needsEscape(u) { out += escape(u) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// C0 and C1 controls, DEL, the line and paragraph separators, the byte
    /// order mark, and the bidirectional marks, embeddings, overrides and isolates.
    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    private static func escape(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
