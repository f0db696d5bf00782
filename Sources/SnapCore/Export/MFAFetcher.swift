import AWS
import Foundation

/// `snap create --with-mfa`: one AdminGetUser per user, for the MFA
/// preferences ListUsers does not return.
///
/// A bounded stage after the user listing is sorted and deduplicated, so
/// every user is read exactly once however often its shard restarted: it
/// streams users.jsonl, keeps at most `inFlight` requests going (enough to
/// reach the UserRead rate at Cognito's round trip) and at most
/// `4 × inFlight` users between reading and writing, and writes the users
/// back in the same order with their `mfa` field. Memory does not grow with
/// the pool. The shared pacer holds the requests to the UserRead budget;
/// throttling slows them and fails the export only when the throttle-wait
/// budget runs out. A user deleted since it was listed (UserNotFound) keeps
/// its listed record without `mfa`, and is counted in a warning.
struct MFAFetcher: Sendable {
    let cognito: CognitoClient
    let poolId: String
    let inFlight: Int

    struct Outcome {
        var info: Manifest.FileInfo
        /// Users with any MFA setting, and of them those with a software token (TOTP).
        var withMFA = 0
        var softwareToken = 0
        /// Users AdminGetUser no longer found (the first `shownVanished` names, and the count).
        var vanished: [String] = []
        var vanishedCount = 0
    }

    static let shownVanished = 20

    private enum Lookup: Sendable {
        case found(MFASettings?)
        case gone
    }

    /// Rewrites the users.jsonl at `path` in place, each user with its MFA settings.
    func enrich(usersAt path: String, workDirectory: String, tracker: ProgressTracker) async throws -> Outcome {
        let outDir = try Exporter.makeDir(workDirectory, "users-mfa")
        let out = try MemberFile(member: .users, directory: outDir)
        var cursor = try SortedLineCursor(path: path, key: Exporter.usernameKeys())
        let inFlight = max(1, self.inFlight)
        let window = inFlight * 4
        var outcome = Outcome(info: Manifest.FileInfo(sha256: "", bytes: 0, records: 0))

        try await withThrowingTaskGroup(of: (Int, UserRecord, Lookup).self) { group in
            var nextIn = 0, nextOut = 0, running = 0
            var exhausted = false
            var ready: [Int: (UserRecord, Lookup)] = [:]
            while true {
                while !exhausted, running < inFlight, nextIn - nextOut < window {
                    guard let (_, line) = try cursor.next() else {
                        exhausted = true
                        break
                    }
                    let user = try UserRecord(json: try JSONParser.parse(bytes: line))
                    let seq = nextIn
                    nextIn += 1
                    running += 1
                    group.addTask { (seq, user, try await lookup(user.username)) }
                }
                guard let (seq, user, found) = try await group.next() else { break }
                running -= 1
                ready[seq] = (user, found)
                while let (u, f) = ready.removeValue(forKey: nextOut) {
                    var user = u
                    switch f {
                    case .found(let mfa):
                        user.mfa = mfa
                        if let mfa {
                            outcome.withMFA += 1
                            if mfa.hasSoftwareToken { outcome.softwareToken += 1 }
                        }
                    case .gone:
                        user.mfa = nil
                        outcome.vanishedCount += 1
                        if outcome.vanished.count < Self.shownVanished { outcome.vanished.append(user.username) }
                    }
                    try out.writeLine(user.canonicalLine())
                    nextOut += 1
                    await tracker.fetchedMFA()
                }
            }
        }
        outcome.info = try out.finish()
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: out.path, toPath: path)
        return outcome
    }

    /// The warning for users deleted between ListUsers and AdminGetUser; nil when there were none.
    static func warning(_ o: Outcome) -> String? {
        guard o.vanishedCount > 0 else { return nil }
        let names = o.vanished.joined(separator: ", ") + (o.vanishedCount > o.vanished.count ? ", ..." : "")
        return
            "\(o.vanishedCount) user(s) were deleted between ListUsers and AdminGetUser (--with-mfa): kept as listed, without MFA settings: \(names)"
    }

    private func lookup(_ username: String) async throws -> Lookup {
        do {
            guard let out = try await cognito.adminGetUser(poolId, username: username) else { return .gone }
            return .found(try MFASettings(cognito: out, username: username))
        } catch let e as AWSError {
            throw SnapError.mfaRead(pool: poolId, username: username, reason: e.description)
        } catch let e as ModelError {
            throw SnapError.mfaRead(pool: poolId, username: username, reason: "unexpected answer: \(e)")
        }
    }

    /// The least time the AdminGetUser calls of `users` take at `rate` requests a second.
    static func estimatedSeconds(users: Int, rate: Double) -> Double { rate > 0 ? Double(users) / rate : 0 }
}
