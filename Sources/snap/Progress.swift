import Foundation

/// A progress line with counts, rate and ETA, redrawn on stderr at most ten
/// times a second; silent unless `Output.showsProgress` (a terminal, no
/// --json, no --quiet).
final class ProgressMeter: @unchecked Sendable {
    private let output: Output
    private let label: String
    private let unit: String
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var total = 0
    private var done = 0
    private var detail = ""

    init(output: Output, label: String, unit: String) {
        self.output = output
        self.label = label
        self.unit = unit
    }

    var isShown: Bool { output.showsProgress }

    func add(total more: Int) {
        lock.withLock { total += more }
        draw(force: true)
    }

    func advance(by n: Int = 1, detail: String? = nil) {
        lock.withLock {
            done += n
            if let detail { self.detail = detail }
        }
        draw(force: false)
    }

    /// Counts from a source that reports totals (done of total so far).
    func set(done: Int, total: Int, detail: String) {
        lock.withLock {
            self.done = done
            self.total = total
            self.detail = detail
        }
        draw(force: false)
    }

    func finish() { output.endProgress() }

    private func draw(force: Bool) {
        guard output.showsProgress else { return }
        let text: String? = lock.withLock {
            let now = ContinuousClock.now
            if !force, let lastDrawn, now - lastDrawn < .milliseconds(100), done < total { return nil }
            lastDrawn = now
            return Self.line(label: label, unit: unit, done: done, total: total, detail: detail, elapsed: started.duration(to: now))
        }
        if let text { output.progress(text) }
    }

    /// `verifying: 12/40 copies (30%), 2.1/s, ETA 13s`.
    static func line(label: String, unit: String, done: Int, total: Int, detail: String, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var text = "\(label): \(done)/\(total) \(unit)"
        if total > 0 { text += " (\(min(100, done * 100 / total))%)" }
        if seconds >= 0.5, done > 0 {
            let rate = Double(done) / seconds
            text += String(format: ", %.1f/s", rate)
            if total > done { text += ", ETA " + eta(Double(total - done) / rate) }
        }
        if !detail.isEmpty { text += "  " + detail }
        return text
    }

    static func eta(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s >= 3600 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        if s >= 60 { return "\(s / 60)m\(s % 60)s" }
        return "\(s)s"
    }
}
