import Foundation

/// `--keep-within`'s span, in restic's units: `y` years, `m` months, `w`
/// weeks, `d` days, `h` hours, alone or combined (`1y2m3d`, `2m2h`,
/// `13d23h`). `m` is months, as in restic, never minutes: a policy carried
/// over from restic means here what it meant there. The span is counted on the
/// UTC calendar (a month back from 31 March is 28 or 29 February, where Go's
/// AddDate, which restic uses, would say 3 March), and from now, not from the
/// newest snapshot (so a snapshot dated in the future cannot push the others out).
public struct KeepWithin: Sendable, Equatable, CustomStringConvertible {
    public var years = 0
    public var months = 0
    public var weeks = 0
    public var days = 0
    public var hours = 0

    public init(years: Int = 0, months: Int = 0, weeks: Int = 0, days: Int = 0, hours: Int = 0) {
        (self.years, self.months, self.weeks, self.days, self.hours) = (years, months, weeks, days, hours)
    }

    /// What a refused span is told.
    public static let usage = "use restic's units: y (years), m (months, not minutes), w (weeks), d (days), h (hours), e.g. 7d, 36h, 1y2m3d"

    /// nil for anything else: no unit, an unknown or repeated unit, or a span of zero.
    public init?(_ text: String) {
        var digits = ""
        var seen: Set<Character> = []
        for c in text {
            if c.isASCII && c.isNumber {
                digits.append(c)
                continue
            }
            guard !digits.isEmpty, let n = Int(digits), !seen.contains(c) else { return nil }
            switch c {
            case "y": years = n
            case "m": months = n
            case "w": weeks = n
            case "d": days = n
            case "h": hours = n
            default: return nil
            }
            seen.insert(c)
            digits = ""
        }
        guard digits.isEmpty, !seen.isEmpty, years + months + weeks + days + hours > 0 else { return nil }
    }

    /// The oldest time the span keeps, counting back from `now`.
    public func limit(before now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let back = DateComponents(year: -years, month: -months, day: -(weeks * 7 + days), hour: -hours)
        return calendar.date(byAdding: back, to: now) ?? .distantPast
    }

    public var description: String {
        [(years, "y"), (months, "m"), (weeks, "w"), (days, "d"), (hours, "h")].filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
    }
}
