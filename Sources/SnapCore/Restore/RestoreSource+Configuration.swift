import AWS

extension RestoreSource {
    /// A format-2 snapshot's app clients, identity providers and resource servers (members verified whole
    /// before this reads them), for `restore --create-pool`; empty for a format-1 snapshot, which has none.
    /// A pool holds at most a few thousand of each (the service's quotas), so they are held.
    public func configurationRecords() throws -> (clients: [JSONValue], providers: [JSONValue], resourceServers: [JSONValue]) {
        guard snapshot.manifest.format >= 2 else { return ([], [], []) }
        let members = try snapshot.members()
        func all(_ member: Member) throws -> [JSONValue] {
            var out: [JSONValue] = []
            var lines = try RecordLines(snapshot, member, members: members)
            while let v = try lines.next({ (json: JSONValue) throws(ModelError) -> JSONValue in
                guard json.objectValue != nil else { throw ModelError.wrongType("the line", in: member.rawValue) }
                return json
            }) {
                out.append(v)
            }
            return out
        }
        // Archive order: clients.jsonl, providers.jsonl, resource-servers.jsonl.
        let clients = try all(.clients), providers = try all(.providers), servers = try all(.resourceServers)
        try members.finish()
        return (clients, providers, servers)
    }

    /// What `restore --create-pool` (and its `--resume`) rebuilds of a format-2 snapshot, from its config.json
    /// (`config`, as `configuration()` read it) and its clients, providers and resource servers; nil for format 1.
    public func configurationBlueprint(
        config: JSONValue?, secrets: CapturedSecrets?, region: String, domainPrefix: String?, customDomainCertificate: String?
    ) throws -> ConfigurationBlueprint? {
        guard let config else { return nil }
        let records = try configurationRecords()
        return ConfigurationBlueprint.make(
            .init(
                clients: records.clients, providers: records.providers, resourceServers: records.resourceServers, config: config,
                secrets: secrets, region: region, domainPrefix: domainPrefix, customDomainCertificate: customDomainCertificate))
    }
}
