import Foundation
import Testing

@testable import AWS

/// The container and IMDSv2 providers against Support/CredentialServer.py.
@Suite("Credentials: ECS container and EC2 IMDSv2")
struct CredentialsMetadataTests {
    @Test func containerRelativeURI() async throws {
        let server = try CredentialServer()
        defer { server.stop() }
        let home = try CredentialsTestHome()
        defer { home.remove() }
        let chain = CredentialsChain(
            environment: home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/ecs/v2/credentials/abc"]),
            options: .init(containerBaseURL: server.base))
        let c = try await chain.credentials()
        #expect(c.accessKeyId == "ECSAKID")
        #expect(c.secretAccessKey == "ECS-SECRET-VALUE")
        #expect(c.sessionToken == "ECS-SESSION-TOKEN")
        #expect(c.expiration != nil)
        _ = try await chain.credentials()
        #expect(try await server.requests().filter { $0[1] == "/ecs/v2/credentials/abc" }.count == 1)
    }

    @Test func containerFullURIWithAuthorizationTokenFile() async throws {
        let secret = "Basic c2VjcmV0QVVUSFhZWg=="
        let server = try CredentialServer(auth: secret)
        defer { server.stop() }
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(file: "auth", secret + "\n")
        let env = home.environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.base + "/ecs/full",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home.path("auth"),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-a-file-is-set",
        ])
        #expect(try await CredentialsChain(environment: env).credentials().accessKeyId == "ECSAKID")

        // The variable alone works too.
        let envToken = home.environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.base + "/ecs/full", "AWS_CONTAINER_AUTHORIZATION_TOKEN": secret,
        ])
        #expect(try await ContainerCredentialsProvider(environment: envToken).credentials().accessKeyId == "ECSAKID")

        // A wrong token: the server's 401 is reported, and neither token shows.
        try home.write(file: "auth", "WRONG-TOKEN-XYZ")
        let error = await chainError(env)
        #expect(error.contains("HTTP 401"))
        #expect(error.contains("container credentials"))
        #expect(!error.contains("XYZ") && !error.contains("c2VjcmV0"))

        // The token file is read on every fetch; a missing one is named.
        try FileManager.default.removeItem(atPath: home.path("auth"))
        let missing = await chainError(env)
        #expect(missing.contains(home.path("auth")))
    }

    @Test func containerFullURIHostRules() throws {
        func provider(_ url: String) throws -> ContainerCredentialsProvider {
            try ContainerCredentialsProvider(environment: AWSEnvironment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url]))
        }
        for refused in [
            "http://example.com/creds", "http://10.0.0.1/creds", "http://169.254.169.254/creds", "ftp://127.0.0.1/x", "not a url",
        ] {
            #expect(throws: AWSError.self, "\(refused)") { try provider(refused) }
        }
        do {
            _ = try provider("http://example.com/creds")
        } catch {
            #expect("\(error)".contains("refused"))
        }
        for allowed in [
            "https://example.com/creds", "http://127.0.0.1:8080/creds", "http://127.1.2.3/x", "http://localhost/x",
            "http://[::1]:80/x", "http://169.254.170.2/v2/x", "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
        ] {
            #expect(throws: Never.self, "\(allowed)") { try provider(allowed) }
        }
    }

    @Test func imdsV2() async throws {
        let server = try CredentialServer()
        defer { server.stop() }
        let home = try CredentialsTestHome()
        defer { home.remove() }

        // The server insists on the session token.
        let bare = try await HTTPClient().send(
            HTTPRequest(
                method: "GET", scheme: "http", host: "127.0.0.1", port: server.port,
                path: "/latest/meta-data/iam/security-credentials/"))
        #expect(bare.status == 401)

        let chain = CredentialsChain(environment: home.environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.base]))
        let c = try await chain.credentials()
        #expect(c.accessKeyId == "IMDSAKID")
        #expect(c.sessionToken == "IMDS-SESSION-TOKEN")
        #expect(c.expiration != nil)
        let seen = try await server.requests().dropFirst()  // the bare GET above
        #expect(
            seen.map { $0[0] + " " + $0[1] } == [
                "PUT /latest/api/token",
                "GET /latest/meta-data/iam/security-credentials/",
                "GET /latest/meta-data/iam/security-credentials/snap-role",
            ])
    }

    @Test func imdsUnreachableFailsFast() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        // A closed loopback port (refused at once). Tests send traffic to loopback only.
        for endpoint in ["http://127.0.0.1:9"] {
            let started = ContinuousClock.now
            let error = await chainError(home.environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint]))
            let elapsed = ContinuousClock.now - started
            // Loose on purpose: blocking integration tests can hold the 2-core cooperative pool for a minute.
            #expect(elapsed < .seconds(300), "\(endpoint) took \(elapsed)")
            #expect(error.contains("EC2 instance metadata"))
        }
    }

    @Test func imdsThatNeverAnswersGivesUpAfterTheTotalTimeout() async throws {
        // Accepts connections (the kernel's backlog does) and never answers.
        let silent = try CredentialsChildProcess([
            "-c",
            "import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(64)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(600)",
        ])
        defer { silent.stop() }
        let started = ContinuousClock.now
        let error = await chainError(AWSEnvironment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(silent.firstLine)"]))
        let elapsed = ContinuousClock.now - started
        // Two attempts of at most 2 s each; what proves the short timeout is the error below ("timed out"
        // while the server stays silent for 600 s). The bound only catches a hang: blocking integration tests
        // can hold the 2-core cooperative pool for a minute, which stretches any wall-clock measurement.
        #expect(elapsed < .seconds(300), "took \(elapsed)")
        #expect(error.contains("timed out"))
    }

    @Test func imdsDisabled() async throws {
        #expect(IMDSCredentialsProvider.isDisabled(AWSEnvironment(["AWS_EC2_METADATA_DISABLED": "TRUE"])))
        #expect(!IMDSCredentialsProvider.isDisabled(AWSEnvironment(["AWS_EC2_METADATA_DISABLED": "false"])))
    }
}

/// Support/CredentialServer.py on a free loopback port.
final class CredentialServer: Sendable {
    let port: Int
    let base: String
    private let child: CredentialsChildProcess

    init(auth: String? = nil) throws {
        guard let script = credentialsRepositoryFile("Support/CredentialServer.py") else {
            throw AWSError.configuration("Support/CredentialServer.py not found")
        }
        child = try CredentialsChildProcess([script] + (auth.map { ["--auth", $0] } ?? []))
        guard let port = Int(child.firstLine) else { throw AWSError.configuration("no port from CredentialServer.py") }
        self.port = port
        base = "http://127.0.0.1:\(port)"
    }

    func requests() async throws -> [[String]] {
        let r = try await HTTPClient().send(HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: port, path: "/stats"))
        let json = try JSONParser.parse(r.body)
        return (json.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
            .filter { $0 != ["GET", "/stats"] }
    }

    func stop() { child.stop() }
}
