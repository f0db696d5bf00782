import AWS
import ArgumentParser

/// `30s`, `5m`, `2h`, `1d`, or plain seconds.
enum Durations {
    static func parse(_ text: String, flag: String) throws -> Duration {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = text
        var scale: Int64 = 1
        if let last = text.last, let u = units[last] {
            digits = String(text.dropLast())
            scale = u
        }
        guard let n = Int64(digits), n >= 0 else {
            throw ValidationError("\(flag) \(text): not a duration; use e.g. 30s, 5m, 2h or 1d")
        }
        return .seconds(n * scale)
    }
}

/// `--quota CATEGORY=RPS`.
enum QuotaOverrides {
    static func parse(_ values: [String]) throws -> [QuotaCategory: Double] {
        var out: [QuotaCategory: Double] = [:]
        for v in values {
            let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let c = QuotaCategory(name: parts[0]), let rps = Double(parts[1]), rps > 0 else {
                throw ValidationError(
                    "--quota \(v): expected CATEGORY=RPS with CATEGORY one of \(QuotaCategory.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            out[c] = rps
        }
        return out
    }
}
