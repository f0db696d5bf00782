import AWS
import Foundation
import SnapCore
import Testing

/// Tamper-evident history, the signing half, against moto's KMS (real SigV4 signatures, every request
/// checked against the KMS service model): `snap key export` writes a PEM that `OfflineVerifier` reads; what
/// KMS signs verifies both with KMS Verify and offline with that PEM, and a changed byte fails both; HMAC keys
/// round-trip through GenerateMac and VerifyMac; keys snap does not sign with are refused, named.
///
/// moto differs from KMS here (the tests say where): it signs RSASSA_PSS_SHA_256 with the longest salt, not
/// 32 bytes (so its RSA signatures do not verify offline); it answers a wrong signature with SignatureValid
/// false rather than KMSInvalidSignatureException; its GetPublicKey has no KeySpec (CustomerMasterKeySpec
/// only) and answers for HMAC and symmetric keys; it ignores MessageType DIGEST (hashes again).
@Suite(.serialized) struct SigningKeyTests {
    static let manifest = Array(#"{"format":2,"id":"20261204T170000Z-5167ab1e","userPool":{"id":"us-east-1_Signed"}}"#.utf8)

    /// A key made in moto's KMS; its ARN.
    static func key(spec: String?, usage: String?, env: [String: String]) throws -> String {
        var args = ["kms", "create-key", "--description", "snap signing test"]
        if let spec { args += ["--key-spec", spec] }
        if let usage { args += ["--key-usage", usage] }
        let made = try aws(args, env: env) as! [String: Any]
        return try #require((made["KeyMetadata"] as? [String: Any])?["Arn"] as? String)
    }

    /// KMS from this process, with the credentials in `env`.
    static func kms(_ env: [String: String]) throws -> KMSClient {
        let environment = AWSEnvironment(env)
        return try KMSClient(
            region: "us-east-1", environment: environment, http: HTTPClient(), credentials: CredentialsChain(environment: environment))
    }

    /// `snap key export --sign kms:ARN`'s PEM, read by OfflineVerifier.
    static func exported(_ arn: String, env: [String: String], sourceLocation: SourceLocation = #_sourceLocation) throws -> (
        pem: String, verifier: OfflineVerifier
    ) {
        let r = try snap(["key", "export", "--sign", "kms:\(arn)"], env: env, sourceLocation: sourceLocation)
        try #require(r.status == 0, "stdout: \(r.out) stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.out.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && r.out.hasSuffix("-----END PUBLIC KEY-----\n"), "\(r.out)")
        return (r.out, try OfflineVerifier(pem: r.out))
    }

    static func changed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        b[b.count / 2] ^= 0x01
        return b
    }

    @Test func whatKMSSignsWithAP256KeyVerifiesInKMSAndOfflineAlike() async throws {
        let env = try Moto.shared().environment
        let arn = try Self.key(spec: "ECC_NIST_P256", usage: "SIGN_VERIFY", env: env)
        let (pem, verifier) = try Self.exported(arn, env: env)
        #expect(verifier.algorithm == "ECDSA_SHA_256")
        let kms = try Self.kms(env)
        let info = try await kms.getPublicKey(keyId: arn)
        #expect(pem == OfflineVerifier.pem(fromDER: info.der))
        #expect(info.keySpec == "ECC_NIST_P256" && info.keyUsage == "SIGN_VERIFY" && info.signingAlgorithms == ["ECDSA_SHA_256"])

        // KMSClient directly: a signature of the message, checked by KMS and by the PEM alone.
        let message = Data(Self.manifest)
        let raw = try await kms.sign(keyId: arn, message: message, algorithm: "ECDSA_SHA_256")
        #expect(try await kms.verify(keyId: arn, message: message, signature: raw, algorithm: "ECDSA_SHA_256"))
        let direct = ManifestSignature(alg: "ECDSA_SHA_256", key: arn, value: raw.base64EncodedString())
        #expect(verifier.verify(Self.manifest, direct))
        #expect(try await !kms.verify(keyId: arn, message: Data(Self.changed(Self.manifest)), signature: raw, algorithm: "ECDSA_SHA_256"))
        #expect(!verifier.verify(Self.changed(Self.manifest), direct))

        // The signer: GetPublicKey picks ECDSA_SHA_256; KMS Verify and the PEM agree, on the bytes and on a change.
        let signer = ManifestSigner(key: try SigningKey("kms:\(arn)"), kms: kms)
        let signature = try await signer.sign(Self.manifest)
        #expect(signature.alg == "ECDSA_SHA_256" && signature.key == arn)
        #expect(try ManifestSignature(json: signature.json) == signature)
        #expect(try await signer.verify(Self.manifest, signature))
        #expect(verifier.verify(Self.manifest, signature))
        #expect(try await !signer.verify(Self.changed(Self.manifest), signature))
        #expect(!verifier.verify(Self.changed(Self.manifest), signature))

        // Another key's signature, or one naming another key: refused by both.
        let other = try Self.key(spec: "ECC_NIST_P256", usage: "SIGN_VERIFY", env: env)
        let foreign = try await ManifestSigner(key: .kms(arn: other), kms: kms).sign(Self.manifest)
        #expect(try await !signer.verify(Self.manifest, foreign), "names another key")
        #expect(!verifier.verify(Self.manifest, foreign))
        var relabelled = foreign
        relabelled.key = arn
        #expect(try await !signer.verify(Self.manifest, relabelled), "another key's signature under this key's name")
        #expect(!verifier.verify(Self.manifest, relabelled))

        // --json carries the key, its spec and algorithm, and the same PEM.
        let json = try snap(["key", "export", "--sign", "kms:\(arn)", "--json"], env: env)
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any], "\(json.out) \(json.stderr)")
        #expect(object["kind"] as? String == "publicKey" && object["key"] as? String == arn)
        #expect(object["keySpec"] as? String == "ECC_NIST_P256" && object["algorithm"] as? String == "ECDSA_SHA_256")
        #expect(object["pem"] as? String == pem)
    }

    @Test func whatKMSSignsWithAnRSAKeyVerifiesInKMSAndOfflineAlike() async throws {
        let env = try Moto.shared().environment
        let arn = try Self.key(spec: "RSA_2048", usage: "SIGN_VERIFY", env: env)
        let (pem, verifier) = try Self.exported(arn, env: env)
        #expect(verifier.algorithm == "RSASSA_PSS_SHA_256")
        let signer = ManifestSigner(key: .kms(arn: arn), kms: try Self.kms(env))
        let signature = try await signer.sign(Self.manifest)
        #expect(signature.alg == "RSASSA_PSS_SHA_256" && signature.key == arn)
        #expect(try await signer.verify(Self.manifest, signature))
        #expect(try await !signer.verify(Self.changed(Self.manifest), signature))
        #expect(!verifier.verify(Self.changed(Self.manifest), signature))
        // KMS signs RSASSA_PSS_SHA_256 with a 32-byte salt (what OfflineVerifier checks); moto with the longest
        // salt the key allows (cryptography's PSS.MAX_LENGTH), which a 32-byte-salt check refuses.
        withKnownIssue("moto signs RSASSA_PSS_SHA_256 with the maximum salt length, KMS with 32 bytes") {
            #expect(verifier.verify(Self.manifest, signature))
        }
        // That it is the salt and nothing else: the same PEM, bytes and signature check with any salt length.
        let dir = try tempFolder("rsa-salt")
        defer { try? FileManager.default.removeItem(atPath: dir) }  // scratch: the PEM, bytes and signature written below
        try pem.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        try Data(Self.manifest).write(to: URL(fileURLWithPath: dir + "/message"))
        try #require(signature.bytes).write(to: URL(fileURLWithPath: dir + "/signature"))
        let anySalt = try run(
            "python3",
            [
                "-c",
                """
                import sys
                from cryptography.hazmat.primitives import hashes, serialization
                from cryptography.hazmat.primitives.asymmetric import padding
                d = sys.argv[1]
                key = serialization.load_pem_public_key(open(d + "/key.pem", "rb").read())
                pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
                key.verify(open(d + "/signature", "rb").read(), open(d + "/message", "rb").read(), pss, hashes.SHA256())
                print("valid")
                """, dir,
            ], env: env)
        #expect(anySalt.status == 0 && anySalt.out == "valid\n", "\(anySalt.out) \(anySalt.stderr)")
    }

    @Test func hmacKeysRoundTripThroughKMSAndHaveNoPublicHalf() async throws {
        let env = try Moto.shared().environment
        let arn = try Self.key(spec: "HMAC_256", usage: "GENERATE_VERIFY_MAC", env: env)
        let kms = try Self.kms(env)
        let message = Data(Self.manifest)
        let mac = try await kms.generateMac(keyId: arn, message: message, algorithm: "HMAC_SHA_256")
        #expect(mac.count == 32)
        #expect(try await kms.verifyMac(keyId: arn, message: message, mac: mac, algorithm: "HMAC_SHA_256"))
        #expect(try await !kms.verifyMac(keyId: arn, message: Data(Self.changed(Self.manifest)), mac: mac, algorithm: "HMAC_SHA_256"))

        let signer = ManifestSigner(key: try SigningKey("hmac:\(arn)"), kms: kms)
        let signature = try await signer.sign(Self.manifest)
        #expect(signature == ManifestSignature(alg: "HMAC_SHA_256", key: arn, value: mac.base64EncodedString()), "HMAC is deterministic")
        #expect(try await signer.verify(Self.manifest, signature))
        #expect(try await !signer.verify(Self.changed(Self.manifest), signature))
        var relabelled = signature
        relabelled.alg = "ECDSA_SHA_256"
        #expect(try await !signer.verify(Self.manifest, relabelled))
        // A manifest GenerateMac cannot take: refused before any call, saying the snapshot is not written.
        do {
            _ = try await signer.sign(Self.manifest + [UInt8](repeating: 0x20, count: 4096))
            Issue.record("signed more than 4096 bytes with an HMAC key")
        } catch {
            #expect("\(error)".contains(arn) && "\(error)".contains("4096") && "\(error)".contains("not written"), "\(error)")
        }

        // End to end: create --sign hmac:ARN stores the MAC in the manifest; verify --chain checks it with
        // VerifyMac; no command's output, -v included, shows it (show says what it is instead).
        let pool = try seedPool(extraUsers: 1, env: env)
        let store = try tempFolder("hmac") + "/store"
        let on = ["--user-pool-id", pool, "--store", store]
        let created = try snap(["create", "--sign", "hmac:\(arn)", "-v"] + on, env: env)
        #expect(created.status == 0, "\(created.stderr)")
        let stored = try #require(
            try FileManager.default.contentsOfDirectory(atPath: "\(store)/\(pool)").first { $0.hasSuffix(".json") }, "a manifest")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(store)/\(pool)/\(stored)")))
        let storedMac = try #require(((manifest as? [String: Any])?["signature"] as? [String: Any])?["value"] as? String)
        #expect(Data(base64Encoded: storedMac)?.count == 32, "the stored MAC: \(storedMac)")
        var printed = created.out + created.stderr
        for args in [
            ["show"], ["list", "--json"], ["verify", "--chain", "-v"], ["check", "--max-age", "1h"], ["cat", "latest", "pool"],
        ] {
            let r = try snap(args + on, env: env)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            printed += r.out + r.stderr
            if args == ["show"] { #expect(r.out.contains("<not shown: an HMAC_SHA_256 MAC of 32 bytes>"), "\(r.out)") }
        }
        #expect(!printed.contains(storedMac), "the MAC was printed")

        // No PEM: a usage error naming VerifyMac, nothing on stdout.
        let r = try snap(["key", "export", "--sign", "hmac:\(arn)"], env: env)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.contains("no public half") && r.stderr.contains("VerifyMac"), "\(r.stderr)")
    }

    @Test func keysSnapDoesNotSignWithAreRefusedNamingWhatIsNeeded() async throws {
        let env = try Moto.shared().environment
        let p384 = try Self.key(spec: "ECC_NIST_P384", usage: "SIGN_VERIFY", env: env)
        let symmetric = try Self.key(spec: nil, usage: nil, env: env)
        let hmac = try Self.key(spec: "HMAC_256", usage: "GENERATE_VERIFY_MAC", env: env)
        for (arn, says) in [(p384, "ECC_NIST_P384"), (symmetric, "SIGN_VERIFY"), (hmac, "GENERATE_VERIFY_MAC")] {
            let r = try snap(["key", "export", "--sign", "kms:\(arn)"], env: env)
            #expect(r.status == 1 && r.stdout.isEmpty, "\(arn): \(r.out) \(r.stderr)")
            #expect(r.stderr.contains(arn) && r.stderr.contains(says) && r.stderr.contains("ECC_NIST_P256"), "\(r.stderr)")
            do {
                _ = try await ManifestSigner(key: .kms(arn: arn), kms: try Self.kms(env)).sign(Self.manifest)
                Issue.record("signed with \(arn)")
            } catch {
                #expect("\(error)".contains(arn) && "\(error)".contains("not written"), "\(error)")
            }
        }

        let missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
        let r = try snap(["key", "export", "--sign", "kms:\(missing)"], env: env)
        #expect(r.status == 1 && r.stderr.contains(missing) && r.stderr.contains("does not exist"), "\(r.stderr)")

        let bad = try snap(["key", "export", "--sign", "foo"], env: env)
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(bad.stderr.contains("--sign foo: use kms:KEY_ARN"), "\(bad.stderr)")
    }
}
