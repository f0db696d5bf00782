/// Durations as operators write them: `30s`, `5m`, `26h`, `7d` (or plain
/// seconds). The one parser and the one formatter snap uses.
public enum DurationText {
    /// nil when `text` is not a whole number with an optional unit s, m, h or d.
    public static func parse(_ text: String) -> Duration? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last, let u = units[last] {
            digits = digits.dropLast()
            scale = u
        }
        guard let n = Int64(digits), n >= 0, n <= Int64.max / scale else { return nil }
        return .seconds(n * scale)
    }

    /// Whole days as `7d`; otherwise hours up to three days (`26h`, `3h12m`),
    /// then days and hours (`4d2h`); under an hour `12m5s`, `45s`.
    public static func format(_ d: Duration) -> String {
        let total = d.components.seconds
        if total > 0 && total % 86_400 == 0 { return "\(total / 86_400)d" }
        if total >= 3 * 86_400 {
            let h = total % 86_400 / 3600
            return h > 0 ? "\(total / 86_400)d\(h)h" : "\(total / 86_400)d"
        }
        let h = total / 3600, m = (total % 3600) / 60, sec = total % 60
        if h > 0 { return m > 0 ? "\(h)h\(m)m" : "\(h)h" }
        if m > 0 { return sec > 0 ? "\(m)m\(sec)s" : "\(m)m" }
        return "\(sec)s"
    }
}
