import AWS
import Foundation
import Testing

@testable import SnapCore

/// Issue 21, item 4: what `restore --create-pool` sends to rebuild clients, providers, resource servers
/// and domains, in order, with captured secrets only in what is sent, never in what is shown.
@Suite struct ConfigurationBlueprintTests {
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(bytes: Array(text.utf8)) }
    func text(_ v: JSONValue) -> String { String(decoding: v.canonicalData(), as: UTF8.self) }

    static let clientSecret = "abcdefghij0123456789abcdefghij0123456789abcdefghij0"
    static let oidcSecret = "oidc-secret-value-xyz"

    func records() throws -> ConfigurationBlueprint.Input {
        ConfigurationBlueprint.Input(
            clients: [
                try json(
                    #"{"ClientId":"old1","ClientName":"web","ClientSecret":{"redacted":true},"UserPoolId":"us-east-1_A","SupportedIdentityProviders":["COGNITO","Okta"],"AllowedOAuthScopes":["https://api/read"],"FutureSetting":true}"#
                ),
                try json(#"{"ClientId":"old2","ClientName":"mobile","UserPoolId":"us-east-1_A"}"#),
            ],
            providers: [
                try json(
                    #"{"ProviderName":"Okta","ProviderType":"OIDC","UserPoolId":"us-east-1_A","ProviderDetails":{"client_id":"c","client_secret":{"redacted":true},"oidc_issuer":"https://x","attributes_url_add_attributes":"false","authorize_scopes":"openid"}}"#
                ),
                try json(
                    #"{"ProviderName":"Apple","ProviderType":"SignInWithApple","ProviderDetails":{"client_id":"a","key_id":"k","team_id":"t"}}"#
                ),
            ],
            resourceServers: [
                try json(
                    #"{"Identifier":"https://api","Name":"API","UserPoolId":"us-east-1_A","Scopes":[{"ScopeName":"read","ScopeDescription":"r"}]}"#
                )
            ],
            config: try json(
                #"{"mfa":{},"domain":{"Domain":"login-x","UserPoolId":"us-east-1_A"},"customDomain":{"Domain":"auth.example.com","CustomDomainConfig":{"CertificateArn":"arn:aws:acm:us-east-1:1:certificate/old"}}}"#
            ),
            secrets: nil, region: "eu-west-1")
    }

    @Test func withoutSecretsTheRedactedProviderIsListedAndTheClientGetsANewSecret() throws {
        let b = ConfigurationBlueprint.make(try records())
        #expect(
            b.steps.map { "\($0.operation) \($0.name)" } == [
                "CreateResourceServer https://api", "CreateUserPoolClient web", "CreateUserPoolClient mobile",
                "CreateUserPoolDomain login-x",
            ])
        let web = b.steps[1].request(poolId: "eu-west-1_B")
        #expect(web["GenerateSecret"] == true && web["ClientSecret"] == nil)
        #expect(web["SupportedIdentityProviders"] == ["COGNITO"], "Okta is not made, so no client names it")
        #expect(web["ClientId"] == nil && web["UserPoolId"] == "eu-west-1_B" && web["FutureSetting"] == nil)
        #expect(b.notCarried.contains { $0.hasPrefix("identity provider Okta (OIDC): not created") })
        #expect(
            b.notCarried.contains { $0.hasPrefix("identity provider Apple (SignInWithApple): not created") },
            "Apple's private_key is never described")
        #expect(b.notCarried.contains { $0.contains("app client web: FutureSetting not carried") })
        #expect(b.notCarried.contains { $0.hasPrefix("custom domain auth.example.com: not created") && $0.contains("certificate/old") })
        #expect(
            b.steps[0].request(poolId: "P")
                == (try json(
                    #"{"Identifier":"https://api","Name":"API","Scopes":[{"ScopeDescription":"r","ScopeName":"read"}],"UserPoolId":"P"}"#)))
    }

    @Test func capturedSecretsAreSentButNeverShown() throws {
        var input = try records()
        input.secrets = CapturedSecrets(clients: ["old1": Self.clientSecret], providers: ["Okta": ["client_secret": Self.oidcSecret]])
        input.customDomainCertificate = "arn:aws:acm:us-east-1:1:certificate/new"
        input.domainPrefix = "login-y"
        let b = ConfigurationBlueprint.make(input)
        #expect(
            b.steps.map { "\($0.operation) \($0.name)" } == [
                "CreateResourceServer https://api", "CreateIdentityProvider Okta", "CreateUserPoolClient web",
                "CreateUserPoolClient mobile",
                "CreateUserPoolDomain login-y", "CreateUserPoolDomain auth.example.com",
            ])
        let okta = b.steps[1]
        #expect(okta.request(poolId: "P")["ProviderDetails"]?["client_secret"] == .string(Self.oidcSecret))
        #expect(okta.request(poolId: "P")["ProviderDetails"]?["attributes_url_add_attributes"] == nil, "describe-only keys are left out")
        let web = b.steps[2]
        #expect(web.request(poolId: "P")["ClientSecret"] == .string(Self.clientSecret))
        #expect(web.request(poolId: "P")["GenerateSecret"] == nil, "the API refuses GenerateSecret with ClientSecret")
        #expect(web.request(poolId: "P")["SupportedIdentityProviders"] == ["COGNITO", "Okta"])
        for step in b.steps {
            let shown = text(step.shown(poolId: "P")) + "\(step)"
            #expect(!shown.contains(Self.clientSecret) && !shown.contains(Self.oidcSecret), "\(step.name)")
        }
        #expect(b.steps[5].request(poolId: "P")["CustomDomainConfig"]?["CertificateArn"] == "arn:aws:acm:us-east-1:1:certificate/new")
        #expect(!b.notCarried.contains { $0.contains("Okta") || $0.contains("app client web: its secret") })
    }

    @Test func aFailedCallsErrorHasItsSecretCutOut() throws {
        var input = try records()
        input.secrets = CapturedSecrets(clients: ["old1": Self.clientSecret])
        let web = try #require(ConfigurationBlueprint.make(input).steps.first { $0.name == "web" })
        let said = "Value '\(Self.clientSecret)' at 'clientSecret' failed to satisfy constraint"
        #expect(ConfigurationRebuild.scrub(said, web) == "Value '<secret>' at 'clientSecret' failed to satisfy constraint")
    }
}
