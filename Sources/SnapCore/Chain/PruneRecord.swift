import AWS
import Foundation

/// prune's record of what it removed from one store (`P/pruned/<name>`), signed like the manifests when
/// signing is on: `verify --chain` takes a snapshot it lists as pruned, not deleted.
///
/// `{"kind":"snap-prune-record","pool","at","store","removed":[{"id","digest","reason"}],"tool"[,"signature"]}`
public struct PruneRecord: Sendable, Equatable {
    public struct Removed: Sendable, Equatable {
        public var id: SnapshotID
        /// The removed snapshot's manifest digest (`Manifest.digest`), so a record names that snapshot and no other.
        public var digest: String
        public var reason: String

        public init(id: SnapshotID, digest: String, reason: String) {
            self.id = id
            self.digest = digest
            self.reason = reason
        }
    }

    public static let kind = "snap-prune-record"

    public var pool: String
    public var at: String
    public var store: String
    public var removed: [Removed]
    public var tool: String
    public var signature: JSONValue?

    public init(pool: String, at: String, store: String, removed: [Removed], tool: String) {
        self.pool = pool
        self.at = at
        self.store = store
        self.removed = removed
        self.tool = tool
    }

    /// `prune-<at>-<first removed id>.json`: unique per store and run, and never a snapshot ID (listings skip it).
    public var name: String {
        "prune-" + at.replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "") + "-"
            + (removed.first?.id.value ?? "none") + ".json"
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "kind": .string(Self.kind), "pool": .string(pool), "at": .string(at), "store": .string(store), "tool": .string(tool),
            "removed": .array(
                removed.map { .object(["id": .string($0.id.value), "digest": .string($0.digest), "reason": .string($0.reason)]) }),
        ]
        if let signature { o["signature"] = signature }
        return .object(o)
    }

    /// What a signature covers: the canonical bytes without `signature`.
    public var signedBytes: [UInt8] {
        var unsigned = self
        unsigned.signature = nil
        return [UInt8](unsigned.json.canonicalData())
    }

    public init(data: Data, source: String) throws(SnapError) {
        func bad(_ why: String) -> SnapError { .badManifest(source: source, reason: "prune record: \(why)") }
        let v: JSONValue
        do { v = try JSONParser.parse(bytes: [UInt8](data)) } catch { throw bad("not JSON (\(error))") }
        guard v["kind"]?.stringValue == Self.kind else { throw bad("no \"kind\":\"\(Self.kind)\"") }
        guard let pool = v["pool"]?.stringValue, let at = v["at"]?.stringValue, let list = v["removed"]?.arrayValue else {
            throw bad("lacks pool, at or removed")
        }
        var removed: [Removed] = []
        for r in list {
            guard let text = r["id"]?.stringValue, let id = SnapshotID(text), let digest = r["digest"]?.stringValue else {
                throw bad("a removed entry lacks a valid id or digest")
            }
            removed.append(Removed(id: id, digest: digest, reason: r["reason"]?.stringValue ?? ""))
        }
        self.init(pool: pool, at: at, store: v["store"]?.stringValue ?? "", removed: removed, tool: v["tool"]?.stringValue ?? "")
        if let sig = v["signature"] {
            guard sig["alg"]?.stringValue != nil, sig["key"]?.stringValue != nil, sig["value"]?.stringValue != nil else {
                throw bad("\"signature\" lacks alg, key or value")
            }
            signature = sig
        }
    }
}
