import AWS

/// Sends a `ConfigurationBlueprint`'s requests to the pool `restore --create-pool` made, in order, and
/// on `--resume` first reads what the pool already has, so nothing is made twice: a resource server,
/// identity provider or app client of the same name, or the domain, is checked against what the
/// snapshot says (differences listed) and kept. A request that fails does not stop the restore (the pool
/// and the users come first): it is listed with the service's answer and the command that finishes it.
/// The client map is written whole at the end of each run.
public struct ConfigurationRebuild {
    public struct Result: Sendable {
        /// What was made or found, a line each (`CreateUserPoolClient web: made, id 1a2b...`).
        public var done: [String] = []
        public var notCarried: [String] = []
        public var clientMap: [ClientMapEntry] = []
        public var made = 0
        public var existing = 0
        public var failed = 0
    }

    public let cognito: CognitoClient
    public let region: String

    public init(cognito: CognitoClient, region: String) {
        self.cognito = cognito
        self.region = region
    }

    /// Before the pool is made (and in a dry run): a prefix domain another pool holds is taken out of the
    /// blueprint and listed. A prefix is the pool's only while it exists, so it is free in another region
    /// and taken in the snapshot pool's own while that pool lives.
    public func checkDomains(_ b: inout ConfigurationBlueprint, target: String?) async throws {
        var kept: [ConfigurationBlueprint.Step] = []
        for step in b.steps {
            guard step.kind == .domain, step.input["CustomDomainConfig"] == nil else {
                kept.append(step)
                continue
            }
            let found = try await cognito.describeUserPoolDomain(step.name)
            let owner = ConfigurationRecords.describesDomain(found) ? found["UserPoolId"]?.stringValue : nil
            if let owner, owner != target {
                b.notCarried.append(
                    "domain \(step.name): not created, the prefix is taken (by \(owner)) in \(region); rerun with --domain-prefix OTHER, or: aws cognito-idp --region \(region) create-user-pool-domain --user-pool-id \(PoolBlueprint.newPoolId) --domain OTHER"
                )
            } else {
                kept.append(step)
            }
        }
        b.steps = kept
    }

    /// Sends every step to `poolId`. `resume`: read the pool first and keep what it has.
    public func run(_ b: ConfigurationBlueprint, poolId: String, resume: Bool) async throws -> Result {
        var r = Result()
        var have = resume ? try await Existing.read(cognito, poolId: poolId) : Existing()
        let cli = "aws cognito-idp --region \(region)"
        for var step in b.steps {
            if let old = step.clientRef {
                // A branding style or terms document of an app client: sent for the client's new id.
                guard let new = r.clientMap.first(where: { $0.oldClientId == old })?.newClientId else {
                    r.failed += 1
                    r.notCarried.append(
                        "\(step.kind.rawValue) \(step.name): not made, its app client (\(old) in the snapshot) was not made; make the client, then: \(cli) \(PoolBlueprint.cliName(step.operation)) --cli-input-json '\(step.shown(poolId: poolId).canonicalString())' with its ClientId"
                    )
                    continue
                }
                var o = step.input.objectValue ?? [:]
                o["ClientId"] = .string(new)
                step.input = .object(o)
                if resume, try await have.exists(step, cognito: cognito, poolId: poolId, clientId: new) {
                    r.existing += 1
                    r.done.append("\(step.kind.rawValue) \(step.name): already in the pool")
                    continue
                }
            }
            if let found = have.find(step) {
                r.existing += 1
                let differs = try await differences(step, found: found, poolId: poolId)
                r.done.append(
                    "\(step.kind.rawValue) \(step.name): already in the pool"
                        + (differs.isEmpty ? "" : ", with other \(differs.joined(separator: ", ")) than the snapshot's"))
                if !differs.isEmpty {
                    r.notCarried.append(
                        "\(step.kind.rawValue) \(step.name): the pool's \(differs.joined(separator: ", ")) differ from the snapshot's; left as they are (snap cat REF \(Self.member(step.kind)) shows the snapshot's)"
                    )
                }
                if step.kind == .client, let old = step.oldClientId {
                    r.clientMap.append(ClientMapEntry(clientName: step.name, oldClientId: old, newClientId: found.clientId))
                }
                continue
            }
            do {
                let out = try await cognito.call(step.operation, category: step.category, step.request(poolId: poolId))
                r.made += 1
                if step.kind == .client {
                    let id = out["UserPoolClient"]?["ClientId"]?.stringValue
                    r.done.append("client \(step.name): made, id \(id ?? "(not in the answer)")")
                    if let old = step.oldClientId {
                        r.clientMap.append(ClientMapEntry(clientName: step.name, oldClientId: old, newClientId: id))
                    }
                } else {
                    r.done.append("\(step.kind.rawValue) \(step.name): made")
                }
            } catch {
                r.failed += 1
                if step.kind == .client, let old = step.oldClientId {
                    r.clientMap.append(ClientMapEntry(clientName: step.name, oldClientId: old, newClientId: nil))
                }
                r.notCarried.append(
                    "\(step.kind.rawValue) \(step.name): \(step.operation) failed (\(Self.scrub("\(error)", step))); make it by hand: \(cli) \(PoolBlueprint.cliName(step.operation)) --cli-input-json '\(step.shown(poolId: poolId).canonicalString())'"
                        + (step.secret == nil
                            ? ""
                            : " (the secret from your records where it says \(ConfigurationBlueprint.SecretFill.shown.canonicalString()))")
                )
            }
        }
        return r
    }

    /// The member `snap cat` shows a kind from.
    static func member(_ kind: ConfigurationBlueprint.Kind) -> String {
        switch kind {
        case .resourceServer: "resource-servers"
        case .provider: "providers"
        case .client: "clients"
        case .domain, .risk, .ui, .branding, .logDelivery, .terms: "config"
        }
    }

    /// An error's text with the step's secret values cut out (a service may quote a request's values back).
    static func scrub(_ text: String, _ step: ConfigurationBlueprint.Step) -> String {
        var out = text
        switch step.secret {
        case .clientSecret(let s)?: out = out.replacingOccurrences(of: s, with: "<secret>")
        case .providerDetails(let fields)?:
            for v in fields.values where !v.isEmpty { out = out.replacingOccurrences(of: v, with: "<secret>") }
        case nil: break
        }
        return out
    }

    /// The settings of the step's request that the pool's own object has otherwise (secrets left aside:
    /// the service never shows a provider's, and a client's is compared by nobody but the applications).
    func differences(_ step: ConfigurationBlueprint.Step, found: Existing.Found, poolId: String) async throws -> [String] {
        var actual = found.object
        if step.kind == .client, let id = found.clientId {
            actual = try await cognito.describeUserPoolClient(poolId, clientId: id)
        } else if step.kind == .provider {
            actual = try await cognito.describeIdentityProvider(poolId, providerName: step.name)
        }
        var out: [String] = []
        for (k, v) in step.input.objectValue ?? [:] where k != "UserPoolId" && k != "GenerateSecret" && k != "ClientSecret" {
            if k == "ProviderDetails", let want = v.objectValue {
                let have = actual["ProviderDetails"]?.objectValue ?? [:]
                for (dk, dv) in want where dv != ConfigurationBlueprint.SecretFill.shown && have[dk] != dv {
                    out.append("ProviderDetails.\(dk)")
                }
            } else if actual[k] != v {
                out.append(k)
            }
        }
        return out.sorted()
    }
}

/// What a pool already has, by the names the blueprint's steps carry.
struct Existing {
    struct Found {
        var object: JSONValue
        var clientId: String?
    }

    var servers: [String: JSONValue] = [:]
    var providers: [String: JSONValue] = [:]
    var clients: [String: [JSONValue]] = [:]
    var domains: Set<String> = []

    static func read(_ cognito: CognitoClient, poolId: String) async throws -> Existing {
        var e = Existing()
        for s in try await cognito.listResourceServers(poolId) {
            if let id = s["Identifier"]?.stringValue { e.servers[id] = s }
        }
        for p in try await cognito.listIdentityProviders(poolId) {
            if let n = p["ProviderName"]?.stringValue { e.providers[n] = p }
        }
        for c in try await cognito.listUserPoolClients(poolId) {
            if let n = c["ClientName"]?.stringValue { e.clients[n, default: []].append(c) }
        }
        let pool = try await cognito.describeUserPool(poolId)
        for k in ["Domain", "CustomDomain"] { if let d = pool[k]?.stringValue { e.domains.insert(d) } }
        return e
    }

    /// Whether the app client `clientId` already has this branding style or terms document (by name).
    func exists(_ step: ConfigurationBlueprint.Step, cognito: CognitoClient, poolId: String, clientId: String) async throws -> Bool {
        switch step.kind {
        case .branding: return try await cognito.describeManagedLoginBranding(poolId, clientId: clientId) != nil
        case .terms:
            for t in try await cognito.listTerms(poolId) where t["TermsName"]?.stringValue == step.name {
                if try await cognito.describeTerms(poolId, termsId: t["TermsId"]?.stringValue ?? "")["ClientId"]?.stringValue == clientId {
                    return true
                }
            }
            return false
        default: return false
        }
    }

    /// A pool may hold two clients of one name; the first unclaimed is this step's (`find` is called
    /// once per step, in the snapshot's order).
    mutating func find(_ step: ConfigurationBlueprint.Step) -> Found? {
        switch step.kind {
        case .resourceServer: return servers[step.name].map { Found(object: $0) }
        case .provider: return providers[step.name].map { Found(object: $0) }
        case .domain: return domains.contains(step.name) ? Found(object: ["Domain": .string(step.name)]) : nil
        case .risk, .ui, .logDelivery, .branding, .terms:
            // Settings are set again (the same values twice change nothing); a branding style or terms
            // document is found by `exists`.
            return nil
        case .client:
            guard var list = clients[step.name], !list.isEmpty else { return nil }
            let c = list.removeFirst()
            clients[step.name] = list
            return Found(object: c, clientId: c["ClientId"]?.stringValue)
        }
    }
}
