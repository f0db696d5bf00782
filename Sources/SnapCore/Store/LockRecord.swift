import AWS
import Foundation

/// The body of a lock (the S3 object, the local file): its owner and when
/// its lease runs out. JSON: `{"bootId","expires","host","nonce","pid","started"}`.
public struct LockRecord: Sendable, Equatable {
    public var owner: LockOwner
    public var expires: Date

    public init(owner: LockOwner, expires: Date) {
        self.owner = owner
        self.expires = expires
    }

    /// A lock written by an older snap has no boot id or nonce; a local one
    /// has no expiry either and then never expires (only a provably dead
    /// holder on this host is taken over, as before).
    public init(data: Data, source: String) throws {
        let j: JSONValue
        do { j = try JSONParser.parse(data) } catch { throw SnapError.badManifest(source: source, reason: "not a snap lock: \(error)") }
        guard let host = j["host"]?.stringValue, let pid = j["pid"]?.intValue, let pid32 = Int32(exactly: pid) else {
            throw SnapError.badManifest(source: source, reason: "not a snap lock (no host or pid)")
        }
        var expires = Date.distantFuture
        if let e = j["expires"]?.stringValue {
            guard let parsed = Timestamp.parse(e) else {
                throw SnapError.badManifest(source: source, reason: "lock expiry \"\(e)\" is not a time")
            }
            expires = parsed
        }
        owner = LockOwner(
            host: host, bootId: j["bootId"]?.stringValue ?? "", pid: pid32, nonce: j["nonce"]?.stringValue ?? "",
            started: j["started"]?.stringValue ?? "?")
        self.expires = expires
    }

    public var data: Data {
        let v: JSONValue = [
            "host": .string(owner.host), "bootId": .string(owner.bootId), "pid": .int(Int(owner.pid)),
            "nonce": .string(owner.nonce), "started": .string(owner.started), "expires": .string(Timestamp.format(expires)),
        ]
        return v.canonicalData() + Data([0x0A])
    }

    /// Why `me` may take this lock over, or nil while its holder may be alive.
    func staleness(now: Date, me: LockOwner) -> String? {
        if expires < now { return "expired at \(Timestamp.format(expires))" }
        if owner.isGone(from: me) { return "is no longer running" }
        return nil
    }

    /// This process's own lock (a put whose answer was lost and retried).
    func isOwn(_ me: LockOwner) -> Bool { !me.nonce.isEmpty && owner.nonce == me.nonce }

    /// For messages: who holds it and until when.
    var holderDescription: String {
        expires == .distantFuture ? owner.description : "\(owner.description), until \(Timestamp.format(expires))"
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        TimeInterval(d.components.seconds) + TimeInterval(d.components.attoseconds) / 1e18
    }
}
