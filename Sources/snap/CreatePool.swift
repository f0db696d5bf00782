import AWS
import ArgumentParser
import Foundation
import SnapCore

/// What one pool's `snap create` needs from its flags: the one pool of a plain create, or each pool of
/// `create --all` (whose context then carries the pool's id, stores and settings).
struct CreateFlags: Sendable {
    var waitLock: String?
    /// Sub-prefix digits (0-3) from `--shards`; nil: from the pool's size.
    var shards: Int?
    var maxThrottleWait: String
    var workDir: String?
    var withMfa: Bool?
    var withSecrets: Bool?
    var secretsKmsKey: String?
    var tokenLife: String
    /// `--sign KEY`; nil: `sign` in snap.toml (the pool's, else the file's), else unsigned.
    var sign: String?

    /// Exports the context's pool, paced by `pacer`, and writes the snapshot to its stores. Prints its log
    /// lines (and, with `progress`, a progress line); reports nothing else.
    func createPool(_ ctx: Context, pacer: QuotaPacer, progress showProgress: Bool) async throws -> CreateSnapshot.Outcome {
        let pool = try ctx.poolId()
        let region = ctx.region(forPool: pool)
        let stores = try ctx.stores()
        let wait = try Durations.parse(waitLock ?? ctx.config().waitLock ?? "0s", flag: "--wait-lock")
        await pacer.setMaxThrottleWait(try Durations.parse(maxThrottleWait, flag: "--max-throttle-wait"))
        let cognito = try ctx.cognito(region: region, http: ctx.http, pacer: pacer)
        let output = ctx.output
        var exporter = Exporter(
            cognito: cognito, poolId: pool, prefixLength: shards,
            tokenLife: try Durations.parse(tokenLife, flag: "--token-life"), checkScratch: !TestHooks.skipScratchCheck)
        exporter.withMFA = try withMfa ?? ctx.config().withMFA ?? false
        exporter.log = { output.message($0) }
        let secrets = try secretsKey(ctx, region: region)
        exporter.withSecrets = secrets != nil
        var create = CreateSnapshot(
            exporter: exporter, stores: stores, waitLock: wait, tool: Snap.versionText,
            workBase: try workDir ?? ctx.config().workDir, log: { output.message($0) })
        create.secrets = secrets
        if let key = try Signing.key(ctx, flag: sign) { create.sign = Signing.closure(try Signing.signer(ctx, key: key)) }
        var progress: (@Sendable (ExportProgress) -> Void)?
        if showProgress {
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
        if showProgress { output.endProgress() }
        return outcome
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
}
