import AWS
import SnapCore

/// What a full restore and an `--only-missing` run say of linked identities: the plan's count,
/// the links whose provider the target lacks (each with the command that makes it), the --json part.
enum LinkReport {
    static let shownPending = 50

    static func planLines(_ plan: RestorePlan) -> [String] {
        guard plan.hasLinks else { return [] }
        var lines = ["links: \(plan.links) linked identit\(plan.links == 1 ? "y" : "ies") to link again (AdminLinkProviderForUser)"]
        if let note = plan.pendingLinkNote { lines.append("note: \(note)") }
        return lines
    }

    static func outcomeLines(_ o: RestoreOutcome) -> [String] {
        var lines: [String] = []
        if o.links.planned > 0 || o.links.failed > 0 {
            lines.append(
                "links: \(o.links.done)/\(o.links.planned)" + (o.links.existing > 0 ? " (\(o.links.existing) already there)" : "")
                    + (o.links.failed > 0 ? ", \(o.links.failed) failed" : ""))
        }
        guard o.pendingLinkCount > 0 else { return lines }
        lines.append("\(o.pendingLinkCount) link(s) not made, their provider missing from the target; make each once the provider exists:")
        for p in o.pendingLinks.prefix(shownPending) { lines.append("  \(p.username) -> \(p.provider): \(p.reason); \(p.command)") }
        if o.pendingLinkCount > shownPending { lines.append("  ... and \(o.pendingLinkCount - shownPending) more (see --json)") }
        return lines
    }

    static func json(plan: RestorePlan, outcome: RestoreOutcome?) -> JSONValue {
        var o: [String: JSONValue] = [
            "planned": .int(plan.links), "pending": .int(plan.pendingLinks),
            "pendingProviders": .object(plan.pendingProviders.mapValues { .int($0) }),
        ]
        if let outcome {
            o["written"] = .int(outcome.links.written)
            o["existing"] = .int(outcome.links.existing)
            o["failed"] = .int(outcome.links.failed)
            o["notMade"] = .array(
                outcome.pendingLinks.map {
                    [
                        "username": .string($0.username), "provider": .string($0.provider), "reason": .string($0.reason),
                        "command": .string($0.command),
                    ]
                })
            o["notMadeCount"] = .int(outcome.pendingLinkCount)
        }
        return .object(o)
    }
}
