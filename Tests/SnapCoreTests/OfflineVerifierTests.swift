import AWS
import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import SnapCore

/// Tamper-evident history, the signing half: a manifest signature checks offline with the exported PEM
/// alone (P-256 ECDSA and RSA-PSS as KMS makes them), and nothing else passes; `--sign` and the
/// signature's JSON form refuse what they cannot use, naming it. KMS itself: SigningKeyTests (moto).
@Suite struct OfflineVerifierTests {
    static let keyARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    static let otherARN = "arn:aws:kms:eu-west-1:111122223333:key/other"
    static let manifest = Array(#"{"format":2,"id":"20261204T165500Z-0badc0de","userPool":{"id":"eu-west-1_Abc"}}"#.utf8)

    static func signed(_ bytes: [UInt8], with key: P256.Signing.PrivateKey) throws -> ManifestSignature {
        // KMS's ECDSA_SHA_256: SHA-256 of the message, the signature DER-encoded.
        let signature = try key.signature(for: SHA256.hash(data: bytes))
        return ManifestSignature(alg: "ECDSA_SHA_256", key: keyARN, value: signature.derRepresentation.base64EncodedString())
    }

    static func signed(_ bytes: [UInt8], with key: _RSA.Signing.PrivateKey) throws -> ManifestSignature {
        // KMS's RSASSA_PSS_SHA_256: MGF1 with SHA-256, a 32-byte salt.
        let signature = try key.signature(for: SHA256.hash(data: bytes), padding: .PSS)
        return ManifestSignature(alg: "RSASSA_PSS_SHA_256", key: keyARN, value: signature.rawRepresentation.base64EncodedString())
    }

    /// A SubjectPublicKeyInfo naming rsaEncryption (with NULL parameters) around `bits` (the BIT STRING's
    /// content, its first byte the unused-bit count). Every length is under 128: short-form DER lengths.
    static func rsaInfo(bits: [UInt8]) -> Data {
        let algorithm: [UInt8] = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00]
        let bitString = [0x03, UInt8(bits.count)] + bits
        return Data([0x30, UInt8(algorithm.count + bitString.count)] + algorithm + bitString)
    }

    /// `key`'s SubjectPublicKeyInfo with its algorithm rewritten to id-ecPublicKey on prime256v1.
    static func p256InfoAround(_ key: _RSA.Signing.PublicKey) -> Data {
        let rsa = Array(key.derRepresentation)
        let ec: [UInt8] = [
            0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
        ]
        // The RSA SPKI: 30 82 LL LL, then its 15-byte algorithm, then the bit string.
        let bitString = Array(rsa[(4 + 15)...])
        let body = ec + bitString
        return Data([0x30, 0x82, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body)
    }

    static func changed(_ bytes: [UInt8], at i: Int) -> [UInt8] {
        var b = bytes
        b[i] ^= 0x01
        return b
    }

    @Test func p256SignaturesVerifyAndNothingElseDoes() throws {
        let key = P256.Signing.PrivateKey()
        let verifier = try OfflineVerifier(pem: OfflineVerifier.pem(fromDER: key.publicKey.derRepresentation))
        #expect(verifier.algorithm == "ECDSA_SHA_256")
        let signature = try Self.signed(Self.manifest, with: key)
        #expect(verifier.verify(Self.manifest, signature))

        for i in [0, Self.manifest.count / 2, Self.manifest.count - 1] {
            #expect(!verifier.verify(Self.changed(Self.manifest, at: i), signature), "byte \(i) changed")
        }
        #expect(!verifier.verify(Self.manifest + [0x0A], signature), "a byte added")
        #expect(!verifier.verify(Self.manifest, try Self.signed(Self.manifest, with: P256.Signing.PrivateKey())), "another key's signature")
        var wrongAlg = signature
        wrongAlg.alg = "RSASSA_PSS_SHA_256"
        #expect(!verifier.verify(Self.manifest, wrongAlg))
        wrongAlg.alg = "HMAC_SHA_256"
        #expect(!verifier.verify(Self.manifest, wrongAlg), "an HMAC is never checked offline")
        for garbage in ["not base64!", "", "AAAA", Data(repeating: 0x30, count: 72).base64EncodedString()] {
            var bad = signature
            bad.value = garbage
            #expect(!verifier.verify(Self.manifest, bad), "value \(garbage)")
        }
    }

    @Test func rsaPSSSignaturesVerifyAndNothingElseDoes() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pem = OfflineVerifier.pem(fromDER: key.publicKey.derRepresentation)
        let verifier = try OfflineVerifier(pem: pem)
        #expect(verifier.algorithm == "RSASSA_PSS_SHA_256")
        let signature = try Self.signed(Self.manifest, with: key)
        #expect(verifier.verify(Self.manifest, signature))

        #expect(!verifier.verify(Self.changed(Self.manifest, at: 7), signature))
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(!verifier.verify(Self.manifest, try Self.signed(Self.manifest, with: other)), "another key's signature")
        // PKCS #1 v1.5 is not what the algorithm names: refused.
        let pkcs1 = try key.signature(for: SHA256.hash(data: Self.manifest), padding: .insecurePKCS1v1_5)
        #expect(
            !verifier.verify(
                Self.manifest,
                ManifestSignature(alg: "RSASSA_PSS_SHA_256", key: Self.keyARN, value: pkcs1.rawRepresentation.base64EncodedString())))
        var wrongAlg = signature
        wrongAlg.alg = "ECDSA_SHA_256"
        #expect(!verifier.verify(Self.manifest, wrongAlg))
        var garbage = signature
        garbage.value = "%%%"
        #expect(!verifier.verify(Self.manifest, garbage))
        // A P-256 signature under an RSA key, and the reverse.
        let p256 = P256.Signing.PrivateKey()
        #expect(!verifier.verify(Self.manifest, try Self.signed(Self.manifest, with: p256)))
    }

    @Test func thePEMHasTheStandardShape() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let der = key.publicKey.derRepresentation
        let pem = OfflineVerifier.pem(fromDER: der)
        let lines = pem.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "-----BEGIN PUBLIC KEY-----")
        #expect(lines.dropLast().last == "-----END PUBLIC KEY-----")
        #expect(lines.last == "", "the PEM ends in a newline")
        let body = lines.dropFirst().dropLast(2)
        #expect(body.dropLast().allSatisfy { $0.count == 64 } && (body.last?.count ?? 0) <= 64)
        #expect(Data(base64Encoded: body.joined()) == der)
        // swift-crypto's own PEM of the same key reads the same.
        #expect(pem == key.publicKey.pemRepresentation + "\n" || pem == key.publicKey.pemRepresentation)
    }

    @Test func aPEMThatIsNoSigningKeyIsRefusedSayingWhatIsNeeded() throws {
        for pem in [
            "", "hello", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            OfflineVerifier.pem(fromDER: P384.Signing.PrivateKey().publicKey.derRepresentation),
            P256.Signing.PrivateKey().pemRepresentation,
            // An RSA key's algorithm over bits that are no RSAPublicKey: swift-crypto 3.12.3's own parser
            // frees its key twice on these (the heap corruption behind a unit-test abort); ours refuses.
            OfflineVerifier.pem(fromDER: Self.rsaInfo(bits: [0x00, 0x30, 0x03, 0x02, 0x01])),
            OfflineVerifier.pem(fromDER: Self.rsaInfo(bits: [0x00] + Array("not a key".utf8))),
            // A P-256 curve named, an RSA key inside.
            try OfflineVerifier.pem(fromDER: Self.p256InfoAround(_RSA.Signing.PrivateKey(keySize: .bits2048).publicKey)),
            // RSA under 2048 bits, and the PKCS #1 form (no algorithm named).
            try OfflineVerifier.pem(fromDER: _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024)).publicKey.derRepresentation),
            try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pkcs1PEMRepresentation,
        ] {
            do {
                _ = try OfflineVerifier(pem: pem)
                Issue.record("accepted \(pem.prefix(40))")
            } catch {
                #expect(error.description.contains("ECC_NIST_P256 or RSA") && error.description.contains("snap key export"), "\(error)")
            }
        }
    }

    @Test func signingKeysParseAndBadOnesAreNamed() throws {
        let arn = Self.keyARN
        #expect(try SigningKey("kms:\(arn)") == .kms(arn: arn))
        #expect(try SigningKey("hmac:\(arn)") == .hmac(arn: arn))
        let alias = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/snap-signing"
        #expect(try SigningKey("kms:\(alias)") == .kms(arn: alias))
        #expect(try SigningKey("kms:\(arn)").text == "kms:\(arn)")
        #expect(try SigningKey("hmac:\(arn)").text == "hmac:\(arn)")
        #expect(try SigningKey("hmac:\(arn)").arn == arn)
        #expect(try SigningKey("kms:\(alias)").region == "us-gov-west-1")

        for bad in [
            "foo", "", arn, "KMS:\(arn)", "kms:", "hmac:", "kms:alias/snap", "kms:1234abcd-12ab-34cd-56ef-1234567890ab",
            "kms:arn:aws:sns:eu-west-1:111122223333:topic", "kms:arn:aws:kms::111122223333:key/k", "kms:arn:aws:kms:eu-west-1:1111:key/k",
            "kms:arn:aws:kms:eu-west-1:111122223333:key/", "kms:arn:aws:kms:eu-west-1:111122223333:grant/k",
            "rsa:\(arn)", "kms:\(arn) ",
        ] {
            do {
                _ = try SigningKey(bad)
                Issue.record("accepted --sign \(bad)")
            } catch {
                #expect(error.description.hasPrefix("--sign \(bad):"), "\(error)")
                #expect(
                    error.description.contains(
                        "use kms:KEY_ARN (an asymmetric KMS key, ECC_NIST_P256 or RSA) or hmac:KEY_ARN (an HMAC_256 KMS key)"),
                    "\(error)")
            }
        }
    }

    @Test func signaturesRoundTripThroughJSONAndMalformedFieldsAreNamed() throws {
        let signature = ManifestSignature(alg: "ECDSA_SHA_256", key: Self.keyARN, value: Data([1, 2, 3]).base64EncodedString())
        #expect(signature.json == ["alg": "ECDSA_SHA_256", "key": .string(Self.keyARN), "value": "AQID"])
        #expect(try ManifestSignature(json: signature.json) == signature)
        #expect(try ManifestSignature(json: JSONParser.parse(signature.json.canonicalData())) == signature)
        for alg in ["RSASSA_PSS_SHA_256", "HMAC_SHA_256"] {
            var s = signature
            s.alg = alg
            #expect(try ManifestSignature(json: s.json) == s)
        }

        let cases: [(JSONValue, String)] = [
            (.string("x"), "not a JSON object"),
            (["key": .string(Self.keyARN), "value": "AQID"], "\"alg\""),
            (["alg": 1, "key": .string(Self.keyARN), "value": "AQID"], "\"alg\""),
            (["alg": "ECDSA_SHA_384", "key": .string(Self.keyARN), "value": "AQID"], "ECDSA_SHA_384"),
            (["alg": "ECDSA_SHA_256", "value": "AQID"], "\"key\""),
            (["alg": "ECDSA_SHA_256", "key": "alias/x", "value": "AQID"], "\"key\" alias/x"),
            (["alg": "ECDSA_SHA_256", "key": .string(Self.keyARN)], "\"value\""),
            (["alg": "ECDSA_SHA_256", "key": .string(Self.keyARN), "value": "%%%"], "\"value\""),
            (["alg": "ECDSA_SHA_256", "key": .string(Self.keyARN), "value": ""], "\"value\""),
        ]
        for (json, field) in cases {
            do {
                _ = try ManifestSignature(json: json, source: "20261204T165500Z-0badc0de")
                Issue.record("accepted \(json.canonicalString())")
            } catch {
                #expect(error.description.contains(field), "\(error)")
                #expect(error.description.contains("20261204T165500Z-0badc0de"), "names the snapshot: \(error)")
            }
        }
    }

    @Test func theKeySpecPicksTheAlgorithmAndOtherKeysAreRefused() throws {
        func info(_ spec: String, _ usage: String = "SIGN_VERIFY", _ algs: [String] = []) -> KMSClient.PublicKeyInfo {
            KMSClient.PublicKeyInfo(der: Data([0x30]), keySpec: spec, keyUsage: usage, signingAlgorithms: algs)
        }
        #expect(
            try ManifestSigner.algorithm(for: info("ECC_NIST_P256", "SIGN_VERIFY", ["ECDSA_SHA_256"]), key: Self.keyARN) == "ECDSA_SHA_256")
        for rsa in ["RSA_2048", "RSA_3072", "RSA_4096"] {
            #expect(try ManifestSigner.algorithm(for: info(rsa), key: Self.keyARN) == "RSASSA_PSS_SHA_256")
        }
        for (bad, says) in [
            (info("ECC_NIST_P384"), "ECC_NIST_P384"), (info("ECC_SECG_P256K1"), "ECC_SECG_P256K1"),
            (info("RSA_2048", "ENCRYPT_DECRYPT"), "ENCRYPT_DECRYPT"), (info("HMAC_256", "GENERATE_VERIFY_MAC"), "hmac:KEY_ARN"),
            (info("ECC_NIST_P256", "SIGN_VERIFY", ["SM2DSA"]), "ECDSA_SHA_256"),
        ] {
            do {
                _ = try ManifestSigner.algorithm(for: bad, key: Self.keyARN)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.description.contains(Self.keyARN) && error.description.contains(says), "\(error)")
                #expect(error.description.contains("SIGN_VERIFY"), "\(error)")
            }
        }
    }

    @Test func largeManifestsAreSignedAsTheirDigest() {
        let small = [UInt8](repeating: 0x61, count: 4096)
        #expect(ManifestSigner.message(small) == (Data(small), .raw))
        let large = small + [0x62]
        #expect(ManifestSigner.message(large) == (Data(SHA256.hash(data: large)), .digest))
    }

    @Test func signaturesAndMACsAreRedactedFromLogLines() {
        let value = "MEUCIQDx7n0vZ3Q5c2lnbmF0dXJlLW9mLXRoZS1tYW5pZmVzdA=="
        for answer in [
            #"{"KeyId":"\#(Self.keyARN)","Signature":"\#(value)","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            #"{"KeyId":"\#(Self.keyARN)","Mac":"\#(value)","MacAlgorithm":"HMAC_SHA_256"}"#,
        ] {
            let out = Redactor().redact("kms answered \(answer)")
            #expect(!out.contains(value), "\(out)")
            #expect(out.contains(Self.keyARN) && out.contains("Algorithm"), "\(out)")
        }
        #expect(Redactor().redact("--sign hmac:\(Self.keyARN)").contains(Self.keyARN), "hmac:ARN is not a MAC")
    }
}
