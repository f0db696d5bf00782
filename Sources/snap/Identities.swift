import AWS
import Foundation
import SnapCore

/// Credentials and account per distinct `profile`/`role_arn` (and the run's own): each provider made once,
/// STS GetCallerIdentity asked once.
struct Identities {
    let ctx: Context
    private var resolved: [String: Result<(any CredentialsProvider, String), Failure>] = [:]

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(ctx: Context) { self.ctx = ctx }

    mutating func resolve(_ entry: PoolEntry) async -> Result<(any CredentialsProvider, String), Failure> {
        if let known = resolved[entry.credentialsKey] { return known }
        let result: Result<(any CredentialsProvider, String), Failure>
        do {
            let credentials = try Self.provider(entry, ctx: ctx)
            let sts = try STSClient(region: entry.effectiveRegion, environment: ctx.environment, http: ctx.http, credentials: credentials)
            let identity = try await sts.getCallerIdentity()
            guard StoreSettings.isAccountId(identity.account) else {
                throw Failure(description: "STS GetCallerIdentity named no account (\"\(identity.account)\")")
            }
            result = .success((credentials, identity.account))
        } catch {
            let origin = entry.origin.isEmpty ? "" : " (\(entry.origin))"
            result = .failure(
                Failure(
                    description:
                        "the credentials \(entry.credentialsKey)\(origin) cannot be used: \(error); check profile and role_arn in snap.toml and that STS GetCallerIdentity (and AssumeRole) are allowed"
                ))
        }
        resolved[entry.credentialsKey] = result
        return result
    }

    /// The run's own chain, the named profile, or the role assumed from either (asked for credentials
    /// only when first used).
    static func provider(_ entry: PoolEntry, ctx: Context) throws -> any CredentialsProvider {
        var base: any CredentialsProvider = ctx.credentials
        if let profile = entry.profile {
            guard let p = try ProfileCredentialsProvider(environment: ctx.environment, profile: profile).provider() else {
                throw Failure(description: "profile \"\(profile)\" is in neither shared file (~/.aws/config, ~/.aws/credentials)")
            }
            base = p
        }
        guard let role = entry.roleArn else { return base }
        let sts = try STSClient(region: entry.effectiveRegion, environment: ctx.environment, http: ctx.http)
        return AssumeRoleCredentialsProvider(roleArn: role, source: base, sts: sts)
    }
}
