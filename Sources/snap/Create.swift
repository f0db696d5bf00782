import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the pool and write a snapshot to every store.",
        discussion: """
            Prints the new snapshot's ID (or, with --json, {"id","counts","changes","stores","seconds"}). \
            Holds each store's lock while it runs. A local store folder that does not exist is made \
            (its parent must exist), and a line on stderr says so; every other command refuses it. \
            Exit 0 when every store holds the snapshot, \
            3 when some do, 1 when none do, 4 when another snap holds the lock.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var notify: NotifyOptions

    @Option(
        help: ArgumentHelp(
            "How long to wait for another snap's lock, e.g. 30s, 5m (default: wait_lock in snap.toml, else 0: fail at once).",
            valueName: "DURATION"))
    var waitLock: String?

    @OptionGroup var quotas: QuotaOptions

    @Option(
        help: ArgumentHelp(
            "ListUsers scans split by sub prefix: 1, 16, 256 or 4096 (default: from the pool's size, so each scan ends well inside its pagination token's hour).",
            valueName: "N"))
    var shards: Int?

    @Option(
        help: ArgumentHelp(
            "How long Cognito may throttle a kind of request without any going through before create fails, e.g. 30m, 2h (default 30m).",
            valueName: "DURATION"))
    var maxThrottleWait: String = "30m"

    @Option(
        help: ArgumentHelp(
            "Folder for scratch files (sort runs, the archive before upload); needs about 2 GB per million users (default: work_dir in snap.toml, else $TMPDIR, else /tmp).",
            valueName: "DIR"))
    var workDir: String?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Also read every user's MFA preferences (enabled methods, preferred one) with one AdminGetUser per user, under the UserRead quota: about 23 hours per 10 million users at 120 requests a second; the cost is printed before the export starts (default: with_mfa in snap.toml, else off)."
        ))
    var withMfa: Bool?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Also keep app client and identity provider secrets, encrypted: AES-256-GCM in the archive member secrets.enc under a data key from KMS GenerateDataKey with --secrets-kms-key; the other members still hold {\"redacted\":true}; restore --create-pool sets them again with kms:Decrypt (default: secrets in snap.toml, else off)."
        ))
    var withSecrets: Bool?

    @Option(
        help: ArgumentHelp(
            "The KMS key (ARN) secrets.enc's data key is generated under; needs kms:GenerateDataKey on it (default: secrets_kms_key in snap.toml).",
            valueName: "ARN"))
    var secretsKmsKey: String?

    @Option(help: .hidden)
    var tokenLife: String = "1h"

    static let shardCounts = [1: 0, 16: 1, 256: 2, 4096: 3]

    func validate() throws {
        if let shards, Self.shardCounts[shards] == nil { throw ValidationError("--shards \(shards): use 1, 16, 256 or 4096") }
        _ = try Durations.parse(maxThrottleWait, flag: "--max-throttle-wait")
        _ = try Durations.parse(tokenLife, flag: "--token-life")
        if let waitLock { _ = try Durations.parse(waitLock, flag: "--wait-lock") }
    }

    func run() async throws {
        let ctx = Context(global)
        let notice = NotifyReport()
        // The pool's name for the notice only; a broken setting fails the command itself, and is reported there.
        try await notify.run("create", ctx: ctx, pool: try? ctx.configuredPool(), report: notice) {
            try await create(ctx, notice: notice)
        }
    }

    private func create(_ ctx: Context, notice: NotifyReport) async throws {
        try await runReportingErrors {
            let pool = try ctx.poolId()
            let region = ctx.region(forPool: pool)
            let stores = try ctx.stores()
            let http = ctx.http
            let pacer = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota)
            let wait = try Durations.parse(waitLock ?? ctx.config().waitLock ?? "0s", flag: "--wait-lock")
            await pacer.setMaxThrottleWait(try Durations.parse(maxThrottleWait, flag: "--max-throttle-wait"))
            let cognito = try ctx.cognito(region: region, http: http, pacer: pacer)
            let output = ctx.output
            var exporter = Exporter(
                cognito: cognito, poolId: pool, prefixLength: shards.flatMap { Self.shardCounts[$0] },
                tokenLife: try Durations.parse(tokenLife, flag: "--token-life"), checkScratch: !TestHooks.skipScratchCheck)
            exporter.withMFA = try withMfa ?? ctx.config().withMFA ?? false
            exporter.log = { output.message($0) }
            let secrets = try secretsKey(ctx, region: region)
            exporter.withSecrets = secrets != nil
            var create = CreateSnapshot(
                exporter: exporter, stores: stores, waitLock: wait, tool: Snap.versionText,
                workBase: try workDir ?? ctx.config().workDir, log: { output.message($0) })
            create.secrets = secrets
            var progress: (@Sendable (ExportProgress) -> Void)?
            if output.showsProgress {
                progress = { p in
                    output.progress(
                        "exporting \(pool): \(p.users) users, \(p.groups) groups, \(p.memberships) memberships, \(p.requests) requests"
                            + String(format: "; UserList %.1f/s", p.pace) + (p.throttled ? ", throttled" : "")
                            + (p.restarts > 0 ? ", \(p.restarts) restart(s)" : "")
                            + (p.usersPerPage > 0 ? String(format: ", %.1f users/page", p.usersPerPage) : "")
                            + (p.etaSeconds.map { ", users ETA " + ProgressMeter.eta($0) } ?? "")
                            + (p.mfaUsers > 0 ? String(format: "; MFA of %d users, UserRead %.1f/s", p.mfaUsers, p.mfaPace) : ""))
                }
            }
            let outcome = try await create.run(progress: progress)
            output.endProgress()
            notice.summary = Self.json(outcome)
            report(outcome, output: output)
            if outcome.noneWritten { throw ExitCode.failure }
            if !outcome.allWritten { throw ExitCode(3) }
        }
    }

    /// `--with-secrets` (or `secrets = true`): the KMS key to seal secrets.enc under, in the key ARN's own
    /// region; nil without it. Asking for secrets without naming a key is a usage error (exit 64).
    private func secretsKey(_ ctx: Context, region: String) throws -> SecretsKMS? {
        let config = try ctx.config()
        guard try withSecrets ?? config.secrets ?? false else { return nil }
        guard let arn = secretsKmsKey ?? config.secretsKMSKey, !arn.isEmpty else {
            throw ValidationError(
                "--with-secrets needs the KMS key to encrypt them under: pass --secrets-kms-key ARN, or set secrets_kms_key in snap.toml")
        }
        return SecretsKMS(kms: try ctx.kms(keyArn: arn, region: region), keyArn: arn)
    }

    static func json(_ o: CreateSnapshot.Outcome) -> JSONValue {
        let m = o.manifest
        var out: [String: JSONValue] = [
            "id": .string(m.id.value),
            "counts": m.counts.json,
            "stores": .array(
                o.stores.map { s in
                    var e: [String: JSONValue] = ["url": .string(s.url), "ok": .bool(s.ok)]
                    e["error"] = s.error.map { .string($0) } ?? .null
                    return .object(e)
                }),
            "seconds": .number(String(format: "%.3f", o.seconds)),
        ]
        out["changes"] = m.changes?.json ?? .null
        return .object(out)
    }

    private func report(_ o: CreateSnapshot.Outcome, output: Output) {
        let m = o.manifest
        for w in m.warnings { output.message("warning: \(w)") }
        for s in o.stores where !s.ok { Output.error("store \(s.url): \(s.error ?? "failed")") }
        if global.json {
            output.result(json: Self.json(o))
        } else {
            output.message(
                "snapshot \(m.id.value): \(m.counts.users) users, \(m.counts.groups) groups, \(m.counts.memberships) memberships"
                    + (m.changes.map { " (\($0.short) since \(m.previous?.value ?? "?"))" } ?? "")
                    + String(format: " in %.1fs", o.seconds))
            if o.stores.contains(where: \.ok) { output.result(m.id.value) }
        }
    }
}
