import AWS

/// How many records changed against the previous snapshot.
public struct ChangeSummary: Sendable, Equatable {
    public struct Tally: Sendable, Equatable {
        public var added = 0
        public var removed = 0
        public var changed = 0
        public init(added: Int = 0, removed: Int = 0, changed: Int = 0) {
            self.added = added
            self.removed = removed
            self.changed = changed
        }
        public var total: Int { added + removed + changed }
    }

    public var users = Tally()
    public var groups = Tally()
    public var memberships = Tally()
    /// Configuration changes (`snap diff`'s `config.changed`); nil where the
    /// configuration was not compared (a manifest's change summary).
    public var config: Int?
    public init() {}

    public var isEmpty: Bool { users.total + groups.total + memberships.total + (config ?? 0) == 0 }

    public var json: JSONValue {
        func t(_ x: Tally, changed: Bool = true) -> JSONValue {
            var o: [String: JSONValue] = ["added": .int(x.added), "removed": .int(x.removed)]
            if changed { o["changed"] = .int(x.changed) }
            return .object(o)
        }
        var o: [String: JSONValue] = ["users": t(users), "groups": t(groups), "memberships": t(memberships, changed: false)]
        if let config { o["config"] = ["changed": .int(config)] }
        return .object(o)
    }

    public init?(json: JSONValue) {
        func t(_ v: JSONValue?) -> Tally? {
            guard let v else { return nil }
            return Tally(added: v["added"]?.intValue ?? 0, removed: v["removed"]?.intValue ?? 0, changed: v["changed"]?.intValue ?? 0)
        }
        guard let u = t(json["users"]), let g = t(json["groups"]), let m = t(json["memberships"]) else { return nil }
        users = u
        groups = g
        memberships = m
        config = json["config"]?["changed"]?.intValue
    }

    /// `+3 -1 ~2` style, for `snap list`.
    public var short: String {
        let a = users.added + groups.added + memberships.added
        let r = users.removed + groups.removed + memberships.removed
        let c = users.changed + groups.changed
        let config = (config ?? 0) > 0 ? " config~\(config ?? 0)" : ""
        return "+\(a) -\(r) ~\(c)\(config)"
    }
}
