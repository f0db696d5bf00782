import AWS
import Foundation
import SnapCore

/// `restore --create-pool NAME`: plans the pool from the snapshot (`PoolBlueprint`), prints every
/// request in order and what is not carried, and (but in a dry run) sends them.
struct CreatePoolStep {
    /// The snapshot's secrets.enc, decrypted (create --with-secrets); nil when it has none: clients and
    /// providers are then created with new secrets, and each is listed.
    var secrets: CapturedSecrets? = nil
    var name: String
    var region: String
    var dryRun: Bool
    var output: Output
    /// `--keep-old-sub custom:NAME`: the new pool's schema gets that attribute (`PoolBlueprint+OldSub`).
    var keepOldSub: String? = nil

    struct Result {
        /// The new pool's id ("new:NAME" in a dry run).
        var target: String
        /// The pool the restore's checks read: the new pool's DescribeUserPool, or in a dry run the snapshot's.
        var targetPool: JSONValue
        /// For the --json summary: `{"name","region","requests":[{"operation","input"}],"notes","notCarried"}`.
        var json: JSONValue
    }

    func run(source: RestoreSource, cognito: CognitoClient) async throws -> Result {
        var blueprint = PoolBlueprint.make(from: source.pool, config: try source.configuration(), name: name, region: region)
        if let keepOldSub { blueprint.addOldSubAttribute(keepOldSub) }
        func json(_ poolId: String) -> JSONValue {
            [
                "name": .string(name), "region": .string(region),
                "requests": .array(blueprint.requests(poolId: poolId).map { ["operation": .string($0.operation), "input": $0.input] }),
                "notes": .array(blueprint.notes.map { .string($0) }),
                "notCarried": .array(blueprint.notCarried.map { .string($0) }),
            ]
        }
        if dryRun {
            output.message("dry run: would create pool \(name) in \(region) with these requests, in order:")
            for r in blueprint.requests() { output.message("  \(r.operation) \(r.input.canonicalString())") }
            for n in blueprint.notes { output.message("note: \(n)") }
            for n in blueprint.notCarried { output.message("not carried over: \(n)") }
            return Result(target: "new:\(name)", targetPool: source.pool, json: json(PoolBlueprint.newPoolId))
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
                    "\(f.operation) failed (\(error)); make it by hand: aws cognito-idp \(Self.cliName(f.operation)) --region \(region) --cli-input-json '\(r.input.canonicalString())'"
                )
            }
        }
        for n in blueprint.notes { output.message("note: \(n)") }
        for n in notCarried {
            output.message("not carried over: \(n.replacingOccurrences(of: PoolBlueprint.newPoolId, with: target))")
        }
        return Result(target: target, targetPool: try await cognito.describeUserPool(target), json: json(target))
    }

    /// SetUserPoolMfaConfig -> set-user-pool-mfa-config.
    static func cliName(_ operation: String) -> String {
        var out = ""
        for (i, c) in operation.enumerated() {
            if c.isUppercase && i > 0 { out += "-" }
            out += c.lowercased()
        }
        return out
    }
}
