import Foundation
import Testing

/// Each bad input gets one line on stderr naming what and where, a non-zero
/// exit, and leaves nothing half-written.
@Suite struct BadInputTests {
    @Test func wrongSecretIsCalledASignatureErrorAndLeavesNothing() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        var env = moto.environment
        let wrong = "WRONGsecretWRONGsecretWRONGsecret0123456"
        env["AWS_SECRET_ACCESS_KEY"] = wrong
        let store = try tempFolder("sig") + "/store"
        let r = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("signature does not match"), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains(wrong) && !r.out.contains(wrong))
        #expect(!r.stderr.contains(moto.secretAccessKey))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(store)/\(pool)")) ?? []
        #expect(left.filter { $0.hasSuffix(".json") || $0.hasSuffix(".tar.zst") }.isEmpty, "left: \(left)")
        #expect(r.out.isEmpty)
    }

    @Test func unknownPoolIsNamed() throws {
        let moto = try Moto.shared()
        let store = try tempFolder("nopool") + "/store"
        let r = try snap(["create", "--user-pool-id", "us-east-1_doesnotexist", "--store", store], env: moto.environment)
        #expect(r.status == 1)
        #expect(r.stderr.contains("us-east-1_doesnotexist") && r.stderr.contains("not found"), "stderr: \(r.stderr)")
    }

    @Test func unreachableEndpointFailsAfterBoundedRetries() throws {
        var env = try Moto.shared().environment
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"  // discard port: nothing listens
        let store = try tempFolder("unreach") + "/store"
        let started = Date()
        let r = try snap(["create", "--user-pool-id", "us-east-1_abc", "--store", store], env: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("127.0.0.1:9") && r.stderr.contains("attempts"), "stderr: \(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 120)
    }

    @Test func missingPoolIdIsAUsageError() throws {
        let r = try snap(["create", "--store", try tempFolder("usage")], env: try Moto.shared().environment)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--user-pool-id"))
    }

    @Test func unknownAndAmbiguousRefs() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let store = try tempFolder("refs") + "/store"
        for _ in 0..<2 {
            let c = try snap(["create", "--user-pool-id", pool, "--store", store, "-q"], env: moto.environment)
            #expect(c.status == 0, "stderr: \(c.stderr)")
        }
        let unknown = try snap(["show", "19990101", "--store", store], env: moto.environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("\"19990101\""), "stderr: \(unknown.stderr)")

        let ambiguous = try snap(["show", "20", "--store", store], env: moto.environment)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("ambiguous"), "stderr: \(ambiguous.stderr)")
        let list =
            try JSONSerialization.jsonObject(with: try snap(["list", "--store", store, "--json"], env: moto.environment).stdout)
            as! [[String: Any]]
        for e in list { #expect(ambiguous.stderr.contains(e["id"] as! String)) }

        let tooFar = try snap(["show", "latest~2", "--store", store], env: moto.environment)
        #expect(tooFar.status == 1)
        let previous = try snap(["show", "latest~1", "--store", store], env: moto.environment)
        #expect(previous.status == 0)
        #expect((try JSONSerialization.jsonObject(with: previous.stdout) as! [String: Any])["id"] as? String == list[0]["id"] as? String)
    }

    @Test func damagedArchiveIsRefusedAndTheMemberNamed() throws {
        let moto = try Moto.shared()
        let env = moto.environment
        let pool = try seedPool(extraUsers: 0, env: env)
        let work = try tempFolder("damage")
        let store = work + "/store"
        let c = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(c.status == 0, "stderr: \(c.stderr)")
        let id = c.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let archive = "\(store)/\(pool)/\(id).tar.zst"

        // Rebuilt by tar and zstd with one attribute changed: a valid container, a wrong member.
        let x = work + "/x"
        try FileManager.default.createDirectory(atPath: x, withIntermediateDirectories: true)
        try untar(archive, into: x)
        let users = try String(contentsOfFile: x + "/users.jsonl", encoding: .utf8)
        try users.replacingOccurrences(of: "alice@example.com", with: "mallory@example.com").write(
            toFile: x + "/users.jsonl", atomically: true, encoding: .utf8)
        let original = try Data(contentsOf: URL(fileURLWithPath: archive))
        let rebuilt = try run(
            "sh",
            [
                "-c",
                "cd \"$0\" && tar --format=pax -cf - pool.json groups.jsonl users.jsonl memberships.jsonl manifest.json | zstd -q --check -f -o \"$1\"",
                x, archive,
            ], env: env)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        let r = try snap(["cat", "latest", "users", "--store", store], env: env)
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty, "cat wrote unverified bytes")
        #expect(r.stderr.contains("users.jsonl") && r.stderr.contains(id), "stderr: \(r.stderr)")

        // A flipped byte in the compressed stream.
        var flipped = original
        flipped[flipped.count / 2] ^= 0x5A
        try flipped.write(to: URL(fileURLWithPath: archive))
        let f = try snap(["cat", "latest", "groups", "--store", store], env: env)
        #expect(f.status == 1)
        #expect(f.stdout.isEmpty)
        #expect(f.stderr.contains(id) && f.stderr.contains("damaged"), "stderr: \(f.stderr)")

        // Truncated.
        try original.prefix(original.count - 40).write(to: URL(fileURLWithPath: archive))
        let t = try snap(["cat", "latest", "pool", "--store", store], env: env)
        #expect(t.status == 1)
        #expect(t.stdout.isEmpty)
        #expect(t.stderr.contains(id), "stderr: \(t.stderr)")
    }
}
