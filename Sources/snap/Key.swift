import AWS
import ArgumentParser
import Foundation
import SnapCore

/// `snap key`: the signing key's public half, for verifying manifests without KMS.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Work with the key that signs manifests (--sign).",
        subcommands: [KeyExport.self])
}

/// `snap key export --sign kms:KEY_ARN`: GetPublicKey, written as PEM.
struct KeyExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the public key of a --sign kms:KEY_ARN key to stdout as PEM.",
        discussion: """
            Asks KMS for the key's public half (GetPublicKey, in the key ARN's region; kms:GetPublicKey on the \
            key) and writes it as a -----BEGIN PUBLIC KEY----- PEM (SubjectPublicKeyInfo), which verifies the \
            key's manifest signatures with no AWS access: ECDSA_SHA_256 for an ECC_NIST_P256 key, \
            RSASSA_PSS_SHA_256 for an RSA key. A key snap does not sign with is refused, naming what is needed. \
            An hmac:KEY_ARN key has no public half: its MACs are checked only by KMS VerifyMac. --json prints \
            {"kind":"publicKey","key","keySpec","algorithm","pem"}.

            snap key export --sign kms:arn:aws:kms:eu-west-1:111122223333:key/ID > snap-signing.pem
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The signing key: kms:KEY_ARN (an asymmetric KMS key, ECC_NIST_P256 or RSA).", valueName: "KEY"))
    var sign: String

    func validate() throws {
        let key: SigningKey
        do {
            key = try SigningKey(sign)
        } catch {
            throw ValidationError(error.description)
        }
        if case .hmac = key {
            throw ValidationError(
                "--sign \(sign): an HMAC key has no public half to export; its MACs are verified only by KMS VerifyMac (kms:VerifyMac on the key), so use kms:KEY_ARN (an asymmetric key) for signatures anyone can check offline"
            )
        }
    }

    func run() async throws {
        let ctx = Context(global)
        try await runReportingErrors {
            let key = try SigningKey(sign)
            let signer = ManifestSigner(key: key, kms: try ctx.kms(keyArn: key.arn, region: key.region))
            let info = try await signer.publicKey()
            let pem = OfflineVerifier.pem(fromDER: info.der)
            if global.json {
                ctx.output.result(json: [
                    "kind": "publicKey", "key": .string(key.arn), "keySpec": .string(info.keySpec),
                    "algorithm": .string(try ManifestSigner.algorithm(for: info, key: key.arn)), "pem": .string(pem),
                ])
            } else {
                // The PEM already ends in a newline; result adds one per line it is given.
                ctx.output.result(String(pem.dropLast()))
            }
        }
    }
}
