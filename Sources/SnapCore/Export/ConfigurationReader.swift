import AWS

/// Reads the pool's configuration beyond DescribeUserPool for format 2: app clients, identity
/// providers, resource servers and domains, made into archive records by `ConfigurationRecords`.
///
/// Every call's refusal fails the export naming the operation (an IAM policy without
/// cognito-idp:DescribeUserPoolClient, say): a snapshot silently missing its clients would be
/// restored as a pool without them. An app client or identity provider deleted between its listing
/// and its description is left out with a warning, as a user deleted during the export is.
struct ConfigurationReader {
    let cognito: CognitoClient
    let poolId: String
    /// `create --with-secrets`: keep, in `Result.secrets`, the secrets the records hold redacted.
    var capturesSecrets = false

    struct Result {
        /// Records in archive order (sorted, secrets redacted, volatile dates left out).
        var clients: [JSONValue] = []
        var providers: [JSONValue] = []
        var resourceServers: [JSONValue] = []
        var domain: JSONValue?
        var customDomain: JSONValue?
        var warnings: [String] = []
        /// The plaintext secrets, by ClientId and ProviderName (with `capturesSecrets`; else empty).
        /// In memory only, until `SecretsEnvelope` seals them into secrets.enc.
        var secrets = CapturedSecrets()
    }

    /// `pool`: DescribeUserPool's `UserPool`, whose `Domain` and `CustomDomain` name the domains.
    func read(pool: JSONValue) async throws -> Result {
        var result = Result()
        var captured = CapturedSecrets()
        result.clients = ConfigurationRecords.sortedClients(
            try await describeEach(
                try await cognito.listUserPoolClients(poolId), key: "ClientId", listing: "ListUserPoolClients", kind: "app client",
                warnings: &result.warnings
            ) { id in
                let described = try await cognito.describeUserPoolClient(poolId, clientId: id)
                if capturesSecrets, let secret = ConfigurationRecords.clientSecret(described) { captured.clients[id] = secret }
                return ConfigurationRecords.client(described)
            })
        result.providers = ConfigurationRecords.sortedProviders(
            try await describeEach(
                try await cognito.listIdentityProviders(poolId), key: "ProviderName", listing: "ListIdentityProviders",
                kind: "identity provider", warnings: &result.warnings
            ) { name in
                let described = try await cognito.describeIdentityProvider(poolId, providerName: name)
                let fields = ConfigurationRecords.providerSecrets(described)
                if capturesSecrets, !fields.isEmpty { captured.providers[name] = fields }
                return ConfigurationRecords.provider(described)
            })

        result.secrets = captured

        result.resourceServers = ConfigurationRecords.sortedResourceServers(
            try await cognito.listResourceServers(poolId).map(ConfigurationRecords.resourceServer))

        result.domain = try await domain(pool["Domain"]?.stringValue, warnings: &result.warnings)
        result.customDomain = try await domain(pool["CustomDomain"]?.stringValue, warnings: &result.warnings)
        return result
    }

    /// Each listed entry described by its `key` field: an entry without it is an error naming the
    /// listing; one deleted between its listing and its description is left out with a warning.
    private func describeEach(
        _ listed: [JSONValue], key: String, listing: String, kind: String, warnings: inout [String],
        describe: (String) async throws -> JSONValue
    ) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        for entry in listed {
            guard let name = entry[key]?.stringValue else {
                throw AWSError.invalidResponse(service: "cognito-idp", operation: listing, reason: "an entry without \(key)")
            }
            do {
                out.append(try await describe(name))
            } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                warnings.append("\(kind) \(name) was deleted during the export; left out")
            }
        }
        return out
    }

    /// DescribeUserPoolDomain's description of `name`, or nil when the pool names none; a domain the
    /// service no longer knows (deleted since DescribeUserPool) is left out with a warning.
    private func domain(_ name: String?, warnings: inout [String]) async throws -> JSONValue? {
        guard let name, !name.isEmpty else { return nil }
        let description = try await cognito.describeUserPoolDomain(name)
        guard ConfigurationRecords.describesDomain(description) else {
            warnings.append("domain \(name) was deleted during the export; left out")
            return nil
        }
        return description
    }
}
