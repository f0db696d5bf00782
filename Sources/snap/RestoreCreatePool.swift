import AWS
import Foundation
import SnapCore

/// `restore --create-pool NAME`: plans the pool from the snapshot (`PoolBlueprint`) and, from a
/// format-2 snapshot, its resource servers, identity providers, app clients and domain
/// (`ConfigurationBlueprint`); prints every request in order and what is not carried, and (but in a dry
/// run) sends them (`ConfigurationRebuild`), writing the client map.
struct CreatePoolStep {
    /// The snapshot's secrets.enc, decrypted (create --with-secrets); nil when it has none: clients and
    /// providers are then created with new secrets, and each is listed.
    var secrets: CapturedSecrets? = nil
    var name: String
    var region: String
    var dryRun: Bool
    var output: Output
    var domainPrefix: String? = nil
    var customDomainCertificate: String? = nil
    /// `--keep-old-sub custom:NAME`: the new pool's schema gets that attribute (`PoolBlueprint+OldSub`).
    var keepOldSub: String? = nil

    struct Result {
        /// The new pool's id ("new:NAME" in a dry run).
        var target: String
        /// The pool the restore's checks read: the new pool's DescribeUserPool, or in a dry run the snapshot's.
        var targetPool: JSONValue
        /// For the --json summary: `{"name","region","requests":[{"operation","input"}],"notes","notCarried","clientMap"}`.
        var json: JSONValue
        /// The configuration to rebuild once the target is known (nil in a dry run, and for format 1).
        var configuration: ConfigurationBlueprint?
        /// The identity providers the rebuild makes (or, in a dry run, would make): a dry run's link checks see them.
        var providers: Set<String> = []
    }

    func run(source: RestoreSource, cognito: CognitoClient) async throws -> Result {
        let config = try source.configuration()
        var blueprint = PoolBlueprint.make(from: source.pool, config: config, name: name, region: region)
        if let keepOldSub { blueprint.addOldSubAttribute(keepOldSub) }
        var rebuild = try source.configurationBlueprint(
            config: config, secrets: secrets, region: region, domainPrefix: domainPrefix,
            customDomainCertificate: customDomainCertificate)
        if rebuild != nil { try await ConfigurationRebuild(cognito: cognito, region: region).checkDomains(&rebuild!, target: nil) }
        func json(_ poolId: String) -> JSONValue {
            let steps = rebuild?.steps.map { ["operation": .string($0.operation), "input": $0.shown(poolId: poolId)] as JSONValue } ?? []
            return [
                "name": .string(name), "region": .string(region),
                "requests": .array(
                    blueprint.requests(poolId: poolId).map { ["operation": .string($0.operation), "input": $0.input] } + steps),
                "notes": .array((blueprint.notes + (rebuild?.notes ?? [])).map { .string($0) }),
                "notCarried": .array((blueprint.notCarried + (rebuild?.notCarried ?? [])).map { .string($0) }),
            ]
        }
        if dryRun {
            output.message("dry run: would create pool \(name) in \(region) with these requests, in order:")
            for r in blueprint.requests() { output.message("  \(r.operation) \(r.input.canonicalString())") }
            for s in rebuild?.steps ?? [] {
                output.message("  \(s.operation) \(s.shown(poolId: PoolBlueprint.newPoolId).canonicalString())")
            }
            for n in blueprint.notes + (rebuild?.notes ?? []) { output.message("note: \(n)") }
            for n in blueprint.notCarried + (rebuild?.notCarried ?? []) { output.message("not carried over: \(n)") }
            var planned = Result(target: "new:\(name)", targetPool: source.pool, json: json(PoolBlueprint.newPoolId))
            planned.providers = Set(rebuild?.steps.filter { $0.kind == .provider }.map(\.name) ?? [])
            return planned
        }
        let target = try await cognito.createUserPool(blueprint.request)
        output.message("created pool \(target) (\(name)) in \(region) from the snapshot's pool.json")
        var notCarried = blueprint.notCarried
        for (f, r) in zip(blueprint.followUps, blueprint.requests(poolId: target).dropFirst()) {
            do {
                _ = try await cognito.call(f.operation, category: .userPoolResourceUpdate, r.input)
                output.message("\(f.operation): set as the snapshot had it")
            } catch {
                // The pool exists: the restore goes on, and the call is listed to be made by hand.
                notCarried.append(
                    "\(f.operation) failed (\(error)); make it by hand: aws cognito-idp \(PoolBlueprint.cliName(f.operation)) --region \(region) --cli-input-json '\(r.input.canonicalString())'"
                )
            }
        }
        for n in blueprint.notes { output.message("note: \(n)") }
        for n in notCarried {
            output.message("not carried over: \(n.replacingOccurrences(of: PoolBlueprint.newPoolId, with: target))")
        }
        var result = Result(target: target, targetPool: try await cognito.describeUserPool(target), json: json(target))
        result.configuration = rebuild
        return result
    }
}

/// The configuration half of `--create-pool` (and of `--resume` after one): sends a
/// `ConfigurationBlueprint`, prints what was made and what was not, and writes the client map.
struct ConfigurationStep {
    var output: Output
    var region: String

    /// `resume`: the pool is read first, and what it has is checked, not made again.
    func run(
        _ blueprint: ConfigurationBlueprint, cognito: CognitoClient, target: String, clientMap: String, resume: Bool
    ) async throws -> ConfigurationRebuild.Result {
        let rebuild = ConfigurationRebuild(cognito: cognito, region: region)
        let r = try await rebuild.run(blueprint, poolId: target, resume: resume)
        for line in r.done { output.message(line) }
        for n in blueprint.notes { output.message("note: \(n)") }
        for n in blueprint.notCarried + r.notCarried {
            output.message("not carried over: \(n.replacingOccurrences(of: PoolBlueprint.newPoolId, with: target))")
        }
        if !r.clientMap.isEmpty {
            try ClientMapEntry.write(r.clientMap, to: clientMap)
            output.message("client map (old id -> new id, per app client): \(clientMap)")
        }
        return r
    }
}
