import AWS
import Foundation
import Testing

@testable import SnapCore

/// Format 2's configuration records (issue 21): secrets redacted, volatile dates left out, sorted as the SPEC says.
@Suite struct ConfigurationRecordsTests {
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(bytes: Array(text.utf8)) }
    func line(_ value: JSONValue) -> String { String(decoding: value.canonicalData(), as: UTF8.self) }

    @Test func aClientKeepsItsSettingsLessItsSecretAndDates() throws {
        let described = try json(
            #"{"ClientId":"abc","ClientName":"web","ClientSecret":"s3cr3t-value-1234","CreationDate":1.7E9,"LastModifiedDate":1700000001.5,"CallbackURLs":["https://x/cb"],"AllowedOAuthScopes":["openid"]}"#
        )
        let kept = line(ConfigurationRecords.client(described))
        #expect(
            kept
                == #"{"AllowedOAuthScopes":["openid"],"CallbackURLs":["https://x/cb"],"ClientId":"abc","ClientName":"web","ClientSecret":{"redacted":true}}"#
        )
        #expect(!kept.contains("s3cr3t"))
        // A public client has no secret: nothing is added.
        let pub = line(ConfigurationRecords.client(try json(#"{"ClientId":"p","ClientName":"mobile"}"#)))
        #expect(pub == #"{"ClientId":"p","ClientName":"mobile"}"#)
    }

    @Test func everyProviderSecretIsRedactedAndTheRestKept() throws {
        let oidc = try json(
            #"{"ProviderName":"Okta","ProviderType":"OIDC","CreationDate":1,"LastModifiedDate":2,"ProviderDetails":{"client_id":"cid","client_secret":"oidc-secret-9876","oidc_issuer":"https://issuer","authorize_scopes":"openid"},"AttributeMapping":{"email":"email"}}"#
        )
        let kept = line(ConfigurationRecords.provider(oidc))
        #expect(
            kept
                == #"{"AttributeMapping":{"email":"email"},"ProviderDetails":{"authorize_scopes":"openid","client_id":"cid","client_secret":{"redacted":true},"oidc_issuer":"https://issuer"},"ProviderName":"Okta","ProviderType":"OIDC"}"#
        )
        let apple = try json(
            #"{"ProviderName":"SignInWithApple","ProviderType":"SignInWithApple","ProviderDetails":{"client_id":"c","team_id":"t","key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----abc","authorize_scopes":"email"}}"#
        )
        let appleKept = line(ConfigurationRecords.provider(apple))
        #expect(appleKept.contains(#""private_key":{"redacted":true}"#) && !appleKept.contains("BEGIN PRIVATE KEY"))
        #expect(appleKept.contains(#""key_id":"k""#) && appleKept.contains(#""team_id":"t""#))
        for social in ["Google", "Facebook", "LoginWithAmazon"] {
            let p = try json(
                #"{"ProviderName":"\#(social)","ProviderType":"\#(social)","ProviderDetails":{"client_id":"c","client_secret":"x-secret-x"}}"#
            )
            #expect(!line(ConfigurationRecords.provider(p)).contains("x-secret-x"), "\(social)")
        }
        // SAML holds no secret: its details stay as they are.
        let saml = try json(#"{"ProviderName":"corp","ProviderType":"SAML","ProviderDetails":{"MetadataURL":"https://idp/metadata"}}"#)
        #expect(
            line(ConfigurationRecords.provider(saml))
                == #"{"ProviderDetails":{"MetadataURL":"https://idp/metadata"},"ProviderName":"corp","ProviderType":"SAML"}"#)
    }

    @Test func clientsSortByNameThenIdProvidersAndServersByTheirKey() throws {
        let clients = try [
            json(#"{"ClientId":"c3","ClientName":"web"}"#), json(#"{"ClientId":"z9","ClientName":"api"}"#),
            json(#"{"ClientId":"a1","ClientName":"web"}"#), json(#"{"ClientId":"b2","ClientName":"Web"}"#),
        ]
        let sorted = ConfigurationRecords.sortedClients(clients).map { "\($0["ClientName"]!.stringValue!)/\($0["ClientId"]!.stringValue!)" }
        #expect(sorted == ["Web/b2", "api/z9", "web/a1", "web/c3"], "bytewise: uppercase before lowercase")
        let providers = try [json(#"{"ProviderName":"okta"}"#), json(#"{"ProviderName":"Corp"}"#), json(#"{"ProviderName":"é"}"#)]
        #expect(ConfigurationRecords.sortedProviders(providers).map { $0["ProviderName"]!.stringValue! } == ["Corp", "okta", "é"])
        let servers = try [json(#"{"Identifier":"https://b"}"#), json(#"{"Identifier":"https://a"}"#)]
        #expect(ConfigurationRecords.sortedResourceServers(servers).map { $0["Identifier"]!.stringValue! } == ["https://a", "https://b"])
    }

    @Test func configHoldsTheDomainsOnlyWhenThePoolHasThem() throws {
        let mfa = try json(#"{"MfaConfiguration":"OFF"}"#)
        #expect(line(ConfigurationRecords.configuration(mfa: mfa)) == #"{"mfa":{"MfaConfiguration":"OFF"}}"#)
        let prefix = try json(#"{"Domain":"my-prefix","UserPoolId":"us-east-1_x","Status":"ACTIVE"}"#)
        let custom = try json(
            #"{"Domain":"auth.example.com","UserPoolId":"us-east-1_x","CustomDomainConfig":{"CertificateArn":"arn:aws:acm:us-east-1:123456789012:certificate/abc"}}"#
        )
        let both = line(ConfigurationRecords.configuration(mfa: mfa, domain: prefix, customDomain: custom))
        #expect(
            both.hasPrefix(
                #"{"customDomain":{"CustomDomainConfig":{"CertificateArn":"arn:aws:acm:us-east-1:123456789012:certificate/abc"}"#))
        #expect(both.contains(#""domain":{"Domain":"my-prefix""#))
        #expect(ConfigurationRecords.describesDomain(prefix))
        #expect(!ConfigurationRecords.describesDomain(try json("{}")), "the service's answer for a domain it does not know")
    }

    @Test func aResourceServerIsKeptWhole() throws {
        let s = try json(
            #"{"Identifier":"https://api","Name":"api","Scopes":[{"ScopeName":"read","ScopeDescription":"Read"}],"UserPoolId":"p"}"#)
        #expect(line(ConfigurationRecords.resourceServer(s)) == line(s))
    }
}
