import AWS
import Foundation

/// The body of a lock (the S3 object, the local file): its owner, its
/// lease's length and when, by the owner's clock, it runs out. JSON:
/// `{"bootId","expires","host","leaseSeconds","nonce","pid","pidNs","started"}`.
///
/// Whether a lease ran out is measured by the reader, not read off `expires`:
/// the lock's age by the store's own clock (S3: the answer's `Date` less the
/// object's `Last-Modified`; a local file: its modification time against this
/// machine's clock) against `leaseSeconds`. A holder's clock that runs ahead
/// or behind then changes nothing (issue 19, item 9). `expires` is for people.
public struct LockRecord: Sendable, Equatable {
    public var owner: LockOwner
    public var expires: Date
    /// The lease's length, from its last write; nil in an older snap's record.
    public var leaseSeconds: Int?

    public init(owner: LockOwner, expires: Date, leaseSeconds: Int? = nil) {
        self.owner = owner
        self.expires = expires
        self.leaseSeconds = leaseSeconds
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
            started: j["started"]?.stringValue ?? "?", pidNamespace: j["pidNs"]?.stringValue ?? "")
        self.expires = expires
        self.leaseSeconds = j["leaseSeconds"]?.intValue
    }

    public var data: Data {
        let v: JSONValue = [
            "host": .string(owner.host), "bootId": .string(owner.bootId), "pid": .int(Int(owner.pid)),
            "nonce": .string(owner.nonce), "started": .string(owner.started), "expires": .string(Timestamp.format(expires)),
            "pidNs": .string(owner.pidNamespace), "leaseSeconds": leaseSeconds.map { .int($0) } ?? .null,
        ]
        return v.canonicalData() + Data([0x0A])
    }

    /// Why `me` may take this lock over, or nil while its holder may be alive.
    /// `age` is how long ago the lock was last written, by the store's clock;
    /// `ttl` the reader's own lease, for a record that names none. Without an
    /// age (a store that gave no dates), the record's `expires` is all there is.
    func staleness(age: TimeInterval?, ttl: Duration, now: Date, me: LockOwner) -> String? {
        // An older snap's local record (no lease, no expiry) never expired, and still does not.
        if let age, leaseSeconds != nil || expires != .distantFuture {
            let lease = leaseSeconds.map(TimeInterval.init) ?? Self.seconds(ttl)
            if age > lease { return "was last renewed \(Int(age))s ago, past its \(Int(lease))s lease (by the store's clock)" }
        } else if age == nil, expires < now {
            return "expired at \(Timestamp.format(expires))"
        }
        if owner.isGone(from: me) { return "is no longer running" }
        return nil
    }

    /// This process's own lock (a put whose answer was lost and retried).
    func isOwn(_ me: LockOwner) -> Bool { !me.nonce.isEmpty && owner.nonce == me.nonce }

    /// For messages: who holds it and until when.
    var holderDescription: String {
        guard expires != .distantFuture else {
            return "\(owner.description), an older snap's lock that never expires: if no snap is running there, delete it"
        }
        return "\(owner.description), until \(Timestamp.format(expires))"
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        TimeInterval(d.components.seconds) + TimeInterval(d.components.attoseconds) / 1e18
    }
}
