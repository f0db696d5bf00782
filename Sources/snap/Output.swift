import AWS
import ArgumentParser
import Foundation
import SnapCore

/// Stdout for results, stderr for messages; progress only on a terminal and never with --json or --quiet.
struct Output: Sendable {
    let json: Bool
    let quiet: Bool

    var showsProgress: Bool { !json && !quiet && isatty(STDERR_FILENO) != 0 }

    func result(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func result(json value: JSONValue) {
        FileHandle.standardOutput.write(value.canonicalData() + Data([0x0A]))
    }

    func message(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func progress(_ text: String) {
        guard showsProgress else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    func endProgress() {
        guard showsProgress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("snap: error: " + text + "\n").utf8))
    }
}

/// Runs a command body, turning errors into one line on stderr and the SPEC's exit codes.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch let e as SnapError {
        Output.error(e.description)
        if case .lockHeld = e { throw ExitCode(4) }
        throw ExitCode.failure
    } catch let e as AWSError {
        Output.error(e.description)
        throw ExitCode.failure
    } catch {
        Output.error("\(error)")
        throw ExitCode.failure
    }
}
