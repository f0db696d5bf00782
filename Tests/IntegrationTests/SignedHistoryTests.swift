import Foundation
import Testing

/// Issue 23's done-when, against moto's KMS and S3 with signatures and IAM checked: snapshots signed with
/// an asymmetric KMS key in an S3 store; an attacker who holds only s3:PutObject and s3:DeleteObject on
/// the bucket swaps, deletes, replays, re-signs and strips; `verify --chain` names each, offline with the
/// exported public key as with KMS, and restore and cat refuse each under `--require-signature`.
@Suite(.serialized) struct SignedHistoryTests {
    struct History {
        var pool: String
        var bucket: String
        var key: String
        var otherKey: String
        var ids: [String]
        var work: String
        var mirror: String
        var admin: [String: String]
        var attacker: [String: String]
        var pem: String
        var store: String { "s3://\(bucket)" }
    }

    static func signingKey(env: [String: String]) throws -> String {
        let out =
            try aws(["kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"], env: env) as! [String: Any]
        return (out["KeyMetadata"] as! [String: Any])["Arn"] as! String
    }

    /// Four signed snapshots, a local mirror of the bucket (to put it back after each attack), the attacker's
    /// environment and the exported public key.
    static func history() throws -> History {
        let moto = try Moto.shared()
        let admin = moto.environment
        let pool = try seedPool(extraUsers: 2, env: admin)
        let bucket = "snap-sign-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: admin)
        let key = try signingKey(env: admin)
        let otherKey = try signingKey(env: admin)
        let work = try tempFolder("signed")
        try "user_pool_id = \"\(pool)\"\nstores = [\"s3://\(bucket)\"]\nsign = \"kms:\(key)\"\n"
            .write(toFile: work + "/snap.toml", atomically: true, encoding: .utf8)
        var ids: [String] = []
        for _ in 0..<4 {
            let r = try snap(["create"], env: admin, cwd: work)
            #expect(r.status == 0, "\(r.stderr)")
            ids.append(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let export = try snap(["key", "export", "--sign", "kms:\(key)"], env: admin, cwd: work)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.out.hasPrefix("-----BEGIN PUBLIC KEY-----"), "\(export.out)")
        let pem = work + "/snap-signing.pem"
        try export.out.write(toFile: pem, atomically: true, encoding: .utf8)
        let mirror = work + "/mirror"
        _ = try run("aws", ["s3", "sync", "s3://\(bucket)", mirror], env: admin)

        let user = "attacker-\(UUID().uuidString.prefix(6))"
        let policy =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::\#(bucket)/*"}]}"#
        _ = try aws(["iam", "create-user", "--user-name", user], env: admin)
        _ = try aws(["iam", "put-user-policy", "--user-name", user, "--policy-name", "p", "--policy-document", policy], env: admin)
        let k = (try aws(["iam", "create-access-key", "--user-name", user], env: admin) as! [String: Any])["AccessKey"] as! [String: Any]
        var attacker = admin
        attacker["AWS_ACCESS_KEY_ID"] = k["AccessKeyId"] as? String
        attacker["AWS_SECRET_ACCESS_KEY"] = k["SecretAccessKey"] as? String
        // The attacker cannot read the bucket: only write and delete.
        let denied = try run(
            "aws", ["s3api", "get-object", "--bucket", bucket, "--key", "\(pool)/\(ids[0]).json", work + "/x"], env: attacker)
        #expect(denied.status != 0, "the attacker holds s3:PutObject and s3:DeleteObject only")
        return History(
            pool: pool, bucket: bucket, key: key, otherKey: otherKey, ids: ids, work: work, mirror: mirror, admin: admin,
            attacker: attacker,
            pem: pem)
    }

    /// The bucket as it was before the attack.
    static func putBack(_ h: History) throws {
        let r = try run("aws", ["s3", "sync", h.mirror, "s3://\(h.bucket)", "--delete"], env: h.admin)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// The attacker writes `name` (from `folder`) into the pool's folder.
    static func put(_ h: History, _ folder: String, _ name: String) throws {
        let r = try run(
            "aws", ["s3api", "put-object", "--bucket", h.bucket, "--key", "\(h.pool)/\(name)", "--body", "\(folder)/\(name)"],
            env: h.attacker)
        #expect(r.status == 0, "attacker put \(name): \(r.stderr)")
    }

    static func delete(_ h: History, _ name: String) throws {
        let r = try run("aws", ["s3api", "delete-object", "--bucket", h.bucket, "--key", "\(h.pool)/\(name)"], env: h.attacker)
        #expect(r.status == 0, "attacker delete \(name): \(r.stderr)")
    }

    /// A copy of the pool's folder to forge in.
    static func forgeFolder(_ h: History) throws -> String {
        let dir = try tempFolder("forge")
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(h.mirror)/\(h.pool)")
        where name.hasSuffix(".json") || name.hasSuffix(".tar.zst") {
            try FileManager.default.copyItem(atPath: "\(h.mirror)/\(h.pool)/\(name)", toPath: "\(dir)/\(name)")
        }
        return dir
    }

    static func tamper(_ args: [String]) throws {
        let r = try run("python3", [Repo.root + "/scripts/tamper_snapshot.py"] + args, env: ProcessInfo.processInfo.environment)
        #expect(r.status == 0, "tamper_snapshot: \(r.stderr)")
    }

    /// verify --chain with KMS and offline: both must fail and name `says`; restore and cat must refuse the
    /// snapshot `ref` under the policy (and cat only warn without it).
    static func detected(_ h: History, _ says: [String], ref: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for extra in [[], ["--public-key", h.pem]] {
            let v = try snap(["verify", "--chain"] + extra, env: h.admin, cwd: h.work)
            #expect(v.status == 1, "verify --chain \(extra) must fail: \(v.out) \(v.stderr)", sourceLocation: sourceLocation)
            for s in says {
                #expect(v.out.contains(s), "verify --chain \(extra) names \(s): \(v.out)", sourceLocation: sourceLocation)
            }
        }
        let target = try RestoreTests.emptyPool(like: RestoreTests.demo, region: "us-east-1", env: h.admin)
        let restore = try snap(["restore", ref, "--user-pool-id", target, "--require-signature"], env: h.admin, cwd: h.work)
        #expect(restore.status == 1 && restore.stderr.contains("refused"), "restore: \(restore.stderr)", sourceLocation: sourceLocation)
        let users = try aws(["cognito-idp", "list-users", "--user-pool-id", target], env: h.admin) as! [String: Any]
        #expect((users["Users"] as? [Any])?.isEmpty == true, "nothing restored", sourceLocation: sourceLocation)
        let cat = try snap(["cat", ref, "users", "--require-signature"], env: h.admin, cwd: h.work)
        #expect(cat.status == 1 && cat.stdout.isEmpty, "cat under the policy: \(cat.stderr)", sourceLocation: sourceLocation)
        let warned = try snap(["cat", ref, "users"], env: h.admin, cwd: h.work)
        #expect(
            warned.stderr.contains("warning: snapshot"), "cat without the policy warns: \(warned.stderr)", sourceLocation: sourceLocation)
    }

    @Test func everyAttackIsDetectedAndRefused() throws {
        let h = try Self.history()
        let (s1, s2, s3, s4) = (h.ids[0], h.ids[1], h.ids[2], h.ids[3])
        // The untouched history: intact with KMS and offline alike, and usable under the policy.
        for extra in [[], ["--public-key", h.pem]] {
            let v = try snap(["verify", "--chain"] + extra, env: h.admin, cwd: h.work)
            #expect(v.status == 0, "\(v.out) \(v.stderr)")
            #expect(v.out.contains("chain ok: 4 snapshot(s), 4 signed"), "\(v.out)")
        }
        let fine = try snap(["cat", s4, "users", "--require-signature"], env: h.admin, cwd: h.work)
        #expect(fine.status == 0 && !fine.stderr.contains("warning"), "\(fine.stderr)")
        let check = try snap(["check", "--max-age", "1h"], env: h.admin, cwd: h.work)
        #expect(check.out.contains("newest snapshot's signature: valid"), "\(check.out)")

        // 1. An archive and its .json swapped for self-consistent forgeries (an extra user), unsigned or
        //    keeping the old signature.
        for keep in [false, true] {
            let f = try Self.forgeFolder(h)
            try Self.tamper(
                [
                    f, s4, "--insert", "users.jsonl",
                    #"{"username":"mallory","attributes":{"sub":"m"},"enabled":true,"status":"CONFIRMED","created":"2026-11-01T00:00:00Z","modified":"2026-11-01T00:00:00Z"}"#,
                ]
                    + (keep ? ["--keep-signature"] : []))
            try Self.put(h, f, "\(s4).tar.zst")
            try Self.put(h, f, "\(s4).json")
            try Self.detected(h, [keep ? "\(s4)  CHAIN FAILED: its signature fails" : "\(s4)  CHAIN FAILED: unsigned"], ref: s4)
            try Self.putBack(h)
        }

        // 2. A middle snapshot deleted.
        try Self.delete(h, "\(s2).json")
        try Self.delete(h, "\(s2).tar.zst")
        try Self.detected(h, ["\(s2)  CHAIN FAILED: missing: \(s3) names it"], ref: s3)
        try Self.putBack(h)

        // 3. An older manifest restored under a newer ID: as it was (its name and its id disagree), and
        //    rewritten to the newer ID (unsigned, and not the manifest its place in the chain had).
        let raw = try Self.forgeFolder(h)
        try FileManager.default.removeItem(atPath: "\(raw)/\(s4).json")
        try FileManager.default.copyItem(atPath: "\(raw)/\(s1).json", toPath: "\(raw)/\(s4).json")
        try FileManager.default.removeItem(atPath: "\(raw)/\(s4).tar.zst")
        try FileManager.default.copyItem(atPath: "\(raw)/\(s1).tar.zst", toPath: "\(raw)/\(s4).tar.zst")
        try Self.put(h, raw, "\(s4).tar.zst")
        try Self.put(h, raw, "\(s4).json")
        let moved = try snap(["verify", "--chain"], env: h.admin, cwd: h.work)
        #expect(moved.status == 1 && moved.out.contains("it is the manifest of \(s1), stored under the name of \(s4)"), "\(moved.out)")
        try Self.putBack(h)
        let replay = try Self.forgeFolder(h)
        try Self.tamper([replay, s1, "--as", s4])
        try Self.put(h, replay, "\(s4).tar.zst")
        try Self.put(h, replay, "\(s4).json")
        try Self.detected(h, ["\(s4)  CHAIN FAILED: unsigned", "\(s4)  CHAIN FAILED: not in the chain"], ref: s4)
        try Self.putBack(h)

        // 4. A forgery signed with another key (the attacker's own KMS key).
        let other = try Self.forgeFolder(h)
        let bytes = other + "/signed-bytes"
        try Self.tamper([other, s4, "--set", "users.jsonl", "alice", "enabled", "false", "--write-signed-bytes", bytes])
        let signed =
            try aws(
                [
                    "kms", "sign", "--key-id", h.otherKey, "--message", "fileb://\(bytes)", "--message-type", "RAW", "--signing-algorithm",
                    "ECDSA_SHA_256",
                ],
                env: h.admin) as! [String: Any]
        let signature = #"{"alg":"ECDSA_SHA_256","key":"\#(h.otherKey)","value":"\#(signed["Signature"] as! String)"}"#
        try Self.tamper([other, s4, "--set", "users.jsonl", "alice", "enabled", "false", "--signature", signature])
        try Self.put(h, other, "\(s4).tar.zst")
        try Self.put(h, other, "\(s4).json")
        try Self.detected(h, ["\(s4)  CHAIN FAILED: its signature fails"], ref: s4)
        try Self.putBack(h)

        // 5. A manifest with its signature stripped (nothing else changed).
        let stripped = try Self.forgeFolder(h)
        try Self.tamper([stripped, s3])
        try Self.put(h, stripped, "\(s3).json")
        try Self.detected(
            h, ["\(s3)  CHAIN FAILED: unsigned", "\(s3)  CHAIN FAILED: its manifest is not the one its successor \(s4) names"], ref: s3)
        try Self.putBack(h)

        // A prune leaves a signed record: the chain still holds, offline too.
        let prune = try snap(["prune", "--keep-last", "2"], env: h.admin, cwd: h.work)
        #expect(prune.status == 0, "\(prune.stderr)")
        for extra in [[], ["--public-key", h.pem]] {
            let v = try snap(["verify", "--chain"] + extra, env: h.admin, cwd: h.work)
            #expect(v.status == 0, "\(v.out) \(v.stderr)")
            #expect(v.out.contains("chain ok: 2 snapshot(s), 2 signed, 1 prune record(s), 1 pruned snapshot(s) explained"), "\(v.out)")
        }
        // A record the attacker writes (unsigned) explains nothing: deleting s3 is still caught.
        let fake = try tempFolder("fake-record")
        try
            #"{"at":"2026-12-01T00:00:00Z","kind":"snap-prune-record","pool":"\#(h.pool)","removed":[{"digest":"x","id":"\#(s3)","reason":"x"}],"store":"x","tool":"x"}"#
            .write(toFile: fake + "/prune-fake.json", atomically: true, encoding: .utf8)
        let put = try run(
            "aws",
            [
                "s3api", "put-object", "--bucket", h.bucket, "--key", "\(h.pool)/pruned/prune-fake.json", "--body",
                fake + "/prune-fake.json",
            ],
            env: h.attacker)
        #expect(put.status == 0, "\(put.stderr)")
        try Self.delete(h, "\(s3).json")
        let caught = try snap(["verify", "--chain"], env: h.admin, cwd: h.work)
        #expect(caught.status == 1 && caught.out.contains("prune record prune-fake.json  CHAIN FAILED: unsigned"), "\(caught.out)")
    }

    @Test func aKMSFailureFailsTheCreateAndWritesNothing() throws {
        let moto = try Moto.shared()
        let pool = try seedPool(extraUsers: 0, env: moto.environment)
        let work = try tempFolder("sign-fail")
        let missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
        let r = try snap(
            ["create", "--user-pool-id", pool, "--store", work + "/store", "--sign", "kms:\(missing)"], env: moto.environment, cwd: work)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains(missing), "names the key: \(r.stderr)")
        // An absent folder is nothing written, which is what is asserted.
        let written = (try? FileManager.default.contentsOfDirectory(atPath: "\(work)/store/\(pool)")) ?? []
        #expect(!written.contains { $0.hasSuffix(".json") }, "no snapshot written: \(written)")
        let bad = try snap(
            ["create", "--user-pool-id", pool, "--store", work + "/store", "--sign", "kms-foo"], env: moto.environment, cwd: work)
        #expect(bad.status == 64 && bad.stderr.contains("kms:KEY_ARN"), "\(bad.stderr)")
    }
}
