import AWS

/// Which ProviderDetails keys CreateIdentityProvider takes, per provider type: the API reference's
/// "Create or update request" examples (CreateIdentityProvider, ProviderDetails). DescribeIdentityProvider
/// answers more (URLs the service discovered, a SAML provider's certificate and binding URIs,
/// `attributes_url_add_attributes`): those are left out, since the service works them out again.
extension ConfigurationBlueprint {
    static let providerRequestKeys: [String: Set<String>] = [
        "OIDC": [
            "attributes_request_method", "attributes_url", "authorize_scopes", "authorize_url", "client_id", "client_secret",
            "jwks_uri", "oidc_issuer", "token_url",
        ],
        "SAML": ["IDPInit", "IDPSignout", "EncryptedResponses", "MetadataURL", "MetadataFile", "RequestSigningAlgorithm"],
        "Google": ["authorize_scopes", "client_id", "client_secret"],
        "LoginWithAmazon": ["authorize_scopes", "client_id", "client_secret"],
        "Facebook": ["api_version", "authorize_scopes", "client_id", "client_secret"],
        "SignInWithApple": ["authorize_scopes", "client_id", "private_key", "key_id", "team_id"],
    ]

    /// Keys only DescribeIdentityProvider answers, whatever the type (for a type the table lacks).
    static let providerDescribedOnly: Set<String> = [
        "attributes_url_add_attributes", "ActiveEncryptionCertificate", "SLORedirectBindingURI", "SSORedirectBindingURI",
    ]

    /// The request's ProviderDetails; the secret keys the snapshot holds redacted, or that the type needs and
    /// the described details lack (Sign in with Apple's `private_key` is never in DescribeIdentityProvider's
    /// answer); and the described keys left out.
    static func providerDetails(_ described: [String: JSONValue], type: String) -> (
        details: [String: JSONValue], redacted: Set<String>, left: Set<String>
    ) {
        let allowed = providerRequestKeys[type]
        var details: [String: JSONValue] = [:]
        var redacted: Set<String> = []
        var left: Set<String> = []
        for (k, v) in described {
            let keep = allowed.map { $0.contains(k) } ?? !providerDescribedOnly.contains(k)
            guard keep else {
                left.insert(k)
                continue
            }
            if v == ConfigurationRecords.redacted {
                redacted.insert(k)
            } else {
                details[k] = v
            }
        }
        if type == "SignInWithApple", details["private_key"] == nil { redacted.insert("private_key") }
        return (details, redacted, left)
    }
}
