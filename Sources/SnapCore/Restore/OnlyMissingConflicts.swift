import AWS
import Foundation

/// Users `--only-missing` would re-create whose sign-in value a user of the
/// pool already holds. The pool refuses AdminCreateUser for them:
/// - signing in by email or phone, the value is the username AdminCreateUser
///   is given; the run then takes the holder only when it carries every
///   attribute the snapshot gives the user (`RestoreExecutor.adopt`), and
///   fails the user otherwise;
/// - with aliases (a verified email or phone, a preferred_username), a value
///   another user holds as its alias fails the user (AliasExistsException);
/// - with case-insensitive usernames (`CaseSensitive: false`), a pool user
///   whose username differs only in case is the same username to Cognito
///   (UsernameExistsException): the snapshot's `Alice` is present, as the
///   pool's `alice`, not missing (issue 20, item 13).
///
/// Found here, before any write, they are listed, and `--dry-run` fails as
/// the run will. (A username held by another user is the diff's `taken`; this
/// is the same conflict under a name the diff cannot see.)
///
/// Streaming: one external sort keyed by `value NUL side NUL username` puts each
/// value's holders (`h`) just before the users that want it (`w`).
struct OnlyMissingConflicts {
    let directory: String
    let target: PoolConfiguration

    /// `users` calls its argument with each user to re-create (`RestorePlan.user(for:)`); `live` is the pool's users.jsonl.
    func find(users: ((RestorePlan.User) throws -> Void) throws -> Void, live: String) throws
        -> OnlyMissingPlan.Tally<
            OnlyMissingPlan.Conflict
        >
    {
        var out = OnlyMissingPlan.Tally<OnlyMissingPlan.Conflict>()
        guard !target.usernameAttributes.isEmpty || !target.aliasAttributes.isEmpty || !target.caseSensitive else { return out }
        let sortDir = "\(directory)/conflict-sort"
        try FileSystem.makeFolder(sortDir)
        defer { FileSystem.removeScratch(sortDir) }
        let sorter = ExternalSorter(directory: sortDir, runBytes: 16 << 20)
        var wanted = 0
        try users { u in
            var attributes: [String: JSONValue] = [:]
            for a in u.attributes { attributes[a.name] = .string(a.value) }
            let line = [UInt8](
                JSONValue.object(["username": .string(u.record.username), "attributes": .object(attributes)]).canonicalData())
            let signIn = RestorePlan.signInUsername(u.record, target: target).map { [$0] } ?? []
            for value in Set(values(of: u.record.attributes, signIn: signIn, username: u.record.username)) {
                try sorter.add(key: value + "\u{0}w\u{0}" + u.record.username, line: line)
                wanted += 1
            }
        }
        guard wanted > 0 else {
            try sorter.drain { _, _ in }
            return out
        }
        var pool = try SortedLines(path: live)
        while let text = try pool.peek() {
            try pool.advance()
            // Not swallowed: the export is snap's own, written from parsed records, so a line that does not parse
            // is damage, thrown below naming the file.
            guard let json = try? JSONParser.parse(Data(text.utf8)), let record = try? UserRecord(json: json) else {
                throw SnapError.io(path: live, reason: "a line of the live pool's export cannot be read: \(text.prefix(80))")
            }
            var attributes: [String: JSONValue] = [:]
            for (k, v) in record.attributes { attributes[k] = .string(v) }
            let line = [UInt8](JSONValue.object(["username": .string(record.username), "attributes": .object(attributes)]).canonicalData())
            let signIn = target.usernameAttributes.compactMap { record.attributes[$0] }
            for value in Set(values(of: record.attributes, signIn: signIn, username: record.username)) {
                try sorter.add(key: value + "\u{0}h\u{0}" + record.username, line: line)
            }
        }
        var value: [UInt8] = []
        var holder: JSONValue?
        var told: Set<String> = []  // per value: a user wanting two of its values held is listed once per value
        try sorter.drain { key, line in
            let parts = key.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else {
                throw SnapError.io(path: sortDir, reason: "a key of the sign-in value sort has no side (a bug in snap)")
            }
            if Array(parts[0]) != value {
                value = Array(parts[0])
                holder = nil
                told = []
            }
            // Not swallowed: both sides were written above from parsed records; a line that does not parse is
            // thrown below as a bug in snap.
            guard let json = try? JSONParser.parse(Data(line)), let name = json["username"]?.stringValue else {
                throw SnapError.io(path: sortDir, reason: "a line of the sign-in value sort cannot be read (a bug in snap)")
            }
            if parts[1].first == UInt8(ascii: "h") {
                if holder == nil { holder = json }
                return
            }
            guard let holder, let held = holder["attributes"]?.objectValue, let want = json["attributes"]?.objectValue,
                let holderName = holder["username"]?.stringValue, holderName != name, !told.contains(name)
            else { return }
            let text = String(decoding: value, as: UTF8.self)
            let cut = text.firstIndex(of: ":") ?? text.startIndex
            let kind = String(text[..<cut])
            let differing: [String]
            if kind == "signin" {
                differing = want.keys.filter { held[$0] != want[$0] }.sorted(by: JSONValue.utf8Less)
                guard !differing.isEmpty else { return }  // the run takes it: the snapshot's user as the pool holds it
            } else {
                differing = []  // an alias another user holds: refused whatever its attributes
            }
            told.insert(name)
            out.add(
                OnlyMissingPlan.Conflict(
                    username: name, value: String(text[text.index(after: cut)...]), holder: holderName,
                    alias: kind == "signin" ? nil : kind, differing: differing))
        }
        return out
    }

    /// The values a user takes in the pool's one namespace of sign-in names: `signin:V` for each of
    /// `signIn` (the username AdminCreateUser is given in a pool that signs in by email or phone; for a
    /// pool user, its email and phone), `ATTRIBUTE:V` for an alias that is active (a verified email or
    /// phone, a preferred_username), `username:v` for the username, lowercased, in a pool that signs in
    /// by username case-insensitively. Cognito compares emails case-insensitively, and in such a pool
    /// preferred_username too.
    func values(of attributes: [String: String], signIn: [String], username: String) -> [String] {
        let folded = !target.caseSensitive
        func normal(_ v: String) -> String { v.contains("@") || folded ? v.lowercased() : v }
        var out = signIn.filter { !$0.isEmpty }.map { "signin:" + normal($0) }
        if folded && target.usernameAttributes.isEmpty { out.append("username:" + username.lowercased()) }
        for alias in target.aliasAttributes {
            guard let v = attributes[alias], !v.isEmpty else { continue }
            let verified = alias == "email" ? "email_verified" : alias == "phone_number" ? "phone_number_verified" : nil
            if let verified, attributes[verified] != "true" { continue }
            out.append("\(alias):" + normal(v))
        }
        return out
    }
}
