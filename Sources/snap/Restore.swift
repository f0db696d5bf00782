import AWS
import ArgumentParser
import Foundation
import SnapCore

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a snapshot into an empty user pool (in any region), or what a live pool lacks (--only-missing).",
        discussion: """
            --user-pool-id names the TARGET pool. The snapshot is REF (full ID, unique prefix, latest, \
            latest~N) or --at TIME, of the pool --source-pool (default SNAP_USER_POOL_ID); a full ID or \
            unique prefix is found in whichever pool's folder holds it. It is read from the first store \
            holding an intact copy, every checksum checked before anything is written.

            Before any write, every problem is listed: a target that is not empty (unless --resume), \
            custom attributes missing from its schema or of another type, a sign-in configuration \
            that cannot hold the users, required attributes users lack, users without an email or \
            phone_number where the target allows passwordless sign-in (AdminCreateUser refuses them).

            Users are created with AdminCreateUser (no message sent), every attribute but sub and the \
            service's own, verification flags as in the snapshot; in a pool that signs in by email or \
            phone that value is the username. Users that had a password (CONFIRMED, RESET_REQUIRED, \
            COMPROMISED) end CONFIRMED with a random password nobody knows, so forgot-password works; \
            users that never set one (FORCE_CHANGE_PASSWORD, UNCONFIRMED) end FORCE_CHANGE_PASSWORD, \
            as invited users; disabled users are disabled. Federated users (EXTERNAL_PROVIDER) cannot \
            be created and are listed as skipped.

            Progress is journaled (restore-<ID>-<POOL>.journal.jsonl, next to the sub map); a restore \
            that was interrupted continues with --resume, the same REF and pool: what the journal records \
            as done is checked in the pool (users, groups, memberships) and made again where it is gone. \
            Without that snapshot's journal, --resume goes on only into an empty pool; into one that holds \
            anything it is refused, naming the journals it finds (a restore of latest resumed after a new \
            snapshot became latest). A journal whose last line was cut (a kill mid-write, a full disk) is \
            read up to it, with a warning. The sub map, JSON Lines \
            {"username","oldSub","newSub"}, goes to restore-<ID>-<POOL>.submap.jsonl or --sub-map FILE.

            Before it says "restored", the pool is read back (its users, disabled users, groups and \
            memberships) and must hold exactly the plan; a difference (another writer, a trigger, a lost \
            write) is named and the restore exits 1.

            Snapshots taken with create --with-mfa: SMS and email MFA preferences (enabled, preferred) \
            are set again with AdminSetUserMFAPreference after each user is created (also after an \
            import job); a user the pool refuses them for is listed as a failure. Software tokens \
            (TOTP) cannot be carried: those users are counted and named in the report, listed in \
            restore-<ID>-<POOL>.totp-users.txt next to the sub map and marked "mustEnrolTotp":true \
            in it; they enrol again. --dry-run prints both counts.

            Linked identities (a user's identities attribute: Okta, Google, SAML...) are linked again with \
            AdminLinkProviderForUser once the user exists, journaled; --resume checks each against the user's \
            identities in the pool and never links twice. A link whose provider the target lacks does not stop \
            the restore: it is listed at the end with the reason and the aws cognito-idp \
            admin-link-provider-for-user command that makes it (--json: links.notMade). \
            --keep-old-sub custom:NAME writes each user's old sub into that custom attribute (the target \
            must have it as a String of 36 characters or more; --create-pool adds it, String, mutable, 2048); \
            a user's own value there is replaced, and noted. Federated-only users stay skipped.

            With --create-pool NAME the pool is made from the snapshot (pool.json, and config.json's MFA \
            factors in a format-2 snapshot: set with SetUserPoolMfaConfig after CreateUserPool, never \
            guessed); from format 2 its resource servers, identity providers, app clients (with their \
            old secrets when taken with --with-secrets; the client map restore-<ID>-<POOL>.clients.jsonl \
            gives each client's new id), domain, UI customization, branding, log delivery, threat \
            protection and terms follow. --dry-run prints each request in order and what is not \
            carried, with the command that finishes it (--json: createPool.requests). --resume into \
            that pool makes what is missing of them and never makes one twice.

            Exit 0 when every group, user and membership of the snapshot (skipped users aside) is in \
            the pool; 1 otherwise or when a check fails; 64 on a usage error.

            \(onlyMissingHelp)
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signatures: SignaturePolicyOptions
    @OptionGroup var notify: NotifyOptions

    @Argument(help: "The snapshot: ID, unique ID prefix, latest, latest~N, @TIME (or use --at).")
    var ref: String?

    @Option(help: ArgumentHelp("The pool the snapshot was taken of (default: SNAP_USER_POOL_ID).", valueName: "ID"))
    var sourcePool: String?

    @Option(help: ArgumentHelp("The newest snapshot at or before TIME (RFC 3339 or YYYY-MM-DD) instead of REF.", valueName: "TIME"))
    var at: String?

    @Option(
        help: ArgumentHelp(
            "Create the target pool, named NAME, from the snapshot (its settings, clients, providers, resource servers, domain) in --region (default: the source pool's), then restore into it; what cannot be carried over is listed.",
            valueName: "NAME"))
    var createPool: String?

    @Option(
        help: ArgumentHelp(
            "With --create-pool: the new pool's prefix domain, when the snapshot's prefix is taken in --region (default: the snapshot's).",
            valueName: "PREFIX"))
    var domainPrefix: String?

    @Option(
        help: ArgumentHelp(
            "With --create-pool: the ACM certificate (in us-east-1) for the snapshot's custom domain; without it the custom domain is listed, not made.",
            valueName: "ARN"))
    var customDomainCertificate: String?

    @Flag(help: "Run every check and print the plan (with --create-pool, the pool it would create); write nothing.")
    var dryRun = false

    @Flag(
        help:
            "Continue an interrupted restore of the same snapshot into the same pool (its journal says what was done; the pool is checked)."
    )
    var resume = false

    @Option(help: ArgumentHelp("Where the sub map goes (default: restore-<ID>-<POOL>.submap.jsonl here).", valueName: "FILE"))
    var subMap: String?

    @Option(
        help: ArgumentHelp(
            "Also write each restored user's old sub into this custom attribute (a String of at least 36 characters in the target; --create-pool adds it). The sub map is written as well.",
            valueName: "custom:NAME"))
    var keepOldSub: String?

    @OptionGroup var quotas: QuotaOptions

    @Option(
        help: ArgumentHelp(
            "api or import-job (default: import-job from \(RestoreMethod.importThreshold) users when --import-role-arn is given, else api).",
            valueName: "METHOD"))
    var method: RestoreMethod?

    @Option(help: ArgumentHelp("The IAM role Cognito's import jobs log to CloudWatch with (--method import-job).", valueName: "ARN"))
    var importRoleArn: String?

    @OptionGroup var onlyMissing: OnlyMissingOptions

    func validate() throws {
        guard (ref == nil) != (at == nil) else {
            throw ValidationError("name the snapshot: give REF (ID, prefix, latest, latest~N) or --at TIME, not both")
        }
        try onlyMissing.validate(createPool: createPool, method: method)
        if let createPool {
            guard global.userPoolId == nil else {
                throw ValidationError("--create-pool makes the target pool: give it or --user-pool-id, not both")
            }
            guard !resume else {
                throw ValidationError(
                    "--create-pool with --resume: resume into the pool the first run created, with --user-pool-id POOL --resume")
            }
            guard !createPool.isEmpty, createPool.count <= 128 else { throw ValidationError("--create-pool NAME: 1 to 128 characters") }
        } else {
            guard let target = global.userPoolId else {
                throw ValidationError(
                    "no target pool: pass --user-pool-id POOL (the pool to restore into; the snapshot's own pool is --source-pool), or --create-pool NAME"
                )
            }
            guard target.contains("_"), !target.hasPrefix("_") else {
                throw ValidationError("--user-pool-id \(target): not a user pool id (expected REGION_ID, e.g. eu-west-1_AbCdEf123)")
            }
        }
        if createPool == nil, domainPrefix != nil || customDomainCertificate != nil {
            throw ValidationError("--domain-prefix and --custom-domain-certificate go with --create-pool (the domain of the pool it makes)")
        }
        if let p = domainPrefix, !Self.isDomainPrefix(p) {
            throw ValidationError(
                "--domain-prefix \(p): a prefix domain is 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, and without the word aws, amazon or cognito"
            )
        }
        if let arn = customDomainCertificate, !(arn.hasPrefix("arn:aws") && arn.contains(":acm:us-east-1:")) {
            throw ValidationError(
                "--custom-domain-certificate \(arn): an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID), as Cognito's custom domains need"
            )
        }
        if dryRun && resume { throw ValidationError("--dry-run and --resume: pick one") }
        if let keepOldSub, let why = RestoreOptions.validateKeepOldSub(keepOldSub) {
            throw ValidationError("--keep-old-sub \(keepOldSub): \(why)")
        }
        if method == .importJob && importRoleArn == nil && !dryRun {
            throw ValidationError(
                "--method import-job needs --import-role-arn ARN (the CloudWatch Logs role Cognito's import jobs require)")
        }
    }

    /// A prefix domain as CreateUserPoolDomain takes it (its pattern `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`),
    /// less the reserved words the developer guide names.
    static func isDomainPrefix(_ p: String) -> Bool {
        let ok = p.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        return ok && (1...63).contains(p.utf8.count) && !p.hasPrefix("-") && !p.hasSuffix("-")
            && !["aws", "amazon", "cognito"].contains { p.contains($0) }
    }

    /// The --json summary's createPool with what the configuration step did.
    static func adding(_ r: ConfigurationRebuild.Result, to json: JSONValue) -> JSONValue {
        var o = json.objectValue ?? [:]
        o["configuration"] = [
            "made": .int(r.made), "existing": .int(r.existing), "failed": .int(r.failed),
            "notCarried": .array(r.notCarried.map { .string($0) }),
            "clientMap": .array(r.clientMap.map(\.json)),
        ]
        return .object(o)
    }

    func run() async throws {
        let ctx = Context(global)
        let notice = NotifyReport()
        try await notify.run("restore", ctx: ctx, pool: global.userPoolId, report: notice) {
            try await execute(ctx, notice: notice)
        }
    }

    private func execute(_ ctx: Context, notice: NotifyReport) async throws {
        if onlyMissing.onlyMissing { return try await executeOnlyMissing(ctx, notice: notice) }
        let output = ctx.output
        try await runReportingErrors {
            let started = ContinuousClock.now
            var target = global.userPoolId ?? ""
            let catalog = Catalog(stores: try ctx.stores())
            let (sourcePool, entry) = try await findSnapshot(catalog: catalog, ctx: ctx)
            let id = entry.id.value
            output.message(
                "snapshot \(id) of \(sourcePool) (\(entry.manifest.createdAt)): \(entry.manifest.counts.users) users, \(entry.manifest.counts.groups) groups, \(entry.manifest.counts.memberships) memberships"
            )

            let source = try await RestoreSource.open(catalog: catalog, entry: entry, pool: sourcePool) {
                output.message("warning: \($0); trying the next store")
            }
            defer { source.remove() }
            let store = source.store
            if store != entry.stores.first {
                output.message("read the intact copy in \(store)")
            }

            let region = createPool == nil ? ctx.region(forPool: target) : global.region ?? ctx.region(forPool: sourcePool)
            let pacer = try ctx.pacer(share: quotas.quotaShare, quotas: quotas.quota)
            let cognito = try ctx.cognito(region: region, http: HTTPClient(maxIdleHandles: 96), pacer: pacer)
            let targetPool: JSONValue
            var createdPool: JSONValue?
            var plannedProviders: Set<String> = []
            if let createPool {
                var create = CreatePoolStep(
                    name: createPool, region: region, dryRun: dryRun, output: output, domainPrefix: domainPrefix,
                    customDomainCertificate: customDomainCertificate, keepOldSub: keepOldSub)
                create.secrets = try await source.secrets(kms: try ctx.kms(keyArn: source.secretsKeyArn, region: region))
                let step = try await create.run(source: source, cognito: cognito)
                target = step.target
                // A dry run checks against the snapshot's pool.json: with the attribute the new pool would get.
                targetPool =
                    dryRun ? keepOldSub.map { PoolBlueprint.withOldSubAttribute(step.targetPool, $0) } ?? step.targetPool : step.targetPool
                createdPool = step.json
                plannedProviders = step.providers
                if let configuration = step.configuration {
                    let journal = RestorePaths(snapshot: id, target: target, subMap: subMap).journal
                    let r = try await ConfigurationStep(output: output, region: region).run(
                        configuration, cognito: cognito, target: target,
                        clientMap: ClientMapEntry.path(journal: journal, snapshot: id, target: target), resume: false)
                    createdPool = Self.adding(r, to: step.json)
                }
            } else {
                do {
                    targetPool = try await cognito.describeUserPool(target)
                } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                    throw SnapError.poolNotFound(pool: target, region: region)
                }
            }
            let config = PoolConfiguration(pool: targetPool)
            let fresh = resume || createPool != nil
            let users = fresh ? [] : try await cognito.sampleUsers(target, limit: 5)
            let groups = fresh ? [] : try await cognito.sampleGroups(target, limit: 5)
            var plan = try source.plan(
                target: config, targetUsers: users, targetGroups: groups, resume: resume, options: RestoreOptions(keepOldSub: keepOldSub))
            if plan.hasLinks {
                // A pool this dry run would create has the providers its rebuild would make; a real one says which it has
                // (--create-pool made them before this).
                let providers =
                    createPool != nil && dryRun
                    ? plannedProviders : Set(try await cognito.listIdentityProviders(target).compactMap { $0["ProviderName"]?.stringValue })
                plan.resolveLinks(targetProviders: providers)
            }

            let paths = RestorePaths(snapshot: id, target: target, subMap: subMap)
            let subMapPath = paths.subMap, journalPath = paths.journal
            let clientMapPath = ClientMapEntry.path(journal: journalPath, snapshot: id, target: target)
            if resume, FileManager.default.fileExists(atPath: clientMapPath),
                var b = try source.configurationBlueprint(
                    config: try source.configuration(),
                    secrets: try await source.secrets(kms: try ctx.kms(keyArn: source.secretsKeyArn, region: region)),
                    region: region, domainPrefix: domainPrefix, customDomainCertificate: customDomainCertificate)
            {
                // The first run was --create-pool (it wrote the client map): what it had not made yet is made now,
                // what it had is checked against the pool, never made twice.
                try await ConfigurationRebuild(cognito: cognito, region: region).checkDomains(&b, target: target)
                output.message("resuming the configuration --create-pool began (the client map \(clientMapPath) says so)")
                let r = try await ConfigurationStep(output: output, region: region).run(
                    b, cognito: cognito, target: target, clientMap: clientMapPath, resume: true)
                createdPool = Self.adding(r, to: ["name": .null, "region": .string(region)])
            }
            var rates: [QuotaCategory: Double] = [:]
            for c in QuotaCategory.allCases { rates[c] = await pacer.rate(of: c) }
            let estimate = plan.estimatedSeconds { rates[$0]! }
            var summary = Summary(
                snapshot: id, sourcePool: sourcePool, targetPool: target, store: store, dryRun: dryRun, plan: plan,
                estimate: estimate, subMap: subMapPath, journal: journalPath)
            summary.createPool = createdPool

            notice.summary = summary.json
            if !plan.problems.isEmpty {
                if global.json { output.result(json: summary.json) }
                Output.error("cannot restore \(id) into \(target): \(plan.problems.count) problem(s); nothing was written:")
                for p in plan.problems { StandardStreams.err(Data("  - \(p)\n".utf8)) }
                throw ExitCode.failure
            }
            let chosen = RestoreMethod.choose(method, users: plan.userCount, roleArn: importRoleArn)
            var importSettings: ImportSettings?
            if chosen.method == .importJob {
                let csv = ImportCSV(header: try await cognito.getCSVHeader(target), target: config)
                if let refusal = csv.refusal {
                    Output.error("cannot restore \(id) into \(target) by import job: \(refusal); nothing was written")
                    throw ExitCode.failure
                }
                let split = try source.importSplit(plan: plan, csv: csv, write: !dryRun)
                output.message(
                    "method import-job (\(chosen.why)): \(split.chunks.count) job(s) for \(split.carried) users; \(plan.userCount - split.carried) through the API"
                )
                for c in split.chunks {
                    output.message("  job \(c.index): \(c.users) users (\(c.first) ... \(c.last)), \(c.bytes) bytes of CSV")
                }
                for (why, n) in split.byAPI.sorted(by: { $0.value > $1.value }) {
                    output.message("  through the API: \(n) user(s): \(why.rawValue)")
                }
                summary.importJobs = split.chunks.map { ["index": .int($0.index), "users": .int($0.users), "bytes": .int($0.bytes)] }
                importSettings = ImportSettings(
                    csv: csv, roleArn: importRoleArn ?? "", split: split, snapshotId: id, log: { output.message($0) })
                if let wait = TestHooks.importWait { importSettings?.activeJobWait = wait }
            } else {
                output.message("method api (\(chosen.why))")
            }
            summary.method = chosen.method.rawValue
            for n in plan.notes { output.message("note: \(n)") }
            for s in plan.skipped { output.message("skipped: \(s.username): \(s.reason)") }
            output.message(planLine(plan, estimate: estimate, rates: rates))
            for l in MFAReport.planLines(plan, manifest: entry.manifest, targetPool: targetPool) { output.message(l) }
            for l in LinkReport.planLines(plan) { output.message(l) }
            notice.summary = summary.json
            if dryRun {
                if global.json {
                    output.result(json: summary.json)
                } else {
                    output.result("dry run: all checks passed; nothing was written")
                }
                return
            }

            var prior: JournalIndex?
            if resume {
                prior = try await ResumeGate.open(journal: journalPath, snapshot: id, target: target, source: source) {
                    (try await cognito.sampleUsers(target, limit: 5), try await cognito.sampleGroups(target, limit: 5))
                }
                if let index = prior {
                    if let cut = index.cutLine { output.message("warning: \(ResumeGate.cutWarning(journal: journalPath, line: cut))") }
                    output.message(
                        "resuming: the journal records \(index.groups.count) groups, \(index.users) users, \(index.members) memberships done; each is checked against the pool"
                    )
                } else {
                    output.message("resuming: no journal at \(journalPath) and \(target) is empty: the restore starts from the beginning")
                }
            }
            let journal = try RestoreJournal(path: journalPath, truncate: !resume)
            if prior?.snapshot == nil { try await journal.append(.start(snapshot: id, target: target, source: sourcePool)) }

            let kill = TestHooks.killAfterWrites
            var progress: (@Sendable (RestoreProgress) -> Void)?
            let meter = ProgressMeter(output: output, label: "restoring", unit: "writes")
            if meter.isShown {
                let totals = (plan.groups.count, plan.userCount, plan.passwords, plan.disables, plan.membershipCount)
                let all = totals.0 + totals.1 + totals.2 + totals.3 + totals.4
                progress = { p in
                    meter.set(
                        done: p.groups + p.users + p.passwords + p.disabled + p.memberships, total: all,
                        detail:
                            "groups \(p.groups)/\(totals.0)  users \(p.users)/\(totals.1)  passwords \(p.passwords)/\(totals.2)  disabled \(p.disabled)/\(totals.3)  memberships \(p.memberships)/\(totals.4)\(p.failures > 0 ? "  failures \(p.failures)" : "")"
                    )
                }
            }
            let subMapWriter = try SubMapWriter(path: subMapPath)
            var executor = RestoreExecutor(
                cognito: cognito, pacer: pacer, source: source, plan: plan, journal: journal, prior: prior, subMap: subMapWriter,
                passwordPolicy: config.passwordPolicy, killAfterWrites: kill, progress: progress)
            executor.importJobs = importSettings
            let outcome = try await executor.run()
            output.endProgress()
            try await subMapWriter.close()
            // Check, don't trust: a complete outcome is what the service acknowledged (and, resuming, what the
            // journal says); the pool itself must hold exactly the plan before this says "restored".
            var differences: [String] = []
            if outcome.complete {
                let planned = RestoreReadBack.expected(plan)
                let found = try await RestoreReadBack.read(cognito: cognito, poolId: target, plannedUsers: plan.userCount)
                differences = planned.differences(found)
                summary.readBack = found
                summary.readBackDifferences = differences
            }
            let elapsed = started.duration(to: .now)
            summary.outcome = outcome
            summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            notice.summary = summary.json
            report(summary, outcome: outcome, output: output)
            if !outcome.complete || !differences.isEmpty { throw ExitCode.failure }
        }
    }

    /// In --source-pool (else SNAP_USER_POOL_ID or user_pool_id in snap.toml); with none, wherever it is.
    func findSnapshot(catalog: Catalog, ctx: Context) async throws -> (String, Catalog.Entry) {
        let pool: String?
        if let sourcePool {
            pool = sourcePool
        } else if let env = ctx.environment["SNAP_USER_POOL_ID"] {
            pool = env
        } else {
            pool = try ctx.config().userPoolId
        }
        let output = ctx.output
        let found = try await SnapshotLookup(catalog: catalog) { output.message("warning: \($0)") }.find(
            SnapshotRef(ref: ref, at: at), pool: pool)
        try await signatures.enforce(ctx, pool: found.pool, entry: found.entry)
        return (found.pool, found.entry)
    }

    // MARK: Reporting

    private func planLine(_ plan: RestorePlan, estimate: Double, rates: [QuotaCategory: Double]) -> String {
        let bottleneck = plan.calls.max { a, b in Double(a.value) / rates[a.key]! < Double(b.value) / rates[b.key]! }
        var line =
            "plan: \(plan.groups.count) groups, \(plan.userCount) users (\(plan.passwords) passwords to set, \(plan.disables) to disable), \(plan.membershipCount) memberships"
        if plan.skippedCount > 0 {
            line += "; \(plan.skippedCount) federated users and \(plan.skippedMemberships) of their memberships skipped"
        }
        line += String(format: "; at least %.0fs at the configured quotas", estimate.rounded(.up))
        if let b = bottleneck, b.value > 0 { line += " (bottleneck \(b.key.rawValue) at " + String(format: "%.1f/s)", rates[b.key]!) }
        return line
    }

    private func report(_ s: Summary, outcome o: RestoreOutcome, output: Output) {
        RestoreReport.failures(o)
        if !s.readBackDifferences.isEmpty {
            Output.error(
                "read back: every planned write was acknowledged, but \(s.targetPool) does not hold what was planned: \(s.readBackDifferences.joined(separator: "; ")). Something else wrote to the pool during the restore (another process, a Lambda trigger), or a write was lost: see what differs with `snap diff \(s.snapshot) pool:\(s.targetPool) --map \(s.subMap)`"
            )
        }
        if global.json {
            output.result(json: s.json)
            return
        }
        output.message(RestoreReport.counts(o))
        if s.plan.skippedCount > 0 {
            output.message(
                "skipped \(s.plan.skippedCount) federated user(s): \(s.plan.skipped.map(\.username).prefix(20).joined(separator: ", "))")
        }
        if o.fallbackCount > 0 {
            output.message(
                "\(o.fallbackCount) user(s) the import jobs failed or skipped were created through the API: \(o.fallbacks.prefix(20).joined(separator: ", "))\(o.fallbackCount > 20 ? ", ..." : "")"
            )
        }
        if o.trimmedCount > 0 {
            output.message(
                "\(o.trimmedCount) imported user(s) had values Cognito's import trimmed of leading or trailing white space (the pool holds the trimmed value): \(o.trimmed.prefix(20).joined(separator: ", "))\(o.trimmedCount > 20 ? ", ..." : "")"
            )
        }
        for l in MFAReport.outcomeLines(o) { output.message(l) }
        for l in LinkReport.outcomeLines(o) { output.message(l) }
        output.message("sub map: \(s.subMap)")
        if let found = s.readBack, s.readBackDifferences.isEmpty {
            output.message("read back: \(s.targetPool) holds \(found.summary), as planned")
        }
        output.result(
            !o.complete
                ? "restore of \(s.snapshot) into \(s.targetPool) is incomplete: \(o.failureCount) failure(s); fix them and run again with --resume"
                : s.readBackDifferences.isEmpty
                    ? String(format: "restored \(s.snapshot) into \(s.targetPool) in %.1fs", s.seconds)
                    : "restore of \(s.snapshot) into \(s.targetPool) wrote everything planned, but the pool differs from the plan (read back above)"
        )
    }
}

/// How users are created. The default goes by size: see `RestoreMethod.choose`.
enum RestoreMethod: String, ExpressibleByArgument, Sendable {
    case api
    case importJob = "import-job"

    /// From this many users an import job is the default (given a role for it). Below it the API
    /// path is quick anyway (the password calls of 50,000 users take about 35 minutes at 30/s and
    /// an 0.8 share, about what an import job's queueing, upload and polling cost) and needs no IAM
    /// role; above it AdminSetUserPassword, one call per user at a fixed 30/s (UserAccountRecovery), dominates the API
    /// path (12 hours per million users), while an import job needs no password call at all.
    static let importThreshold = 50_000

    static func choose(_ given: RestoreMethod?, users: Int, roleArn: String?) -> (method: RestoreMethod, why: String) {
        if let given { return (given, "as asked") }
        if users < importThreshold { return (.api, "\(users) users, below \(importThreshold)") }
        if roleArn == nil {
            return (.api, "\(users) users; import jobs need --import-role-arn, so the API method is used")
        }
        return (.importJob, "\(users) users, \(importThreshold) or more")
    }
}

/// The --json summary.
private struct Summary {
    var snapshot: String
    var sourcePool: String
    var targetPool: String
    var store: String
    var dryRun: Bool
    var plan: RestorePlan
    var estimate: Double
    var subMap: String
    var journal: String
    var outcome: RestoreOutcome?
    var seconds: Double = 0
    var method = "api"
    var importJobs: [JSONValue] = []
    /// `--create-pool`: the requests sent (or, in a dry run, planned) and what was not carried.
    var createPool: JSONValue?
    /// What the pool held after a complete restore, and how that differs from the plan.
    var readBack: RestoreReadBack?
    var readBackDifferences: [String] = []

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "snapshot": .string(snapshot), "sourcePool": .string(sourcePool), "targetPool": .string(targetPool),
            "store": .string(store), "dryRun": .bool(dryRun),
            "problems": .array(plan.problems.map { .string($0) }),
            "notes": .array(plan.notes.map { .string($0) }),
            "plan": [
                "groups": .int(plan.groups.count), "users": .int(plan.userCount), "passwords": .int(plan.passwords),
                "disabled": .int(plan.disables), "memberships": .int(plan.membershipCount),
                "estimatedSeconds": .number(String(format: "%.1f", estimate)),
            ],
            "skipped": .array(plan.skipped.map { ["username": .string($0.username), "reason": .string($0.reason)] }),
            "skippedCount": .int(plan.skippedCount),
            "method": .string(method),
            "importJobs": .array(importJobs),
            "skippedMemberships": .int(plan.skippedMemberships),
            "mfa": MFAReport.json(plan: plan, outcome: outcome),
            "links": LinkReport.json(plan: plan, outcome: outcome),
            "keepOldSub": plan.options.keepOldSub.map { .string($0) } ?? .null,
        ]
        if let createPool { o["createPool"] = createPool }
        if let outcome {
            func count(_ c: RestoreOutcome.Count) -> JSONValue {
                ["planned": .int(c.planned), "written": .int(c.written), "existing": .int(c.existing), "failed": .int(c.failed)]
            }
            o["counts"] = [
                "groups": count(outcome.groups), "users": count(outcome.users), "passwords": count(outcome.passwords),
                "disabled": count(outcome.disabled), "memberships": count(outcome.memberships), "links": count(outcome.links),
            ]
            o["failures"] = .array(outcome.failures.map { .string($0) })
            o["failureCount"] = .int(outcome.failureCount)
            o["imported"] = [
                "carried": .int(outcome.importCarried), "fallbacks": .int(outcome.fallbackCount),
                "trimmed": .int(outcome.trimmedCount),
                "jobs": .array(
                    outcome.importJobs.map {
                        [
                            "index": .int($0.index), "jobId": $0.jobId.map { .string($0) } ?? .null, "status": .string($0.status),
                            "users": .int($0.users), "imported": $0.imported.map { .int($0) } ?? .null,
                            "failed": $0.failed.map { .int($0) } ?? .null,
                        ]
                    }),
            ]
            o["subMap"] = .string(subMap)
            o["journal"] = .string(journal)
            o["seconds"] = .number(String(format: "%.3f", seconds))
            if let readBack {
                o["readBack"] = [
                    "pool": readBack.json, "differences": .array(readBackDifferences.map { .string($0) }),
                ]
            }
            o["ok"] = .bool(outcome.complete && readBackDifferences.isEmpty)
        } else {
            o["ok"] = .bool(plan.problems.isEmpty)
        }
        return .object(o)
    }
}
