import AWS
import Foundation

extension RestoreSource {
    /// The KMS key secrets.enc was sealed under (the manifest's `secrets.kmsKeyArn`); nil when the
    /// snapshot was taken without `--with-secrets`. For making the `KMSClient` of `secrets(kms:)` in
    /// the key's own region.
    public var secretsKeyArn: String? { snapshot.manifest.secrets?.kmsKeyArn }

    /// secrets.enc decrypted (`restore --create-pool`): the data key through KMS Decrypt with the
    /// snapshot's encryption context, then AES-256-GCM. nil when the snapshot has no secrets.enc. The
    /// member's digest was checked with the rest of the copy; the GCM tag proves its bytes again.
    /// A KMS refusal names the key, the snapshot and the permission (kms:Decrypt) it needs.
    public func secrets(kms: KMSClient) async throws -> CapturedSecrets? {
        guard let info = snapshot.manifest.secrets else { return nil }
        let members = try snapshot.members()
        try members.open(.secrets)
        var sealed = Data()
        while let chunk = try members.read() { sealed += chunk }
        try members.finish()
        let manifest = snapshot.manifest
        let key = try await SecretsKMS.decrypt(info, kms: kms, pool: manifest.userPool.id, snapshot: manifest.id.value)
        return try SecretsEnvelope.open(sealed, key: key, source: snapshot.source)
    }
}
