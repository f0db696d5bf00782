import AWS
import Crypto
import Foundation
import Testing

@testable import SnapCore

/// secrets.enc's envelope (issue 21, item 2): AES-256-GCM as `nonce || ciphertext || tag` over the
/// canonical JSON of `CapturedSecrets`; any other key or any altered byte is a damaged member, and no
/// error quotes a secret.
@Suite struct SecretsEnvelopeTests {
    static let secrets = CapturedSecrets(
        clients: ["client-id-1": "client-secret-value-0001"], providers: ["Okta": ["client_secret": "oidc-secret-value-0002"]])

    @Test func sealedSecretsOpenUnderTheSameKeyOnly() throws {
        let key = SymmetricKey(size: .bits256)
        let sealed = try SecretsEnvelope.seal(Self.secrets, key: key)
        let plaintext = Self.secrets.json.canonicalData()
        #expect(sealed.count == 12 + plaintext.count + 16, "nonce, ciphertext, tag")
        #expect(sealed.range(of: Data("client-secret-value-0001".utf8)) == nil)
        #expect(try SecretsEnvelope.open(sealed, key: key, source: "s/p/id") == Self.secrets)
        // A fresh nonce each time: the same secrets never seal to the same bytes.
        #expect(try SecretsEnvelope.seal(Self.secrets, key: key) != sealed)

        #expect(throws: SnapError.self) { try SecretsEnvelope.open(sealed, key: SymmetricKey(size: .bits256), source: "s/p/id") }
    }

    @Test func anAlteredOrShortMemberIsDamagedAndNamed() throws {
        let key = SymmetricKey(size: .bits256)
        let sealed = try SecretsEnvelope.seal(Self.secrets, key: key)
        for i in [0, 12, sealed.count / 2, sealed.count - 1] {
            var altered = sealed
            altered[i] ^= 0x01
            do {
                _ = try SecretsEnvelope.open(altered, key: key, source: "store/pool/ID")
                Issue.record("byte \(i) altered and still opened")
            } catch let e as SnapError {
                #expect("\(e)".contains("secrets.enc") && "\(e)".contains("store/pool/ID"), "\(e)")
                #expect(!"\(e)".contains("secret-value"))
            }
        }
        #expect(throws: SnapError.self) { try SecretsEnvelope.open(sealed.prefix(27), key: key, source: "s") }
    }

    @Test func aKeyOfTheRightSizeThatSealedOtherJSONIsRefused() throws {
        let key = SymmetricKey(size: .bits256)
        let box = try AES.GCM.seal(Data(#"{"clients":"not-an-object"}"#.utf8), using: key)
        do {
            _ = try SecretsEnvelope.open(try #require(box.combined), key: key, source: "s")
            Issue.record("opened JSON that is not the secrets' form")
        } catch let e as SnapError {
            #expect("\(e)".contains("not to the secrets' JSON form") && !"\(e)".contains("not-an-object"), "\(e)")
        }
    }

    @Test func theEncryptionContextNamesPoolAndSnapshot() {
        #expect(
            SecretsEnvelope.context(pool: "us-east-1_X", snapshot: "20261204T000000Z-0a1b2c3d")
                == ["snap:pool": "us-east-1_X", "snap:snapshot": "20261204T000000Z-0a1b2c3d"])
    }

    @Test func theManifestCarriesTheSecretsFieldAndRefusesABrokenOne() throws {
        let info = SecretsInfo(
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", encryptedDataKey: Data([1, 2, 3]),
            sha256: String(repeating: "ab", count: 32))
        #expect(SecretsInfo(json: info.json) == info)
        #expect(info.json["encryptedDataKey"]?.stringValue == "AQID")
        var broken = info.json.objectValue!
        broken["sha256"] = "not-hex"
        #expect(SecretsInfo(json: .object(broken)) == nil)
        broken = info.json.objectValue!
        broken["kmsKeyArn"] = nil
        #expect(SecretsInfo(json: .object(broken)) == nil)
    }

    @Test func configurationRecordsHandOverWhatTheyRedact() throws {
        let client = try JSONParser.parse(#"{"ClientId":"abc","ClientName":"web","ClientSecret":"s3cr3t-value-1234"}"#)
        #expect(ConfigurationRecords.clientSecret(client) == "s3cr3t-value-1234")
        #expect(ConfigurationRecords.clientSecret(try JSONParser.parse(#"{"ClientId":"p"}"#)) == nil)
        let apple = try JSONParser.parse(
            #"{"ProviderName":"SignInWithApple","ProviderDetails":{"client_id":"c","private_key":"-----BEGIN-----x","key_id":"k"}}"#)
        #expect(ConfigurationRecords.providerSecrets(apple) == ["private_key": "-----BEGIN-----x"])
        let saml = try JSONParser.parse(#"{"ProviderName":"CorpSAML","ProviderDetails":{"MetadataURL":"https://idp"}}"#)
        #expect(ConfigurationRecords.providerSecrets(saml).isEmpty)
    }
}
