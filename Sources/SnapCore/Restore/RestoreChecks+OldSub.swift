import Foundation

/// `--keep-old-sub custom:NAME`: the target must hold the attribute as a String long enough for a sub.
/// Mutability does not matter to the restore (AdminCreateUser and an import job set immutable attributes
/// too), but AdminLinkProviderForUser refuses a user with an immutable custom attribute, so that case is a note.
extension RestoreChecks {
    /// A sub is a UUID: 36 characters.
    static let subLength = 36

    mutating func addOldSub(_ u: UserRecord) {
        guard let keep = options.keepOldSub else { return }
        if u.attributes["sub"] == nil { noSub.add(u.username) }
        if let own = u.attributes[keep], own != u.attributes["sub"] { oldSubOverwrites.add(u.username) }
    }

    func oldSubProblems() -> [String] {
        guard let keep = options.keepOldSub else { return [] }
        let name = keep.dropFirst(7)
        let add =
            "aws cognito-idp add-custom-attributes --region \(LinkedIdentity.region(of: target.id)) --user-pool-id \(target.id) --custom-attributes Name=\(name),AttributeDataType=String,Mutable=true,StringAttributeConstraints={MaxLength=2048}"
        guard let a = target.schema[keep] else {
            return [
                "--keep-old-sub \(keep): the target pool \(target.id) has no custom attribute \(keep) to hold the old subs; add it (custom attributes cannot be removed later) with `\(add)`, or restore with --create-pool, which adds it"
            ]
        }
        var problems: [String] = []
        if a.dataType != "String" {
            problems.append(
                "--keep-old-sub \(keep): the target's \(keep) is a \(a.dataType) attribute, and a sub is a string; name a String custom attribute, or add one with `\(add.replacingOccurrences(of: "Name=\(name),", with: "Name=NEW_NAME,"))`"
            )
        } else if let max = a.maxLength, max < Self.subLength {
            problems.append(
                "--keep-old-sub \(keep): the target's \(keep) holds at most \(max) characters, and a sub has \(Self.subLength); name another custom attribute, or add one with `\(add.replacingOccurrences(of: "Name=\(name),", with: "Name=NEW_NAME,"))`"
            )
        } else if let min = a.minLength, min > Self.subLength {
            problems.append(
                "--keep-old-sub \(keep): the target's \(keep) needs at least \(min) characters, and a sub has \(Self.subLength)")
        }
        return problems
    }

    func oldSubNotes() -> [String] {
        guard let keep = options.keepOldSub else { return [] }
        var notes = ["--keep-old-sub: each restored user's old sub goes into \(keep) (the sub map lists them too)"]
        if oldSubOverwrites.count > 0 {
            notes.append(
                "--keep-old-sub: \(oldSubOverwrites.count) user(s) already have a value of their own in \(keep), which the old sub replaces: e.g. \(RestorePlan.examples(oldSubOverwrites.examples, count: oldSubOverwrites.count))"
            )
        }
        if noSub.count > 0 {
            notes.append(
                "--keep-old-sub: \(noSub.count) user(s) have no sub in the snapshot, so nothing goes into \(keep) for them: e.g. \(RestorePlan.examples(noSub.examples, count: noSub.count))"
            )
        }
        if let a = target.schema[keep], !a.mutable, !linksByProvider.isEmpty {
            notes.append(
                "--keep-old-sub: \(keep) is immutable in the target, and AdminLinkProviderForUser refuses users with an immutable custom attribute: the users with linked identities will fail to link"
            )
        }
        return notes
    }
}
