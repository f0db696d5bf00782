import Foundation
import Testing

/// Patterns that pass every debug test and crash an optimized build (issue 18).
/// A `@TaskLocal` whose value is a function type, optional or not, crashes
/// Swift 6.3's optimized builds in `swift_task_localValuePush` on its first
/// `withValue`; a class holding the closure does not.
@Suite struct ReleaseHazardTests {
    /// `@TaskLocal` declarations of function type, as "file:line".
    static func functionTypedTaskLocals(in text: String) -> [Int] {
        var found: [Int] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (n, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("//"), line.contains("@TaskLocal") else { continue }
            // The declaration may continue on the next line.
            let decl = line.hasSuffix("@TaskLocal") && n + 1 < lines.count ? line + " " + lines[n + 1] : line
            let type = decl.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            if type.contains("->") { found.append(n + 1) }
        }
        return found
    }

    @Test func noTaskLocalHoldsAFunction() throws {
        var found: [String] = []
        let sources = TestHookGuardTests.sources
        let files = FileManager.default.enumerator(atPath: sources)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files.sorted() {
            let text = try String(contentsOfFile: "\(sources)/\(file)", encoding: .utf8)
            found += Self.functionTypedTaskLocals(in: text).map { "\(file):\($0)" }
        }
        #expect(found == [], "a task-local of function type crashes release builds: hold the closure in a class")
    }

    @Test func theScanSeesTheCrashingPattern() {
        let text = """
            @TaskLocal static var errorSink: (@Sendable (String) -> Void)?
            @TaskLocal static var report: NotifyReport?
            @TaskLocal
            static var handler: @Sendable () -> Void = {}
            """
        #expect(Self.functionTypedTaskLocals(in: text) == [1, 3])
    }
}
