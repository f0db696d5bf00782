import AWS

/// `restore --create-pool`, after the pool and its MFA: the calls that rebuild a format-2 snapshot's
/// resource servers, identity providers, app clients and domain (issue 21, item 4), in that order
/// (a client's scopes name resource servers, its SupportedIdentityProviders name providers), and what
/// cannot be carried, each with the reason and the command that finishes it by hand.
///
/// - A client keeps its name and settings; its secret is the captured one (`ClientSecret`, from
///   secrets.enc) when the snapshot has it, else Cognito makes a new one (`GenerateSecret`), listed.
/// - A provider whose secret was not captured is not created (the service needs it): it is listed, and
///   taken out of the clients' SupportedIdentityProviders, which the service would otherwise refuse.
/// - The prefix domain keeps its prefix unless `--domain-prefix` gives another; a custom domain needs
///   `--custom-domain-certificate` (an ACM certificate in us-east-1), else it is listed.
/// Pure: the caller checks what already exists (`--resume`) and sends the requests.
public struct ConfigurationBlueprint: Sendable {
    public enum Kind: String, Sendable {
        case resourceServer = "resource-server"
        case provider
        case client
        case domain
        case risk
        case ui
        case branding
        case logDelivery = "log-delivery"
        case terms
    }

    /// A secret put into a request only when it is sent; printed as `SecretFill.shown`.
    public enum SecretFill: Sendable, CustomStringConvertible {
        case clientSecret(String)
        case providerDetails([String: String])

        /// What a printed request shows in the secret's place.
        public static let shown: JSONValue = "<from secrets.enc>"
        public var description: String { "<secret>" }
    }

    public struct Step: Sendable {
        public var kind: Kind
        /// Identifier, ProviderName, ClientName or the domain.
        public var name: String
        public var operation: String
        public var category: QuotaCategory
        /// The request without UserPoolId; a secret shows as `SecretFill.shown`.
        public var input: JSONValue
        var secret: SecretFill?
        /// A client's id in the snapshot's pool (the client map's left side).
        public var oldClientId: String?
        /// A branding style's or terms document's app client, by its id in the snapshot's pool: the request's
        /// ClientId becomes the new client's id when it is sent.
        public var clientRef: String?

        /// The request as printed (dry run, --json): secrets shown as `SecretFill.shown`.
        public func shown(poolId: String) -> JSONValue { with(poolId: poolId, input) }

        /// The request as sent: with the secret.
        public func request(poolId: String) -> JSONValue {
            var o = input.objectValue ?? [:]
            switch secret {
            case .clientSecret(let s)?: o["ClientSecret"] = .string(s)
            case .providerDetails(let fields)?:
                var d = o["ProviderDetails"]?.objectValue ?? [:]
                for (k, v) in fields { d[k] = .string(v) }
                o["ProviderDetails"] = .object(d)
            case nil: break
            }
            return with(poolId: poolId, .object(o))
        }

        private func with(poolId: String, _ input: JSONValue) -> JSONValue {
            var o = input.objectValue ?? [:]
            o["UserPoolId"] = .string(poolId)
            return .object(o)
        }
    }

    public var steps: [Step]
    /// Carried, but otherwise than the snapshot had it.
    public var notes: [String]
    /// Not carried: the reason and the command that finishes it by hand.
    public var notCarried: [String]

    /// CreateUserPoolClient's members that DescribeUserPoolClient also returns (the API reference's
    /// request syntax); a described field outside this list and `describedOnly` is listed, not guessed.
    static let clientSettings: Set<String> = [
        "ClientName", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits",
        "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders", "CallbackURLs",
        "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes", "AllowedOAuthFlowsUserPoolClient",
        "AnalyticsConfiguration", "PreventUserExistenceErrors", "EnableTokenRevocation",
        "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation",
    ]
    /// What DescribeUserPoolClient returns that is the pool's or the service's, never a setting.
    static let describedOnly: Set<String> = ["UserPoolId", "ClientId", "ClientSecret", "CreationDate", "LastModifiedDate"]

    /// Where a snapshot's records and options come from.
    public struct Input: Sendable {
        public var clients: [JSONValue]
        public var providers: [JSONValue]
        public var resourceServers: [JSONValue]
        /// config.json.
        public var config: JSONValue?
        public var secrets: CapturedSecrets?
        public var region: String
        public var domainPrefix: String?
        public var customDomainCertificate: String?

        public init(
            clients: [JSONValue], providers: [JSONValue], resourceServers: [JSONValue], config: JSONValue?,
            secrets: CapturedSecrets?, region: String, domainPrefix: String? = nil, customDomainCertificate: String? = nil
        ) {
            self.clients = clients
            self.providers = providers
            self.resourceServers = resourceServers
            self.config = config
            self.secrets = secrets
            self.region = region
            self.domainPrefix = domainPrefix
            self.customDomainCertificate = customDomainCertificate
        }
    }

    public static func make(_ input: Input) -> ConfigurationBlueprint {
        var b = ConfigurationBlueprint(steps: [], notes: [], notCarried: [])
        let cli = "aws cognito-idp --region \(input.region)"
        for server in input.resourceServers {
            guard let o = server.objectValue, let id = o["Identifier"]?.stringValue else { continue }
            var request: [String: JSONValue] = ["Identifier": .string(id)]
            for k in ["Name", "Scopes"] { if let v = o[k], v != .null { request[k] = v } }
            b.steps.append(
                Step(
                    kind: .resourceServer, name: id, operation: "CreateResourceServer", category: .userPoolResourceUpdate,
                    input: .object(request)))
        }

        var dropped: Set<String> = []
        for provider in input.providers {
            guard let o = provider.objectValue, let name = o["ProviderName"]?.stringValue else { continue }
            let type = o["ProviderType"]?.stringValue ?? ""
            let (details, redacted, left) = providerDetails(o["ProviderDetails"]?.objectValue ?? [:], type: type)
            var request: [String: JSONValue] = ["ProviderName": .string(name), "ProviderType": .string(type)]
            request["ProviderDetails"] = .object(details)
            for k in ["AttributeMapping", "IdpIdentifiers"] { if let v = o[k], v != .null { request[k] = v } }
            if !left.isEmpty {
                b.notes.append(
                    "identity provider \(name): \(left.sorted().joined(separator: ", ")) left out of CreateIdentityProvider: the service works them out itself (they are in DescribeIdentityProvider's answer only)"
                )
            }
            var fill: SecretFill?
            if !redacted.isEmpty {
                let captured = input.secrets?.providers[name] ?? [:]
                let missing = redacted.filter { captured[$0] == nil }.sorted()
                if !missing.isEmpty {
                    dropped.insert(name)
                    let why =
                        input.secrets == nil
                        ? "the snapshot holds its \(missing.joined(separator: ", ")) redacted (taken without --with-secrets)"
                        : "secrets.enc has no \(missing.joined(separator: ", ")) for it"
                    b.notCarried.append(
                        "identity provider \(name) (\(type)): not created, \(why); create it with the secret from the provider's console: \(cli) create-identity-provider --user-pool-id \(PoolBlueprint.newPoolId) --provider-name '\(name)' --provider-type \(type) --provider-details file://details.json (snap cat REF providers shows the rest), then add it to the app clients that used it"
                    )
                    continue
                }
                fill = .providerDetails(captured.filter { redacted.contains($0.key) })
                var shownDetails = details
                for k in redacted { shownDetails[k] = SecretFill.shown }
                request["ProviderDetails"] = .object(shownDetails)
            }
            b.steps.append(
                Step(
                    kind: .provider, name: name, operation: "CreateIdentityProvider", category: .userPoolResourceUpdate,
                    input: .object(request), secret: fill))
        }

        for client in input.clients {
            guard let o = client.objectValue, let name = o["ClientName"]?.stringValue else { continue }
            let oldId = o["ClientId"]?.stringValue
            var request: [String: JSONValue] = [:]
            var unknown: [String] = []
            for (k, v) in o where v != .null {
                if clientSettings.contains(k) {
                    request[k] = v
                } else if !describedOnly.contains(k) {
                    unknown.append(k)
                }
            }
            if let idps = request["SupportedIdentityProviders"]?.arrayValue {
                let kept = idps.filter { !dropped.contains($0.stringValue ?? "") }
                if kept.count != idps.count {
                    request["SupportedIdentityProviders"] = .array(kept)
                    let names = idps.compactMap(\.stringValue).filter { dropped.contains($0) }
                    b.notes.append(
                        "app client \(name): SupportedIdentityProviders without \(names.joined(separator: ", ")) (not created, listed below); add them back when they exist: \(cli) update-user-pool-client (it replaces every setting: start from describe-user-pool-client)"
                    )
                }
            }
            if !unknown.isEmpty {
                b.notCarried.append(
                    "app client \(name): \(unknown.sorted().joined(separator: ", ")) not carried (not a CreateUserPoolClient setting snap knows); set it with \(cli) update-user-pool-client"
                )
            }
            var fill: SecretFill?
            if o["ClientSecret"] != nil {
                if let oldId, let secret = input.secrets?.clients[oldId] {
                    fill = .clientSecret(secret)
                    request["ClientSecret"] = SecretFill.shown
                } else {
                    request["GenerateSecret"] = true
                    b.notCarried.append(
                        "app client \(name): its secret was not captured (create --with-secrets), so Cognito makes a new one: give it to the applications that use this client (\(cli) describe-user-pool-client --user-pool-id \(PoolBlueprint.newPoolId) --client-id NEW_ID; the client map names NEW_ID)"
                    )
                }
            }
            b.steps.append(
                Step(
                    kind: .client, name: name, operation: "CreateUserPoolClient", category: .userPoolClientUpdate,
                    input: .object(request), secret: fill, oldClientId: oldId))
        }

        domains(input, into: &b, cli: cli)
        settings(input, into: &b, cli: cli)
        return b
    }

    /// The prefix domain (as captured or `--domain-prefix`) and the custom domain (with
    /// `--custom-domain-certificate`), each a CreateUserPoolDomain; a custom domain without a certificate is listed.
    static func domains(_ input: Input, into b: inout ConfigurationBlueprint, cli: String) {
        if let d = input.config?["domain"], let prefix = d["Domain"]?.stringValue {
            let chosen = input.domainPrefix ?? prefix
            var request: [String: JSONValue] = ["Domain": .string(chosen)]
            if let v = d["ManagedLoginVersion"], v != .null { request["ManagedLoginVersion"] = v }
            if chosen != prefix { b.notes.append("domain: prefix \(chosen) (--domain-prefix) instead of \(prefix)") }
            b.steps.append(
                Step(
                    kind: .domain, name: chosen, operation: "CreateUserPoolDomain", category: .userPoolResourceUpdate,
                    input: .object(request)))
        } else if let prefix = input.domainPrefix {
            b.notes.append("--domain-prefix \(prefix): the snapshot's pool had no prefix domain; \(prefix) is made all the same")
            b.steps.append(
                Step(
                    kind: .domain, name: prefix, operation: "CreateUserPoolDomain", category: .userPoolResourceUpdate,
                    input: ["Domain": .string(prefix)]))
        }
        if let d = input.config?["customDomain"], let domain = d["Domain"]?.stringValue {
            let old = d["CustomDomainConfig"]?["CertificateArn"]?.stringValue ?? "none recorded"
            guard let certificate = input.customDomainCertificate else {
                b.notCarried.append(
                    "custom domain \(domain): not created: a custom domain needs an ACM certificate in us-east-1 (the snapshot's: \(old)), and its DNS moves to the new pool's CloudFront alias; rerun with --custom-domain-certificate ARN, or: \(cli) create-user-pool-domain --user-pool-id \(PoolBlueprint.newPoolId) --domain \(domain) --custom-domain-config CertificateArn=ARN, then point the domain's DNS at the CloudFrontDomain it answers"
                )
                return
            }
            var request: [String: JSONValue] = ["Domain": .string(domain), "CustomDomainConfig": ["CertificateArn": .string(certificate)]]
            if let v = d["ManagedLoginVersion"], v != .null { request["ManagedLoginVersion"] = v }
            b.notes.append("custom domain \(domain): point its DNS at the CloudFrontDomain the new pool's DescribeUserPoolDomain answers")
            b.steps.append(
                Step(
                    kind: .domain, name: domain, operation: "CreateUserPoolDomain", category: .userPoolResourceUpdate,
                    input: .object(request)))
        }
    }
}
