import Foundation
import Testing

/// Signals and closed pipes (issue 7, items 8 and 11): SIGTERM or SIGINT
/// mid-command removes temporary files holding user data, aborts multipart
/// uploads and releases the lock, then exits 143 or 130; `snap cat | head`
/// ends quietly with 141.
@Suite(.serialized) struct InterruptTests {
    /// snap started in the background, to be signalled.
    final class Running {
        let process = Process()
        let out = Pipe()
        let err = Pipe()

        let args: [String]

        init(_ args: [String], env: [String: String]) throws {
            self.args = args
            process.executableURL = URL(fileURLWithPath: Repo.snapBinary(for: env))
            process.arguments = args
            process.environment = withBacktraces(env)
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        func finish() -> RunResult {
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
            let r = RunResult(status: process.terminationStatus, signal: signal, stdout: o, stderr: String(decoding: e, as: UTF8.self))
            // snap handles the SIGINT and SIGTERM these tests send and exits 130 or 143: any signal is a crash.
            if signal != nil { Issue.record(Comment(rawValue: crashReport(r, binary: Repo.snapBinary, args: args))) }
            return r
        }
    }

    /// Waits until `ready` holds (polling), at most `seconds`.
    func wait(seconds: Double, _ what: String, until ready: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try ready() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    func contents(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir) }

    @Test func sigtermDuringAnUploadAbortsItReleasesTheLockAndRemovesScratch() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 20, env: env)
        let bucket = "snap-sig-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: env)
        let proxy = try AWSProxy(["--no-quota", "--stall", "UploadPart:30"], upstream: moto)
        var viaProxy = env
        viaProxy["AWS_ENDPOINT_URL"] = proxy.endpoint
        let tmp = try tempFolder("sigtmp")
        viaProxy["TMPDIR"] = tmp

        let snapRun = try Running(
            ["create", "--user-pool-id", pool, "--store", "s3://\(bucket)", "--multipart-threshold", "1"], env: viaProxy)
        try wait(seconds: 60, "the upload to start") { (try proxy.operationCounts()["UploadPart"] ?? 0) >= 1 }
        #expect(try !contents(tmp).isEmpty, "a work folder exists while create runs")
        snapRun.process.terminate()  // SIGTERM
        let r = snapRun.finish()
        #expect(r.status == 143, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("interrupted by SIGTERM"), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("error:"), "the work's own failures are not reported as errors: \(r.stderr)")
        #expect(try contents(tmp).isEmpty, "scratch left behind: \((try? contents(tmp)) ?? [])")

        let uploads = try aws(["s3api", "list-multipart-uploads", "--bucket", bucket], env: env) as! [String: Any]
        #expect((uploads["Uploads"] as? [Any] ?? []).isEmpty, "upload not aborted: \(uploads)")
        let listed = try aws(["s3api", "list-objects-v2", "--bucket", bucket], env: env) as! [String: Any]
        let keys = ((listed["Contents"] as? [[String: Any]]) ?? []).map { $0["Key"] as! String }
        #expect(keys.isEmpty, "the lock or a half snapshot is left: \(keys)")

        // The next create starts at once: no lock to wait for.
        let next = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(bucket)"], env: env)
        #expect(next.status == 0, "stderr: \(next.stderr)")
    }

    @Test func sigintDuringALocalCreateExits130AndLeavesNothing() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 20, env: env)
        let proxy = try AWSProxy(["--no-quota", "--stall", "ListUsers:30"], upstream: moto)
        var viaProxy = env
        viaProxy["AWS_ENDPOINT_URL"] = proxy.endpoint
        let tmp = try tempFolder("sigint")
        viaProxy["TMPDIR"] = tmp
        let store = try tempFolder("sigstore")
        let snapRun = try Running(["create", "--user-pool-id", pool, "--store", store], env: viaProxy)
        try wait(seconds: 60, "the export to start") { (try proxy.operationCounts()["ListUsers"] ?? 0) >= 1 }
        kill(snapRun.process.processIdentifier, SIGINT)
        let r = snapRun.finish()
        #expect(r.status == 130, "stderr: \(r.stderr)")
        #expect(try contents(tmp).isEmpty, "scratch left behind: \((try? contents(tmp)) ?? [])")
        #expect(try contents("\(store)/\(pool)").isEmpty, "lock or files left: \((try? contents("\(store)/\(pool)")) ?? [])")
    }

    @Test func catIntoHeadEndsQuietlyWith141() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 400, env: env)  // users.jsonl well above a 64 KiB pipe buffer
        let store = try tempFolder("head")
        #expect(try snap(["create", "--user-pool-id", pool, "--store", store], env: env).status == 0)
        let tmp = try tempFolder("headtmp")
        var e = env
        e["TMPDIR"] = tmp
        let r = try run(
            "bash",
            [
                "-c", "set -o pipefail; \"$0\" cat latest users --user-pool-id \"$1\" --store \"$2\" | head -1", Repo.snapBinary, pool,
                store,
            ],
            env: e)
        #expect(r.status == 141, "stderr: \(r.stderr)")
        #expect(r.stderr.isEmpty, "stderr: \(r.stderr)")
        #expect(r.out.hasPrefix("{\"attributes\""), "\(r.out)")
        #expect(try contents(tmp).isEmpty, "scratch with user data left: \((try? contents(tmp)) ?? [])")
        // The whole member, read to its end, still exits 0.
        let whole = try snap(["cat", "latest", "users", "--user-pool-id", pool, "--store", store], env: e)
        #expect(whole.status == 0 && whole.out.split(separator: "\n").count == 405, "stderr: \(whole.stderr)")
    }
}
