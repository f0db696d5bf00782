import Foundation
import Testing

@testable import AWS

/// Issue 21: the calls that read app clients, identity providers, resource servers and domains page to
/// the end with the API's maximum page size, are paced in their quota category, and never turn an
/// answer they cannot read into an empty listing.
@Suite struct CognitoConfigurationCallsTests {
    /// Support/cognito_script.py answering `script`, and a client pointed at it.
    final class Stub {
        let process = Process()
        let stdin = Pipe()
        let port: Int
        let pacer = QuotaPacer(share: 1)
        let cognito: CognitoClient
        let log = NSTemporaryDirectory() + "snap-cognito-script-\(UUID().uuidString).json"

        init(_ script: [String: [Any]]) throws {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/cognito_script.py").path
            let json = String(decoding: try JSONSerialization.data(withJSONObject: script), as: UTF8.self)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", path, json, log]
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = stdin
            try process.run()
            var line = Data()
            while true {
                let byte = out.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line.append(byte)
            }
            port = Int(String(decoding: line, as: UTF8.self)) ?? 0
            let env = AWSEnvironment(["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_REGION": "us-east-1"])
            cognito = try CognitoClient(
                region: "us-east-1", environment: env, http: HTTPClient(),
                credentials: StaticCredentialsProvider(Credentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret")),
                pacer: pacer, retry: RetryPolicy(maxAttempts: 1))
        }

        /// What the stub received: operation and request body.
        func requests() throws -> [(String, [String: Any])] {
            let data = try Data(contentsOf: URL(fileURLWithPath: log))
            return (try JSONSerialization.jsonObject(with: data) as! [[Any]]).map { ($0[0] as! String, $0[1] as! [String: Any]) }
        }

        deinit {
            try? stdin.fileHandleForWriting.close()
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: log)
        }
    }

    @Test func listingsPageToTheEndWithTheLargestPages() async throws {
        let stub = try Stub([
            "ListUserPoolClients": [
                ["UserPoolClients": [["ClientId": "a", "ClientName": "web"]], "NextToken": "t1"],
                ["UserPoolClients": [["ClientId": "b", "ClientName": "api"]]],
            ],
            "ListIdentityProviders": [["Providers": [["ProviderName": "Okta"]], "NextToken": "p1"], ["Providers": []]],
            "ListResourceServers": [
                ["ResourceServers": [["Identifier": "x"]], "NextToken": "r1"], ["ResourceServers": [["Identifier": "y"]]],
            ],
        ])
        let clients = try await stub.cognito.listUserPoolClients("us-east-1_abc")
        #expect(clients.compactMap { $0["ClientId"]?.stringValue } == ["a", "b"])
        let providers = try await stub.cognito.listIdentityProviders("us-east-1_abc")
        #expect(providers.compactMap { $0["ProviderName"]?.stringValue } == ["Okta"])
        let servers = try await stub.cognito.listResourceServers("us-east-1_abc")
        #expect(servers.compactMap { $0["Identifier"]?.stringValue } == ["x", "y"])

        let sent = try stub.requests()
        #expect(
            sent.map(\.0) == Array(repeating: "ListUserPoolClients", count: 2) + Array(repeating: "ListIdentityProviders", count: 2)
                + Array(repeating: "ListResourceServers", count: 2))
        #expect(sent[0].1["MaxResults"] as? Int == 60 && sent[0].1["NextToken"] == nil)
        #expect(sent[1].1["NextToken"] as? String == "t1" && sent[1].1["UserPoolId"] as? String == "us-east-1_abc")
        #expect(sent[2].1["MaxResults"] as? Int == 60 && sent[3].1["NextToken"] as? String == "p1")
        #expect(sent[4].1["MaxResults"] as? Int == 50 && sent[5].1["NextToken"] as? String == "r1")

        // Paced in their categories: app clients under UserPoolClientRead, the rest under UserPoolResourceRead.
        #expect(await stub.pacer.snapshot(of: .userPoolClientRead).requests == 2)
        #expect(await stub.pacer.snapshot(of: .userPoolResourceRead).requests == 4)
    }

    @Test func describesReturnTheirObjectAndAreCategorized() async throws {
        let stub = try Stub([
            "DescribeUserPoolClient": [["UserPoolClient": ["ClientId": "a", "ClientSecret": "s"]]],
            "DescribeIdentityProvider": [["IdentityProvider": ["ProviderName": "Okta"]]],
            "DescribeUserPoolDomain": [["DomainDescription": ["Domain": "my-prefix"]]],
        ])
        let client = try await stub.cognito.describeUserPoolClient("us-east-1_abc", clientId: "a")
        #expect(client["ClientId"]?.stringValue == "a")
        let provider = try await stub.cognito.describeIdentityProvider("us-east-1_abc", providerName: "Okta")
        #expect(provider["ProviderName"]?.stringValue == "Okta")
        let domain = try await stub.cognito.describeUserPoolDomain("my-prefix")
        #expect(domain["Domain"]?.stringValue == "my-prefix")
        let sent = try stub.requests()
        #expect(sent[0].1["ClientId"] as? String == "a" && sent[1].1["ProviderName"] as? String == "Okta")
        #expect(sent[2].1["Domain"] as? String == "my-prefix" && sent[2].1["UserPoolId"] == nil)
        #expect(await stub.pacer.snapshot(of: .userPoolClientRead).requests == 1)
        #expect(await stub.pacer.snapshot(of: .userPoolResourceRead).requests == 2)
    }

    @Test func anUnreadableAnswerIsAnErrorNamingTheOperationNeverAnEmptyListing() async throws {
        let stub = try Stub([
            "ListUserPoolClients": [["UserPoolClients": [["ClientId": "a"]], "NextToken": "t1"], ["Clients": []]],
            "ListIdentityProviders": [["Providers": "none"]],
            "ListResourceServers": [["ResourceServers": [], "NextToken": "same"], ["ResourceServers": [], "NextToken": "same"]],
            "DescribeUserPoolClient": [["Client": [:]]],
            "DescribeIdentityProvider": [["IdentityProvider": "Okta"]],
            "DescribeUserPoolDomain": [[:]],
        ])
        func failure(_ body: () async throws -> Any) async -> String {
            do {
                _ = try await body()
                return "no error"
            } catch { return "\(error)" }
        }
        let cases: [(String, String)] = [
            ("ListUserPoolClients", await failure { try await stub.cognito.listUserPoolClients("us-east-1_abc") }),
            ("ListIdentityProviders", await failure { try await stub.cognito.listIdentityProviders("us-east-1_abc") }),
            ("ListResourceServers", await failure { try await stub.cognito.listResourceServers("us-east-1_abc") }),
            ("DescribeUserPoolClient", await failure { try await stub.cognito.describeUserPoolClient("us-east-1_abc", clientId: "a") }),
            (
                "DescribeIdentityProvider",
                await failure { try await stub.cognito.describeIdentityProvider("us-east-1_abc", providerName: "x") }
            ),
            ("DescribeUserPoolDomain", await failure { try await stub.cognito.describeUserPoolDomain("p") }),
        ]
        for (operation, message) in cases {
            #expect(message.contains(operation), "\(operation): \(message)")
        }
        #expect(cases[2].1.contains("NextToken"), "a token handed back twice ends the listing with an error: \(cases[2].1)")
    }

    @Test func userPoolClientReadIsACategory() {
        #expect(QuotaCategory(name: "UserPoolClientRead") == .userPoolClientRead)
        #expect(QuotaCategory.userPoolClientRead.defaultRPS == 15)
        #expect(QuotaCategory.userPoolClientRead.perOperationRPS == 5)
    }
}
