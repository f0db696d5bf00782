import AWS
import Foundation

/// `verify --chain`: one store's history of one pool, walked newest to oldest.
///
/// Every manifest names its predecessor (`previous`) and that predecessor's digest (`previousDigest`,
/// the SHA-256 of its stored `.json`); a signature covers each `.json` (digest and archive checksum
/// included). So a forged archive and `.json` fail their signature; a snapshot deleted from the middle
/// is named by its successor and explained by no prune record; a manifest swapped for another (older, or
/// re-signed elsewhere) is not the one its successor names; a manifest whose signature was stripped is
/// unsigned among signed ones, and changed the digest its successor names. What the chain cannot prove:
/// whoever holds the signing key can forge all of it (DESIGN.md).
public enum ChainCheck {
    public enum Signature: Sendable, Equatable {
        case valid
        case invalid(String)
        case unsigned
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The snapshot (or record) it is about.
        public var subject: String
        public var what: String
        public var description: String { "\(subject): \(what)" }

        public init(subject: String, what: String) {
            self.subject = subject
            self.what = what
        }
    }

    public struct Report: Sendable {
        public var problems: [Problem] = []
        public var snapshots = 0
        public var signed = 0
        public var records = 0
        public var explainedByPrune = 0
    }

    /// Checks one store's manifests of one pool and prune's records there. `verdict` checks a signature
    /// (KMS, or offline with a public key) over the bytes it covers; nil signature: unsigned.
    public static func run(
        manifests: [Manifest], records: [(name: String, record: PruneRecord)],
        verdict: (JSONValue?, [UInt8]) async -> Signature
    ) async -> Report {
        var report = Report()
        let sorted = manifests.sorted { $0.id < $1.id }
        report.snapshots = sorted.count
        let byId = Dictionary(sorted.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let signedChain = sorted.contains { $0.signature != nil }

        // Prune's records: only a trusted one explains a missing snapshot. Once the pool's snapshots are
        // signed, so must its records be (else anyone who can write the bucket could explain a deletion).
        var pruned: [SnapshotID: (digest: String, record: String)] = [:]
        for (name, record) in records {
            report.records += 1
            switch await verdict(record.signature, record.signedBytes) {
            case .valid: break
            case .invalid(let why):
                report.problems.append(Problem(subject: "prune record \(name)", what: "its signature fails (\(why)); it explains nothing"))
                continue
            case .unsigned where signedChain:
                report.problems.append(
                    Problem(subject: "prune record \(name)", what: "unsigned, while the pool's snapshots are signed; it explains nothing"))
                continue
            case .unsigned: break
            }
            for r in record.removed { pruned[r.id] = (r.digest, name) }
        }

        for (i, m) in sorted.enumerated().reversed() {
            let subject = m.id.value
            // The signature over the stored .json.
            switch await verdict(m.signature, m.signedBytes) {
            case .valid: report.signed += 1
            case .invalid(let why): report.problems.append(Problem(subject: subject, what: "its signature fails: \(why)"))
            case .unsigned where signedChain:
                report.problems.append(
                    Problem(subject: subject, what: "unsigned, while other snapshots of the pool are signed (a signature stripped?)"))
            case .unsigned: break
            }
            // Its ID is the time it was made: an older manifest under a newer ID says otherwise.
            if let created = Timestamp.parse(m.createdAt), abs(created.timeIntervalSince(m.id.date)) >= 1 {
                report.problems.append(
                    Problem(subject: subject, what: "its ID says \(Timestamp.format(m.id.date)) but it was created at \(m.createdAt)"))
            }
            if i > 0, let before = Timestamp.parse(sorted[i - 1].createdAt), let created = Timestamp.parse(m.createdAt), created < before {
                report.problems.append(
                    Problem(
                        subject: subject,
                        what:
                            "created at \(m.createdAt), before \(sorted[i - 1].id.value) (\(sorted[i - 1].createdAt)) whose ID sorts before it"
                    ))
            }
            // The link to its predecessor.
            if let p = m.previous {
                if let prev = byId[p] {
                    if let d = m.previousDigest, d != prev.digest {
                        report.problems.append(
                            Problem(
                                subject: p.value,
                                what:
                                    "its manifest is not the one its successor \(subject) names (digest \(prev.digest.prefix(12))…, named \(d.prefix(12))…): replaced"
                            ))
                    }
                } else if let explained = pruned[p] {
                    if let d = m.previousDigest, d != explained.digest {
                        report.problems.append(
                            Problem(subject: p.value, what: "missing; prune record \(explained.record) removed another manifest of that ID")
                        )
                    } else {
                        report.explainedByPrune += 1
                    }
                } else {
                    report.problems.append(
                        Problem(
                            subject: p.value, what: "missing: \(subject) names it as its previous snapshot and no prune record explains it")
                    )
                }
            }
            // A snapshot that names no predecessor while older ones are there (a first snapshot put back
            // under a newer ID, or a create that could list no store: the chain is broken there either way).
            if i > 0 && m.previous == nil {
                report.problems.append(
                    Problem(
                        subject: subject,
                        what: "not in the chain: it names no previous snapshot, though \(sorted[i - 1].id.value) is older"))
            }
            // Nothing newer skips it: the next snapshot names this one (else this one was slipped in after).
            if i + 1 < sorted.count, let next = sorted[i + 1].previous, next != m.id, next < m.id {
                report.problems.append(
                    Problem(
                        subject: subject,
                        what: "not in the chain: \(sorted[i + 1].id.value), made after it, names \(next.value) as its previous snapshot"))
            }
        }
        return report
    }
}
