import AWS
import ArgumentParser
import Foundation
import SnapCore

/// What a command needs, resolved once from flags and environment
/// (flags first, then environment).
struct Context {
    let options: GlobalOptions
    let environment: AWSEnvironment
    let output: Output

    init(_ options: GlobalOptions, environment: AWSEnvironment = AWSEnvironment()) {
        self.options = options
        self.environment = environment
        self.output = Output(json: options.json, quiet: options.quiet)
    }

    /// The configured pool, or a usage error saying how to set it.
    func poolId() throws -> String {
        guard let id = options.userPoolId ?? environment["SNAP_USER_POOL_ID"] else {
            throw ValidationError("no user pool: pass --user-pool-id ID or set SNAP_USER_POOL_ID")
        }
        guard id.contains("_"), !id.hasPrefix("_") else {
            throw ValidationError("--user-pool-id \(id): not a user pool id (expected REGION_ID, e.g. us-east-1_AbCdEf123)")
        }
        return id
    }

    /// The pool's region: --region, else the pool id's prefix.
    func region(forPool pool: String) -> String {
        options.region ?? String(pool.prefix { $0 != "_" })
    }

    func storeURLs() -> [String] {
        if !options.stores.isEmpty { return options.stores }
        if let env = environment["SNAP_STORES"] {
            return env.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return ["./snapshots"]
    }

    func stores() throws -> [any SnapshotStore] {
        try storeURLs().map { text in
            switch try StoreURL(text) {
            case .local(let path): return LocalStore(root: path, url: text)
            case .s3:
                throw SnapError.configuration("store \(text): S3 stores are not available in this version of snap yet; use a local folder")
            }
        }
    }

    func cognito(region: String, http: HTTPClient, pacer: QuotaPacer) throws -> CognitoClient {
        try CognitoClient(
            region: region, environment: environment, http: http, credentials: CredentialsChain(environment: environment),
            pacer: pacer)
    }
}
