import AWS
import ArgumentParser
import SnapCore

/// A duration flag, parsed by SnapCore's one parser, or a usage error naming the flag.
enum Durations {
    static func parse(_ text: String, flag: String) throws -> Duration {
        guard let d = DurationText.parse(text) else {
            throw ValidationError("\(flag) \(text): not a duration; use e.g. 30s, 5m, 2h or 1d")
        }
        return d
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
