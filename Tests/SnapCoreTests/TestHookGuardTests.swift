import Foundation
import Testing

/// Test hooks live in debug builds only (issue 7, item 10). Every source
/// line that reads a `SNAP_TEST_` variable or kills its own process must sit
/// inside `#if DEBUG`, so a release build cannot contain it.
@Suite struct TestHookGuardTests {
    static let sources: String = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Sources").path
    }()

    /// Line numbers outside any `#if DEBUG` branch that match `pattern` (comments aside).
    static func scan(_ text: String, pattern: String) -> [Int] {
        var stack: [Bool] = []  // per open #if: is this branch the DEBUG one?
        var lines: [Int] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#if") {
                stack.append(line == "#if DEBUG")
            } else if line.hasPrefix("#else") || line.hasPrefix("#elseif") {
                if !stack.isEmpty { stack[stack.count - 1] = false }
            } else if line.hasPrefix("#endif") {
                _ = stack.popLast()
            } else if line.contains(pattern) && !line.hasPrefix("//") && !stack.contains(true) {
                lines.append(n + 1)
            }
        }
        return lines
    }

    /// Lines outside any `#if DEBUG` block that match `pattern`, as "file:line".
    static func unguarded(_ pattern: String) throws -> [String] {
        var found: [String] = []
        let files = FileManager.default.enumerator(atPath: sources)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files.sorted() {
            let text = try String(contentsOfFile: "\(sources)/\(file)", encoding: .utf8)
            found += scan(text, pattern: pattern).map { "\(file):\($0)" }
        }
        return found
    }

    @Test func testVariablesAreReadInDebugBuildsOnly() throws {
        #expect(try Self.unguarded("SNAP_TEST_") == [])
    }

    @Test func noSelfKillOutsideDebugBuilds() throws {
        #expect(try Self.unguarded("kill(getpid()") == [])
    }

    @Test func theGuardSeesAnUnguardedHook() {
        // The scanner itself: a hook outside #if DEBUG (or in its #else) is found.
        let text = "#if DEBUG\nlet a = env[\"SNAP_TEST_A\"]\n#else\nlet b = env[\"SNAP_TEST_B\"]\n#endif\nlet c = env[\"SNAP_TEST_C\"]\n"
        #expect(Self.scan(text, pattern: "SNAP_TEST_") == [4, 6])
    }
}
