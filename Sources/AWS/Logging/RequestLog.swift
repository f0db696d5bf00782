import Foundation

/// The words of request and retry log lines. A URL is logged without its
/// query values for pre-signing parameters (and every line passes the
/// `Redactor` again on its way out).
enum RequestLog {
    static func line(_ request: HTTPRequest, operation: String, status: Int, since start: ContinuousClock.Instant, attempt: Int)
        -> String
    {
        let elapsed = start.duration(to: .now)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let query = request.query.isEmpty ? "" : "?" + request.query.map { "\($0.name)=\(redactedValue($0))" }.joined(separator: "&")
        return "\(operation) \(request.method) \(request.hostHeader)\(request.path)\(query) -> \(status) in "
            + String(format: "%.0f ms", ms) + (attempt > 1 ? " (attempt \(attempt))" : "")
    }

    static func redactedValue(_ item: QueryItem) -> String {
        let secretNames = ["x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature"]
        return secretNames.contains(item.name.lowercased()) ? Redactor.mask : item.value
    }

    static func seconds(_ d: Duration) -> String {
        String(format: "%.2fs", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// "; CATEGORY paced at N/s", or nothing without a pacer.
    static func pace(_ category: QuotaCategory?, _ pacer: QuotaPacer?) async -> String {
        guard let category, let pacer else { return "" }
        let rate = await pacer.rate(of: category)
        return "; \(category.rawValue) paced at " + String(format: "%.1f/s", rate)
    }
}
