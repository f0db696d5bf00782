import AWS
import Foundation

/// RFC 3339 times in UTC with whole seconds, the only time format snap writes.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        format(epochSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    public static func format(epochSeconds: Int64) -> String {
        let days = floorDiv(epochSeconds, 86_400)
        let secs = epochSeconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        guard (0...9999).contains(y) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, secs / 3600, (secs % 3600) / 60, secs % 60)
        }
        // The common case without String(format:), which costs microseconds: two per user listed.
        var out = [UInt8]()
        out.reserveCapacity(20)
        func digits(_ v: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(48 + (v / divisor) % 10))
                divisor /= 10
            }
        }
        digits(y, 4)
        out.append(UInt8(ascii: "-"))
        digits(m, 2)
        out.append(UInt8(ascii: "-"))
        digits(d, 2)
        out.append(UInt8(ascii: "T"))
        digits(secs / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits((secs % 3600) / 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(secs % 60, 2)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Cognito's JSON times are epoch seconds with a fraction.
    public static func format(cognito value: JSONValue?) -> String? {
        guard let seconds = value?.doubleValue else { return nil }
        return format(epochSeconds: Int64(seconds.rounded(.down)))
    }

    /// `2026-11-27T01:22:52Z`, `2026-11-27T01:22:52+01:00`, fractions allowed, or `2026-11-27` (midnight UTC... end of that day for --at).
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= bytes.count else { return nil }
            var v = 0
            for b in bytes[r] {
                guard b >= 48 && b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard bytes.count >= 10, bytes[4] == 45, bytes[7] == 45, let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
            (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        let dayStart = days(fromCivil: y, mo, d) * 86_400
        if bytes.count == 10 { return Date(timeIntervalSince1970: TimeInterval(dayStart)) }
        guard bytes.count >= 20, bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32, bytes[13] == 58, bytes[16] == 58,
            let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if bytes[i] == 46 {
            var scale = 0.1
            i += 1
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                fraction += Double(bytes[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < bytes.count else { return nil }
        var offset = 0
        if bytes[i] == 90 || bytes[i] == 122 {
            guard i + 1 == bytes.count else { return nil }
        } else if bytes[i] == 43 || bytes[i] == 45, i + 6 == bytes.count, bytes[i + 3] == 58,
            let oh = num(i + 1..<i + 3), let om = num(i + 4..<i + 6)
        {
            offset = (oh * 3600 + om * 60) * (bytes[i] == 43 ? 1 : -1)
        } else {
            return nil
        }
        let total = dayStart + Int64(h * 3600 + mi * 60 + s - offset)
        return Date(timeIntervalSince1970: TimeInterval(total) + fraction)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    // Howard Hinnant's civil-from-days algorithms: exact for the proleptic Gregorian calendar, no Calendar or locale involved.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
