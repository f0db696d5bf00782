import AWS
import Foundation
import Testing

@testable import SnapCore

/// The export's fast paths give the very bytes of the generic ones they replace:
/// `UserRecord.canonicalLine()` against `json.canonicalData()`, the string writer
/// against the previous escaper, the digit-by-digit timestamps against
/// `String(format:)`, and the username read from a line against a full parse.
@Suite struct FastPathEquivalenceTests {
    /// Reproducible randomness (SplitMix64), so a failing case can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The string escaper as it was before the fast path: byte by byte.
    static func previousEscape(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for byte in s.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        return out + [0x22]
    }

    static let samples = [
        "", "a", "alice", "Zoë 李 محمد 🚀", "say \"hi\"", "back\\slash", "two\nlines", "tab\there", "\r\u{8}\u{C}",
        "\u{0}\u{1}\u{1F}\u{7F}", "=HYPERLINK(\"http://x\",\"y\")", "a,b\\,c", "  M5 ", "/slash/", "\u{2028}\u{FEFF}",
        String(repeating: "x", count: 300), "end\\", "\"", "custom:tier", "email_verified",
    ]

    static func randomString(_ rng: inout Seeded) -> String {
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "é", "李", "🚀", ":", ",", "{", "}"]
        return String((0..<Int.random(in: 0...12, using: &rng)).map { _ in pool.randomElement(using: &rng)! })
    }

    @Test func stringWriterMatchesThePreviousEscaper() throws {
        var rng = Seeded(state: 22)
        for s in Self.samples + (0..<2000).map({ _ in Self.randomString(&rng) }) {
            var out: [UInt8] = []
            JSONValue.writeString(s, into: &out)
            #expect(out == Self.previousEscape(s), "\(Array(s.utf8))")
            #expect(try JSONParser.parse(bytes: out) == .string(s))
        }
    }

    @Test func canonicalLineMatchesTheGenericEncoder() {
        var rng = Seeded(state: 5)
        var records: [UserRecord] = [
            UserRecord(username: "alice", attributes: [:], enabled: true, status: "CONFIRMED"),
            UserRecord(username: "", attributes: ["": ""], enabled: false, status: ""),
            UserRecord(
                username: "Zoë \"李\"\n", attributes: ["sub": "s-1", "name": "Zoë 李 محمد 🚀", "nickname": "two\nlines", "é": "\u{0}"],
                enabled: false, status: "EXTERNAL_PROVIDER",
                mfaOptions: [["DeliveryMedium": "SMS", "AttributeName": "phone_number"], .null, 1, .bool(true)],
                created: "2026-11-27T02:49:30Z", modified: "2026-11-27T02:49:31Z",
                mfa: MFASettings(enabled: ["SOFTWARE_TOKEN_MFA", "SMS_MFA"], preferred: "SMS_MFA")),
            UserRecord(
                username: "bob", attributes: ["custom:tier": "gold", "custom:Tier": "x", "email": "b@x.com"], enabled: true,
                status: "UNCONFIRMED", created: nil, modified: "2026-01-01T00:00:00Z", mfa: MFASettings(enabled: [])),
            UserRecord(
                username: "carol", attributes: ["a": "1"], enabled: true, status: "CONFIRMED", mfa: MFASettings(enabled: ["EMAIL_OTP"])),
        ]
        for i in 0..<2000 {
            var attributes: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...8, using: &rng) { attributes[Self.randomString(&rng)] = Self.randomString(&rng) }
            let options: [JSONValue] = i % 7 == 0 ? [["AttributeName": .string(Self.randomString(&rng)), "DeliveryMedium": "SMS"]] : []
            let mfa: MFASettings? =
                switch i % 5 {
                case 0: MFASettings(enabled: ["SMS_MFA", "EMAIL_OTP"], preferred: i % 2 == 0 ? "EMAIL_OTP" : nil)
                case 1: MFASettings(enabled: [], preferred: "SOFTWARE_TOKEN_MFA")
                default: nil
                }
            records.append(
                UserRecord(
                    username: Self.randomString(&rng), attributes: attributes, enabled: i % 3 != 0, status: Self.randomString(&rng),
                    mfaOptions: options, created: i % 4 == 0 ? nil : Timestamp.format(epochSeconds: Int64(i) * 7_919_333),
                    modified: i % 6 == 0 ? nil : Self.randomString(&rng), mfa: mfa))
        }
        for r in records {
            #expect(r.canonicalLine() == Array(r.json.canonicalData()), "\(r)")
        }
    }

    @Test func timestampsMatchStringFormat() {
        var rng = Seeded(state: 9)
        let edges: [Int64] = [
            0, -1, 59, 86_399, 86_400, 951_782_400, 1_795_747_770, 253_402_300_799, 253_402_300_800, -62_167_219_200, -62_167_219_201,
        ]
        for t in edges + (0..<5000).map({ _ in Int64.random(in: -70_000_000_000...300_000_000_000, using: &rng) }) {
            let days = t >= 0 ? t / 86_400 : -((-t + 86_399) / 86_400)
            let secs = t - days * 86_400
            let (y, m, d) = Timestamp.civil(fromDays: days)
            let old = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, secs / 3600, (secs % 3600) / 60, secs % 60)
            #expect(Timestamp.format(epochSeconds: t) == old, "\(t)")
        }
    }

    @Test func memcmpOrdersMatchByteByByteOrders() {
        var rng = Seeded(state: 31)
        var strings = Self.samples + ["a", "ab", "b", "é", "z", "\u{7F}", "\u{80}", "\u{FFFF}", "\u{10000}", "aé", "a\u{0}"]
        strings += (0..<300).map { _ in Self.randomString(&rng) }
        for a in strings {
            for b in strings.prefix(60) {
                let bytewise = a.utf8.lexicographicallyPrecedes(b.utf8)
                #expect(JSONValue.utf8Less(a, b) == bytewise, "\(Array(a.utf8)) < \(Array(b.utf8))")
                let x = SortRecord(key: Array(a.utf8), line: [], seq: 1)
                let y = SortRecord(key: Array(b.utf8), line: [], seq: 2)
                #expect(SortRecord.less(x, y) == (bytewise || Array(a.utf8) == Array(b.utf8)), "\(Array(a.utf8)) < \(Array(b.utf8))")
                #expect(SortRecord.less(y, x) == b.utf8.lexicographicallyPrecedes(a.utf8))
            }
        }
    }

    @Test func lineBytesMatchLineData() throws {
        let text = Array("one\n\ntwo \u{1F680}\nthree\n".utf8)
        var chunks = stride(from: 0, to: text.count, by: 3).map { Data(text[$0..<min($0 + 3, text.count)]) }[...]
        var again = chunks
        var bytes = LineReader { chunks.popFirst() }
        var data = LineReader { again.popFirst() }
        var lines = 0
        while let line = try bytes.nextBytes() {
            #expect(try data.next() == Data(line))
            lines += 1
        }
        #expect(try data.next() == nil)
        #expect(lines == 4)
    }

    @Test func usernameKeyMatchesAFullParse() throws {
        var rng = Seeded(state: 77)
        for _ in 0..<500 {
            var attributes: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &rng) { attributes[Self.randomString(&rng)] = Self.randomString(&rng) }
            let u = UserRecord(
                username: Self.randomString(&rng), attributes: attributes, enabled: true, status: "CONFIRMED",
                mfaOptions: [["x": .string(Self.randomString(&rng))]], mfa: MFASettings(enabled: ["SMS_MFA"]))
            let line = u.canonicalLine()
            #expect(try Exporter.usernameKey(line) == Array(u.username.utf8))
        }
        #expect(throws: SnapError.self) { try Exporter.usernameKey(Array(#"{"name":"x"}"#.utf8)) }
        #expect(throws: (any Error).self) { try Exporter.usernameKey(Array(#"{"username":"x""#.utf8)) }
    }
}
