import Foundation

/// The canonical forms Signature Version 4 hashes: URI, headers, timestamps.
enum SigV4Canonical {
    // MARK: URI

    /// The canonical URI of a decoded path.
    static func uri(path: String, normalize: Bool, doubleEncode: Bool) -> String {
        var p = path.isEmpty ? "/" : path
        if normalize { p = normalizedPath(p) }
        let once = URIEncoding.encodePath(p)
        return doubleEncode ? URIEncoding.encode(once, keepSlash: true) : once
    }

    /// Removes "." and ".." segments and empty segments (duplicate slashes),
    /// keeping a trailing slash; "/" when nothing is left.
    static func normalizedPath(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var stack: [Substring] = []
        var trailingSlash = false
        for (index, part) in parts.enumerated() {
            let isLast = index == parts.count - 1
            switch part {
            case "", ".":
                if isLast { trailingSlash = true }
            case "..":
                _ = stack.popLast()
                if isLast { trailingSlash = true }
            default:
                stack.append(part)
                if isLast { trailingSlash = false }
            }
        }
        if stack.isEmpty { return "/" }
        return "/" + stack.joined(separator: "/") + (trailingSlash ? "/" : "")
    }

    // MARK: Headers

    struct Headers: Sendable, Equatable {
        /// "name:value\n" for every header, sorted by name.
        var block: String
        /// "a;b;c"
        var signedHeaders: String
    }

    /// Names lower-cased; values folded, trimmed and with inner whitespace runs
    /// collapsed; duplicates joined by "," in the order given; sorted by name.
    static func headers(_ headers: [HTTPHeader]) -> Headers {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(headerValue(header.value))
        }
        let names = order.sorted()
        let block = names.map { "\($0):\((values[$0] ?? []).joined(separator: ","))\n" }.joined()
        return Headers(block: block, signedHeaders: names.joined(separator: ";"))
    }

    /// Folds continuation lines, trims, and collapses whitespace runs to one space.
    static func headerValue(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case " ", "\t", "\r", "\n":
                pendingSpace = !out.isEmpty
            default:
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: Time

    /// `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` in UTC, computed without a
    /// formatter (no shared state, no locale).
    static func timestamps(_ date: Date) -> (amzDate: String, dateStamp: String) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secOfDay = seconds % 86_400
        if secOfDay < 0 {
            secOfDay += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        let hh = secOfDay / 3600, mm = (secOfDay % 3600) / 60, ss = secOfDay % 60
        let stamp = pad(y, 4) + pad(m, 2) + pad(d, 2)
        return (stamp + "T" + pad(hh, 2) + pad(mm, 2) + pad(ss, 2) + "Z", stamp)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
    /// (H. Hinnant's civil_from_days.)
    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
