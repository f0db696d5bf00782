import Foundation
import Testing

@testable import AWS

/// AssumeRole and AssumeRoleWithWebIdentity against a real moto STS that
/// checks signatures (scripts/moto.py), one server for the whole run.
@Suite("Credentials: STS against moto", .serialized)
struct CredentialsSTSTests {
    @Test func assumeRoleFromProfileGivesWorkingCredentials() async throws {
        let moto = try await credentialsMoto.value
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(credentials: "[base]\naws_access_key_id = \(moto.accessKeyId)\naws_secret_access_key = \(moto.secretAccessKey)\n")
        try home.write(
            config: """
                [profile deploy]
                role_arn = \(moto.roleArn)
                source_profile = base
                role_session_name = snap-test-session
                external_id = ext-123
                region = us-east-1
                """)
        let env = home.environment(["AWS_PROFILE": "deploy", "AWS_ENDPOINT_URL_STS": moto.endpoint])
        let chain = CredentialsChain(environment: env)
        let c = try await chain.credentials()
        #expect(c.accessKeyId != moto.accessKeyId)
        #expect(c.sessionToken != nil)
        #expect(c.expiration.map { $0 > Date() } == true)

        // The temporary credentials sign a call moto accepts, as the role.
        let sts = try STSClient(region: "us-east-1", environment: env, http: HTTPClient(), credentials: chain)
        let identity = try await sts.getCallerIdentity()
        #expect(identity.arn.contains("assumed-role/snap-test-role/snap-test-session"), "\(identity.arn)")

        // The source keys themselves are the IAM user.
        let user = try await sts.with(credentials: testStaticKeys(moto.accessKeyId, moto.secretAccessKey)).getCallerIdentity()
        #expect(user.arn.hasSuffix("user/snap"), "\(user.arn)")
    }

    @Test func chainedRoles() async throws {
        let moto = try await credentialsMoto.value
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(credentials: "[base]\naws_access_key_id = \(moto.accessKeyId)\naws_secret_access_key = \(moto.secretAccessKey)\n")
        try home.write(
            config: """
                [profile first]
                role_arn = \(moto.roleArn)
                source_profile = base
                [profile second]
                role_arn = \(moto.roleArn)
                source_profile = first
                role_session_name = second-hop
                """)
        let env = home.environment(["AWS_PROFILE": "second", "AWS_ENDPOINT_URL_STS": moto.endpoint])
        let chain = CredentialsChain(environment: env)
        let sts = try STSClient(region: nil, environment: env, http: HTTPClient(), credentials: chain)
        #expect(try await sts.getCallerIdentity().arn.contains("assumed-role/snap-test-role/second-hop"))
    }

    @Test func wrongSourceKeysNameTheProfile() async throws {
        let moto = try await credentialsMoto.value
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(credentials: "[base]\naws_access_key_id = \(moto.accessKeyId)\naws_secret_access_key = WRONGSECRETXYZ\n")
        try home.write(config: "[profile deploy]\nrole_arn = \(moto.roleArn)\nsource_profile = base\n")
        let error = await chainError(
            home.environment(["AWS_PROFILE": "deploy", "AWS_ENDPOINT_URL_STS": moto.endpoint]),
            options: .init(http: HTTPClient(), refreshMargin: 300))
        #expect(error.contains("profile \"deploy\""))
        #expect(error.contains("AssumeRole"))
        #expect(!error.contains("XYZ"))
    }

    @Test func webIdentityFromEnvironment() async throws {
        let moto = try await credentialsMoto.value
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(file: "token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n")
        let clock = CredentialsTestClock()
        let env = home.environment([
            "AWS_WEB_IDENTITY_TOKEN_FILE": home.path("token"), "AWS_ROLE_ARN": moto.roleArn,
            "AWS_ROLE_SESSION_NAME": "web-session", "AWS_ENDPOINT_URL_STS": moto.endpoint, "AWS_REGION": "eu-west-1",
        ])
        // The request carries no Authorization header: moto, checking signatures, fails on
        // exactly that (a KeyError, HTTP 500), which real STS does not.
        let unsigned = try STSClient(region: nil, environment: env, http: HTTPClient(), retry: RetryPolicy(maxAttempts: 1))
        await #expect(throws: AWSError.self) {
            _ = try await unsigned.assumeRoleWithWebIdentity(roleArn: moto.roleArn, sessionName: "s", token: "t")
        }
        // So let the next single action through unchecked, as real STS does for this one.
        try await moto.allowUnsignedActions(1)
        let chain = CredentialsChain(environment: env, options: .init(now: { clock.now() }))
        let c = try await chain.credentials()
        #expect(c.sessionToken != nil)
        let expiration = try #require(c.expiration)
        let sts = try STSClient(region: "eu-west-1", environment: env, http: HTTPClient(), credentials: chain)
        #expect(try await sts.getCallerIdentity().arn.contains("assumed-role/snap-test-role/web-session"))

        // Past expiry the token file is read again: once it is gone, the error names it.
        try FileManager.default.removeItem(atPath: home.path("token"))
        clock.advance(expiration.timeIntervalSinceNow + 60)
        let error = await chainError(env, options: .init(now: { clock.now() }))
        #expect(error.contains(home.path("token")))
        do {
            _ = try await chain.credentials()
            Issue.record("expected the refresh to fail")
        } catch {
            #expect("\(error)".contains(home.path("token")))
            #expect(!"\(error)".contains("eyJhbGci"))
        }
    }

    @Test func expiryDrivenRefreshCallsSTSAgain() async throws {
        let moto = try await credentialsMoto.value
        let home = try CredentialsTestHome()
        defer { home.remove() }
        let env = home.environment(["AWS_ENDPOINT_URL_STS": moto.endpoint])
        let sts = try STSClient(region: nil, environment: env, http: HTTPClient())
        let clock = CredentialsTestClock()
        let provider = AssumeRoleCredentialsProvider(
            roleArn: moto.roleArn, sessionName: "refresh", durationSeconds: 900,
            source: testStaticKeys(moto.accessKeyId, moto.secretAccessKey), sts: sts,
            refreshMargin: 300, now: { clock.now() })
        let first = try await provider.credentials()
        let expiration = try #require(first.expiration)
        #expect(abs(expiration.timeIntervalSinceNow - 900) < 120)
        #expect(try await provider.credentials() == first)
        #expect(await provider.fetchCount == 1)

        // Ten minutes on, five are left: inside the margin, so STS is asked again, once for all callers.
        clock.advance(expiration.timeIntervalSinceNow - 290)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credentials().accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(!ids.contains(first.accessKeyId))
        #expect(await provider.fetchCount == 2)

        // A margin larger than the lifetime refreshes on every call.
        let eager = AssumeRoleCredentialsProvider(
            roleArn: moto.roleArn, durationSeconds: 900,
            source: testStaticKeys(moto.accessKeyId, moto.secretAccessKey), sts: sts, refreshMargin: 1000)
        _ = try await eager.credentials()
        _ = try await eager.credentials()
        #expect(await eager.fetchCount == 2)
    }
}

func testStaticKeys(_ id: String, _ secret: String) -> StaticCredentialsProvider {
    StaticCredentialsProvider(Credentials(accessKeyId: id, secretAccessKey: secret))
}

/// scripts/moto.py's server and an IAM role in it.
struct CredentialsMoto: Sendable {
    let endpoint: String
    let accessKeyId: String
    let secretAccessKey: String
    let roleArn: String
    /// Kept so the python process (which exits with us) is not collected.
    let child: CredentialsChildProcess

    /// moto's /moto-api/reset-auth: the next `n` actions skip signature checks.
    func allowUnsignedActions(_ n: Int) async throws {
        guard let c = URLComponents(string: endpoint), let host = c.host else { return }
        let r = try await HTTPClient().send(
            HTTPRequest(
                method: "POST", scheme: "http", host: host, port: c.port, path: "/moto-api/reset-auth",
                body: .data(Data(String(n).utf8))))
        #expect(r.status == 200)
    }

    static func start() throws -> CredentialsMoto {
        guard let script = credentialsRepositoryFile("scripts/moto.py") else { throw AWSError.configuration("scripts/moto.py not found") }
        let child = try CredentialsChildProcess([script])
        let info = try JSONParser.parse(child.firstLine)
        guard let endpoint = info["endpoint"]?.stringValue, let id = info["accessKeyId"]?.stringValue,
            let secret = info["secretAccessKey"]?.stringValue
        else { throw AWSError.configuration("moto.py printed \(child.firstLine)") }

        // The role, made with boto3 in a child process signed with the user's keys.
        var env = ProcessInfo.processInfo.environment
        env["AWS_ENDPOINT_URL"] = endpoint
        env["AWS_ACCESS_KEY_ID"] = id
        env["AWS_SECRET_ACCESS_KEY"] = secret
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        let trust =
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}"#
        let code = """
            import boto3, json
            iam = boto3.client("iam")
            arn = iam.create_role(RoleName="snap-test-role", AssumeRolePolicyDocument=json.dumps(\(trust)))["Role"]["Arn"]
            iam.put_role_policy(RoleName="snap-test-role", PolicyName="all", PolicyDocument=json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}))
            print(arn, flush=True)
            """
        let role = try CredentialsChildProcess(["-c", code], environment: env)
        guard role.firstLine.hasPrefix("arn:") else { throw AWSError.configuration("create-role printed \(role.firstLine)") }
        return CredentialsMoto(endpoint: endpoint, accessKeyId: id, secretAccessKey: secret, roleArn: role.firstLine, child: child)
    }
}

/// One moto for every test in the run; it exits when the test process does.
let credentialsMoto = Task { try CredentialsMoto.start() }
