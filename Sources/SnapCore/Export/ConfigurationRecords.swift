import AWS

/// What format 2's configuration members hold, made from the service's answers: app clients
/// (clients.jsonl), identity providers (providers.jsonl), resource servers (resource-servers.jsonl)
/// and config.json. Pure functions, so the rules are tested without a pool; `ConfigurationReader`
/// fetches what they are applied to.
///
/// - Secrets are never kept: a client's `ClientSecret` and the secret keys of an identity provider's
///   `ProviderDetails` become `{"redacted":true}`.
/// - Dates that move without a configuration change (`CreationDate`, `LastModifiedDate`) are left out.
public enum ConfigurationRecords {
    /// What a secret is recorded as.
    public static let redacted: JSONValue = ["redacted": true]

    /// Fields that change without a configuration change.
    static let volatileFields = ["CreationDate", "LastModifiedDate"]

    /// ProviderDetails keys holding a secret (API reference, CreateIdentityProvider's ProviderDetails):
    /// `client_secret` of Google, Facebook, Login with Amazon and OIDC providers, `private_key` of
    /// Sign in with Apple. SAML providers hold none (their metadata is public). Matched whatever the type,
    /// so a secret under a provider type added later is still not kept if it uses these names.
    public static let providerSecretKeys: Set<String> = ["client_secret", "private_key"]

    /// A DescribeUserPoolClient `UserPoolClient` as clients.jsonl keeps it.
    public static func client(_ described: JSONValue) -> JSONValue {
        guard var o = described.objectValue else { return described }
        for f in volatileFields { o[f] = nil }
        if o["ClientSecret"] != nil { o["ClientSecret"] = redacted }
        return .object(o)
    }

    /// A DescribeIdentityProvider `IdentityProvider` as providers.jsonl keeps it.
    public static func provider(_ described: JSONValue) -> JSONValue {
        guard var o = described.objectValue else { return described }
        for f in volatileFields { o[f] = nil }
        if var details = o["ProviderDetails"]?.objectValue {
            for key in details.keys where providerSecretKeys.contains(key) { details[key] = redacted }
            o["ProviderDetails"] = .object(details)
        }
        return .object(o)
    }

    /// The secret `client` (below) redacts from a DescribeUserPoolClient `UserPoolClient`, for secrets.enc.
    public static func clientSecret(_ described: JSONValue) -> String? {
        described["ClientSecret"]?.stringValue
    }

    /// The `ProviderDetails` fields `provider` (below) redacts from a DescribeIdentityProvider
    /// `IdentityProvider`, for secrets.enc; empty when it holds none.
    public static func providerSecrets(_ described: JSONValue) -> [String: String] {
        guard let details = described["ProviderDetails"]?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in details where providerSecretKeys.contains(key) {
            if let s = value.stringValue { out[key] = s }
        }
        return out
    }

    /// A ListResourceServers entry as resource-servers.jsonl keeps it (it carries no date or secret).
    public static func resourceServer(_ listed: JSONValue) -> JSONValue {
        guard var o = listed.objectValue else { return listed }
        for f in volatileFields { o[f] = nil }
        return .object(o)
    }

    /// clients.jsonl's order: ClientName, then ClientId (bytewise UTF-8).
    public static func sortedClients(_ clients: [JSONValue]) -> [JSONValue] {
        clients.sorted { a, b in
            let (an, bn) = (a["ClientName"]?.stringValue ?? "", b["ClientName"]?.stringValue ?? "")
            if an != bn { return JSONValue.utf8Less(an, bn) }
            return JSONValue.utf8Less(a["ClientId"]?.stringValue ?? "", b["ClientId"]?.stringValue ?? "")
        }
    }

    /// providers.jsonl's order: ProviderName (bytewise UTF-8).
    public static func sortedProviders(_ providers: [JSONValue]) -> [JSONValue] {
        providers.sorted { JSONValue.utf8Less($0["ProviderName"]?.stringValue ?? "", $1["ProviderName"]?.stringValue ?? "") }
    }

    /// resource-servers.jsonl's order: Identifier (bytewise UTF-8).
    public static func sortedResourceServers(_ servers: [JSONValue]) -> [JSONValue] {
        servers.sorted { JSONValue.utf8Less($0["Identifier"]?.stringValue ?? "", $1["Identifier"]?.stringValue ?? "") }
    }

    /// config.json: `{"mfa": GetUserPoolMfaConfig, "domain": DescribeUserPoolDomain's DomainDescription of
    /// the pool's prefix domain, "customDomain": the same of its custom domain}`; `domain` and
    /// `customDomain` are absent when the pool has no such domain. A custom domain's description keeps its
    /// CustomDomainConfig (the ACM certificate's ARN), which restoring it needs.
    ///
    /// `settings` adds the keys of `PoolSettings` (risk, ui, branding, logDelivery, terms), each only when the
    /// pool has it.
    public static func configuration(
        mfa: JSONValue, domain: JSONValue? = nil, customDomain: JSONValue? = nil, settings: [String: JSONValue] = [:]
    ) -> JSONValue {
        var o: [String: JSONValue] = ["mfa": mfa]
        if let domain { o["domain"] = domain }
        if let customDomain { o["customDomain"] = customDomain }
        for (k, v) in settings { o[k] = v }
        return .object(o)
    }

    /// A DescribeUserPoolDomain answer that describes a domain (not the empty object the service gives for
    /// a domain it does not know).
    public static func describesDomain(_ description: JSONValue) -> Bool {
        guard let o = description.objectValue, let d = o["Domain"]?.stringValue else { return false }
        return !d.isEmpty
    }
}
