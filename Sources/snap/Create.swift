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
            3 when some do, 1 when none do, 4 when another snap holds the lock. \
            With --all, every pool of snap.toml's [[pool]] tables (or --discover's), one pacer per account and \
            region: a line per pool and a total (--json: an object per pool, then {"summary"}); exit 0 when all \
            pools succeeded, 3 when some did, 1 when none did. With --sign (or sign in snap.toml) the stored \
            manifest is signed with KMS and names its predecessor's digest (verify --chain).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var notify: NotifyOptions

    @Option(
        help: ArgumentHelp(
            "How long to wait for another snap's lock, e.g. 30s, 5m (default: wait_lock in snap.toml, else 0: fail at once).",
            valueName: "DURATION"))
    var waitLock: String?

    @OptionGroup var quotas: QuotaOptions

    @OptionGroup var pools: CreateAllOptions

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

    @Option(
        help: ArgumentHelp(
            "Sign the stored manifest (it names every member's checksum and the archive's) with KMS: kms:KEY_ARN (an asymmetric key: ECDSA_SHA_256 or RSASSA_PSS_SHA_256) or hmac:KEY_ARN (GenerateMac); needs kms:Sign (kms:GenerateMac) and kms:GetPublicKey. A KMS failure fails the create: an unsigned snapshot is never written when signing was asked for (default: sign in snap.toml).",
            valueName: "KEY"))
    var sign: String?

    @Option(help: .hidden)
    var tokenLife: String = "1h"

    static let shardCounts = [1: 0, 16: 1, 256: 2, 4096: 3]

    func validate() throws {
        try pools.validate(global)
        if let shards, Self.shardCounts[shards] == nil { throw ValidationError("--shards \(shards): use 1, 16, 256 or 4096") }
        _ = try Durations.parse(maxThrottleWait, flag: "--max-throttle-wait")
        _ = try Durations.parse(tokenLife, flag: "--token-life")
        if let waitLock { _ = try Durations.parse(waitLock, flag: "--wait-lock") }
    }

    func run() async throws {
        let ctx = Context(global)
        let notice = NotifyReport()
        if pools.all || pools.discover != nil {
            // One notification for the whole run (snap.toml's top-level notify, or --notify).
            try await notify.run("create", ctx: ctx, pool: nil, report: notice) {
                try await runReportingErrors {
                    try await CreateAll(ctx: ctx, flags: flags, options: pools, quotas: quotas, notice: notice).run()
                }
            }
            return
        }
        // The pool's name for the notice only; a broken setting fails the command itself, and is reported there.
        try await notify.run("create", ctx: ctx, pool: try? ctx.configuredPool(), report: notice) {
            try await create(ctx, notice: notice)
        }
    }

    /// The flags one pool's create needs (`--all` runs it once per pool).
    var flags: CreateFlags {
        CreateFlags(
            waitLock: waitLock, shards: shards.flatMap { Self.shardCounts[$0] }, maxThrottleWait: maxThrottleWait, workDir: workDir,
            withMfa: withMfa, withSecrets: withSecrets, secretsKmsKey: secretsKmsKey, tokenLife: tokenLife, sign: sign)
    }

    private func create(_ ctx: Context, notice: NotifyReport) async throws {
        try await runReportingErrors {
            let pacer = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota)
            let outcome = try await flags.createPool(ctx, pacer: pacer, progress: ctx.output.showsProgress)
            notice.summary = Self.json(outcome)
            report(outcome, output: ctx.output)
            if outcome.noneWritten { throw ExitCode.failure }
            if !outcome.allWritten { throw ExitCode(3) }
        }
    }

    /// The snapshot's warnings and the stores that failed, on stderr.
    static func reportProblems(_ o: CreateSnapshot.Outcome, output: Output) {
        for w in o.manifest.warnings { output.message("warning: \(w)") }
        for s in o.stores where !s.ok { Output.error("store \(s.url): \(s.error ?? "failed")") }
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
        Self.reportProblems(o, output: output)
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
