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

    struct Result {
        /// Records in archive order (sorted, secrets redacted, volatile dates left out).
        var clients: [JSONValue] = []
        var providers: [JSONValue] = []
        var resourceServers: [JSONValue] = []
        var domain: JSONValue?
        var customDomain: JSONValue?
        var warnings: [String] = []
    }

    /// `pool`: DescribeUserPool's `UserPool`, whose `Domain` and `CustomDomain` name the domains.
    func read(pool: JSONValue) async throws -> Result {
        var result = Result()
        var clients: [JSONValue] = []
        for listed in try await cognito.listUserPoolClients(poolId) {
            guard let id = listed["ClientId"]?.stringValue else {
                throw AWSError.invalidResponse(
                    service: "cognito-idp", operation: "ListUserPoolClients", reason: "an entry without ClientId")
            }
            do {
                clients.append(ConfigurationRecords.client(try await cognito.describeUserPoolClient(poolId, clientId: id)))
            } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                result.warnings.append("app client \(id) was deleted during the export; left out")
            }
        }
        result.clients = ConfigurationRecords.sortedClients(clients)

        var providers: [JSONValue] = []
        for listed in try await cognito.listIdentityProviders(poolId) {
            guard let name = listed["ProviderName"]?.stringValue else {
                throw AWSError.invalidResponse(
                    service: "cognito-idp", operation: "ListIdentityProviders", reason: "an entry without ProviderName")
            }
            do {
                providers.append(ConfigurationRecords.provider(try await cognito.describeIdentityProvider(poolId, providerName: name)))
            } catch let AWSError.service(e) where e.code == "ResourceNotFoundException" {
                result.warnings.append("identity provider \(name) was deleted during the export; left out")
            }
        }
        result.providers = ConfigurationRecords.sortedProviders(providers)

        result.resourceServers = ConfigurationRecords.sortedResourceServers(
            try await cognito.listResourceServers(poolId).map(ConfigurationRecords.resourceServer))

        result.domain = try await domain(pool["Domain"]?.stringValue, warnings: &result.warnings)
        result.customDomain = try await domain(pool["CustomDomain"]?.stringValue, warnings: &result.warnings)
        return result
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
