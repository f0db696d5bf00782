import AWS

/// One diff side's configuration: pool.json, config.json (format 2) and the
/// record lists (clients.jsonl, providers.jsonl, resource-servers.jsonl),
/// each nil when the side does not have that member (format 1 has no
/// config.json; a live pool is exported with all of them).
///
/// Members are named by their file names (`lists`), so a member a later
/// format adds is compared once its name is listed here and the reader
/// hands its bytes over; nothing else changes.
public struct ConfigurationDocuments: Sendable, Equatable {
    /// A member holding one record per line, and how its records are matched.
    public struct List: Sendable {
        public var member: String
        public var kind: ConfigurationChange.Kind
        /// The field that names a record (its sort key in the SPEC).
        public var key: String
    }

    public static let poolMember = "pool.json"
    public static let configMember = "config.json"
    /// In the order their changes come out.
    public static let lists: [List] = [
        List(member: "clients.jsonl", kind: .client, key: "ClientName"),
        List(member: "providers.jsonl", kind: .provider, key: "ProviderName"),
        List(member: "resource-servers.jsonl", kind: .resourceServer, key: "Identifier"),
    ]
    /// Every member a diff keeps for the configuration comparison.
    public static let memberNames: Set<String> = Set([poolMember, configMember] + lists.map(\.member))

    public var pool: [String: JSONValue]?
    public var config: [String: JSONValue]?
    /// By member name; a member the side lacks is absent.
    public var records: [String: [JSONValue]]

    public init(pool: [String: JSONValue]? = nil, config: [String: JSONValue]? = nil, records: [String: [JSONValue]] = [:]) {
        self.pool = pool
        self.config = config
        self.records = records
    }

    /// Parses the members of one side (`members`: their bytes by name; a
    /// member not there is absent). A document that is not one JSON
    /// object, or a line that is not, is an error naming `source` and the
    /// member (and line): never passed over.
    public init(source: String, members: [String: [UInt8]]) throws {
        func object(_ member: String) throws -> [String: JSONValue]? {
            guard let bytes = members[member] else { return nil }
            let value: JSONValue
            do { value = try JSONParser.parse(bytes: bytes) } catch {
                throw SnapError.damaged(source: source, member: member, reason: "not valid JSON: \(error)")
            }
            guard let o = value.objectValue else {
                throw SnapError.damaged(source: source, member: member, reason: "not a JSON object")
            }
            return o
        }
        self.init(pool: try object(Self.poolMember), config: try object(Self.configMember))
        for list in Self.lists {
            guard let bytes = members[list.member] else { continue }
            var out: [JSONValue] = []
            var number = 0
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                number += 1
                if line.isEmpty { continue }
                let value: JSONValue
                do { value = try JSONParser.parse(bytes: Array(line)) } catch {
                    throw SnapError.malformedLine(source: source, member: list.member, line: number, reason: "\(error)")
                }
                guard value.objectValue != nil else {
                    throw SnapError.badRecord(source: source, member: list.member, line: number, reason: "not a JSON object")
                }
                out.append(value)
            }
            records[list.member] = out
        }
    }
}
