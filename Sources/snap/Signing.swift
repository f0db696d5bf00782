import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `--sign`, `require_signature`, and how a signature is checked (KMS, or offline with `--public-key`).
enum Signing {
    /// The key create and prune sign with: `flag`, else `sign` in snap.toml (the pool's, else the file's);
    /// nil: unsigned.
    static func key(_ ctx: Context, flag: String?) throws -> SigningKey? {
        guard let text = try flag ?? ctx.config().sign else { return nil }
        do { return try SigningKey(text) } catch { throw ValidationError("\(error)") }
    }

    /// KMS in the key's region, with the run's own credentials: the signing key belongs to the backup
    /// account, as the stores do, not to the pool's.
    static func signer(_ ctx: Context, key: SigningKey) throws -> ManifestSigner {
        let region = KMSClient.region(ofKey: key.arn) ?? "us-east-1"
        let kms = try KMSClient(region: region, environment: ctx.environment, http: ctx.http, credentials: ctx.credentials)
        return ManifestSigner(key: key, kms: kms)
    }

    /// The closure CreateSnapshot and Pruner sign with.
    static func closure(_ signer: ManifestSigner) -> @Sendable ([UInt8]) async throws -> JSONValue {
        { bytes in try await signer.sign(bytes).json }
    }

    /// How signatures are checked: against `--public-key FILE` offline; else with KMS against the key
    /// snap.toml's `sign` names (a signature by any other key fails); else against the key a signature
    /// names itself, which proves only that someone with that key signed (said once, on stderr).
    struct Checker: Sendable {
        let offline: OfflineVerifier?
        let publicKeyFile: String?
        let expected: ManifestSigner?
        let ctx: Context

        init(_ ctx: Context, publicKey: String?) throws {
            self.ctx = ctx
            publicKeyFile = publicKey
            if let publicKey {
                guard let data = FileManager.default.contents(atPath: publicKey) else {
                    throw ValidationError("--public-key \(publicKey): cannot be read; write it with snap key export --sign kms:KEY_ARN")
                }
                do { offline = try OfflineVerifier(pem: String(decoding: data, as: UTF8.self)) } catch {
                    throw ValidationError("--public-key \(publicKey): \(error)")
                }
                expected = nil
            } else {
                offline = nil
                expected = try Signing.key(ctx, flag: nil).map { try Signing.signer(ctx, key: $0) }
            }
        }

        /// Says how signatures are checked, for a line on stderr.
        var how: String {
            if let publicKeyFile { return "signatures checked offline with the public key in \(publicKeyFile)" }
            if let expected { return "signatures checked with KMS against \(expected.key.text) (sign in snap.toml)" }
            return
                "no key to expect (sign in snap.toml, or --public-key FILE): signatures are checked against the key each names, so one made with another key is not caught"
        }

        func check(_ signature: JSONValue?, _ bytes: [UInt8]) async -> ChainCheck.Signature {
            guard let signature else { return .unsigned }
            let parsed: ManifestSignature
            do { parsed = try ManifestSignature(json: signature) } catch { return .invalid("\(error)") }
            if let offline {
                if parsed.alg == "HMAC_SHA_256" {
                    return .invalid("an HMAC signature cannot be checked offline (check it with KMS: drop --public-key)")
                }
                return offline.verify(bytes, parsed) ? .valid : .invalid("does not verify with the public key in \(publicKeyFile ?? "?")")
            }
            let signer: ManifestSigner
            if let expected {
                guard parsed.key == expected.key.arn else { return .invalid("made with \(parsed.key), not \(expected.key.arn)") }
                signer = expected
            } else {
                let named = parsed.alg == "HMAC_SHA_256" ? SigningKey.hmac(arn: parsed.key) : SigningKey.kms(arn: parsed.key)
                do { signer = try Signing.signer(ctx, key: named) } catch { return .invalid("\(error)") }
            }
            do {
                return try await signer.verify(bytes, parsed) ? .valid : .invalid("KMS says it does not verify with \(parsed.key)")
            } catch {
                return .invalid("could not be checked: \(error)")
            }
        }
    }
}
