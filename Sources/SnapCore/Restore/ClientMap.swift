import AWS
import Foundation

/// `restore-<ID>-<POOL>.clients.jsonl`, next to the sub map: each app client's id in the snapshot's
/// pool and in the pool `restore --create-pool` made, so applications can be pointed at the new ids.
/// A line per client, sorted by name then old id: `{"clientName","oldClientId","newClientId"}`;
/// `newClientId` is null for a client that could not be made (the restore lists why).
public struct ClientMapEntry: Sendable, Equatable {
    public var clientName: String
    public var oldClientId: String
    public var newClientId: String?

    public init(clientName: String, oldClientId: String, newClientId: String?) {
        self.clientName = clientName
        self.oldClientId = oldClientId
        self.newClientId = newClientId
    }

    public var json: JSONValue {
        ["clientName": .string(clientName), "oldClientId": .string(oldClientId), "newClientId": newClientId.map { .string($0) } ?? .null]
    }

    /// The map's path for a restore of `snapshot` into `target`, beside the journal (`RestorePaths`).
    public static func path(journal: String, snapshot: String, target: String) -> String {
        let folder = RestorePaths.folder(of: journal)
        return (folder == "/" ? "" : folder) + "/restore-\(snapshot)-\(target).clients.jsonl"
    }

    /// Writes the whole map atomically (temp file, fsync, rename).
    public static func write(_ entries: [ClientMapEntry], to path: String) throws {
        var data = Data()
        let sorted = entries.sorted {
            $0.clientName != $1.clientName
                ? JSONValue.utf8Less($0.clientName, $1.clientName) : JSONValue.utf8Less($0.oldClientId, $1.oldClientId)
        }
        for e in sorted {
            data += e.json.canonicalData()
            data.append(0x0A)
        }
        try FileSystem.atomicWrite(data, to: path)
    }
}
