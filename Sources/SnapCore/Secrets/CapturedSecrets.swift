import AWS

/// The secrets a `create --with-secrets` snapshot holds, as secrets.enc decrypts to:
/// `{"clients":{"<ClientId>":"<ClientSecret>"},"providers":{"<ProviderName>":{"client_secret":"…"}}}`.
/// The members beside it hold these fields as `{"redacted":true}`. Never printed, logged or written
/// anywhere but secrets.enc (encrypted) and the requests that set them again (restore --create-pool).
public struct CapturedSecrets: Sendable, Equatable {
    /// App client secrets by the snapshot's ClientId.
    public var clients: [String: String]
    /// Identity provider secret fields (`ConfigurationRecords.providerSecretKeys`) by ProviderName.
    public var providers: [String: [String: String]]

    public init(clients: [String: String] = [:], providers: [String: [String: String]] = [:]) {
        self.clients = clients
        self.providers = providers
    }

    public var isEmpty: Bool { clients.isEmpty && providers.isEmpty }

    /// The JSON form above (what is encrypted into secrets.enc).
    public var json: JSONValue {
        [
            "clients": .object(clients.mapValues { .string($0) }),
            "providers": .object(providers.mapValues { .object($0.mapValues { .string($0) }) }),
        ]
    }

    /// Parses the JSON form; nil when it is not that shape.
    public init?(json: JSONValue) {
        guard let c = json["clients"]?.objectValue, let p = json["providers"]?.objectValue else { return nil }
        var clients: [String: String] = [:]
        for (id, v) in c {
            guard let s = v.stringValue else { return nil }
            clients[id] = s
        }
        var providers: [String: [String: String]] = [:]
        for (name, v) in p {
            guard let fields = v.objectValue else { return nil }
            var out: [String: String] = [:]
            for (k, f) in fields {
                guard let s = f.stringValue else { return nil }
                out[k] = s
            }
            providers[name] = out
        }
        self.init(clients: clients, providers: providers)
    }
}

extension CapturedSecrets: CustomStringConvertible {
    /// Counts only: a secret's value is never part of a description, log or error.
    public var description: String { "CapturedSecrets(\(clients.count) client secret(s), \(providers.count) provider(s))" }
}
