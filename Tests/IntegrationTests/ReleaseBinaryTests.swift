import Foundation
import Testing

/// The binary operators run (issue 18): scripts/test.sh points every
/// integration test at a `-c release` build; these check what that build says
/// of itself and that a crash is reported as one.
@Suite struct ReleaseBinaryTests {
    /// "snap VERSION (COMMIT, CONFIGURATION)", as the SPEC names the manifest's `tool`.
    func versionText(_ binary: String) throws -> String {
        let r = try run(binary, ["--version"], env: ProcessInfo.processInfo.environment)
        #expect(r.status == 0 && r.signal == nil, "\(binary) --version: \(r.stderr)")
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func versionNamesTheCommitAndTheBuildConfiguration() throws {
        let text = try versionText(Repo.snapBinary)
        let match = text.wholeMatch(of: /snap (\d+\.\d+\.\d+) \(([0-9a-f]{7,}(?:-dirty)?|unknown), (release|debug)\)/)
        #expect(match != nil, "snap --version printed \(text)")
        guard let match else { return }
        let expected = Repo.snapBinary.contains("/release/") ? "release" : "debug"
        #expect(String(match.3) == expected, "\(Repo.snapBinary) says \(text)")
        let head = try run("git", ["-C", Repo.root, "rev-parse", "HEAD"], env: ProcessInfo.processInfo.environment)
        // A build of a dirty tree names the commit it started from; HEAD may have moved on since.
        if head.status == 0, String(match.2) != "unknown", !String(match.2).hasSuffix("-dirty") {
            let commit = String(match.2).replacingOccurrences(of: "-dirty", with: "")
            #expect(head.out.hasPrefix(commit), "built from \(commit), the checkout is at \(head.out)")
        }
    }

    @Test func theManifestsToolIsTheVersionText() throws {
        let env = try Moto.shared().environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let store = try tempFolder("tool") + "/s"
        let created = try snap(["create", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        #expect(created.status == 0, "\(created.stderr)")
        let shown = try snap(["show", "latest", "--user-pool-id", pool, "--store", store, "--json"], env: env)
        let manifest = try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any]
        #expect(manifest?["tool"] as? String == (try versionText(Repo.snapBinary)))
    }

    @Test func aCrashIsReportedWithItsSignalAndBacktrace() throws {
        // The hook exists in debug builds only; this runs the build beside the tests.
        var env = ProcessInfo.processInfo.environment
        env["SNAP_TEST_CRASH"] = "1"
        let store = try tempFolder("crash")
        let args = ["list", "--user-pool-id", "us-east-1_Crash", "--store", store]
        let r = try run(Repo.snapBesideTests, args, env: withBacktraces(env))
        #expect(r.signal == SIGSEGV, "status \(r.status), signal \(String(describing: r.signal)): \(r.stderr)")
        let report = crashReport(r, binary: Repo.snapBesideTests, args: args)
        #expect(report.contains("signal 11 (SIGSEGV)"), "\(report)")
        #expect(report.contains("snap list --user-pool-id us-east-1_Crash"), "\(report)")
        // Swift's backtracer names the frame that crashed.
        #expect(report.contains("crashIfAsked"), "no backtrace in: \(report)")
    }

    @Test func theReleaseBuildHasNoCrashHook() throws {
        guard Repo.snapBinary.contains("/release/") else {
            print("ReleaseBinaryTests: SNAP_BINARY is not a release build; scripts/test.sh sets it")
            return
        }
        var env = ProcessInfo.processInfo.environment
        env["SNAP_TEST_CRASH"] = "1"
        let store = try tempFolder("nocrash")
        let r = try run(Repo.snapBinary, ["list", "--user-pool-id", "us-east-1_Crash", "--store", store], env: withBacktraces(env))
        #expect(r.signal == nil, "\(r.stderr)")
    }
}
