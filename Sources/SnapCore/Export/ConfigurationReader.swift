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
        /// config.json's `PoolSettings` keys the pool has.
        var settings: [String: JSONValue] = [:]
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
        result.settings = try await settings(clients: result.clients, warnings: &result.warnings)
        return result
    }

    /// config.json's `PoolSettings`: threat protection, UI customization, branding per app client, log
    /// delivery, terms. A feature the pool's tier does not offer (FeatureUnavailableInTierException, an
    /// assumption as to which reads answer it) is absent, as it is from the pool.
    private func settings(clients: [JSONValue], warnings: inout [String]) async throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        func unlessUnavailable(_ read: () async throws -> JSONValue?) async throws -> JSONValue? {
            do { return try await read() } catch let AWSError.service(e) where e.code == "FeatureUnavailableInTierException" { return nil }
        }
        out["risk"] = try await unlessUnavailable { PoolSettings.risk(try await cognito.describeRiskConfiguration(poolId)) }
        out["ui"] = try await unlessUnavailable { PoolSettings.ui(try await cognito.getUICustomization(poolId)) }
        var branding: [JSONValue] = []
        for c in clients {
            guard let id = c["ClientId"]?.stringValue else { continue }
            let style = try await unlessUnavailable { try await cognito.describeManagedLoginBranding(poolId, clientId: id) }
            if let style { branding.append(PoolSettings.branding(style, clientId: id, clientName: c["ClientName"]?.stringValue ?? "")) }
        }
        if !branding.isEmpty { out["branding"] = .array(PoolSettings.sortedBranding(branding)) }
        out["logDelivery"] = try await unlessUnavailable { PoolSettings.logDelivery(try await cognito.getLogDeliveryConfiguration(poolId)) }
        let listed = try await unlessUnavailable { .array(try await cognito.listTerms(poolId)) }?.arrayValue ?? []
        let terms = try await describeEach(listed, key: "TermsId", listing: "ListTerms", kind: "terms document", warnings: &warnings) {
            PoolSettings.terms(try await cognito.describeTerms(poolId, termsId: $0))
        }
        if !terms.isEmpty { out["terms"] = .array(PoolSettings.sortedTerms(terms)) }
        return out
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
