import Foundation
import Testing

@testable import AWS

/// Offline tests: how profiles and the environment select a source, and the
/// errors a broken configuration gives.
@Suite("Credentials: configuration and errors")
struct CredentialsConfigTests {
    @Test func environmentKeysComeFirst() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n")
        let chain = CredentialsChain(
            environment: home.environment([
                "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "ENVSECRET", "AWS_SESSION_TOKEN": "ENVTOKEN",
            ]))
        let c = try await chain.credentials()
        #expect(c.accessKeyId == "ENVKEY")
        #expect(c.sessionToken == "ENVTOKEN")
        #expect(await chain.sourceDescription == "environment keys")
    }

    @Test func staticProfileKeysCredentialsFileWinsOverConfig() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(credentials: "[ci]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n")
        try home.write(
            config:
                "[profile ci]\naws_access_key_id = CONFKEY\naws_secret_access_key = CONFSECRET\nregion = eu-west-1\n[profile other]\naws_access_key_id = OTHERKEY\naws_secret_access_key = OTHERSECRET\n"
        )
        let c = try await CredentialsChain(environment: home.environment(["AWS_PROFILE": "ci"])).credentials()
        #expect(c.accessKeyId == "CREDKEY")
        #expect(c.secretAccessKey == "CREDSECRET")
        let other = try await CredentialsChain(environment: home.environment(["AWS_PROFILE": "other"])).credentials()
        #expect(other.accessKeyId == "OTHERKEY")
        #expect(
            try ProfileCredentialsProvider(environment: home.environment(["AWS_PROFILE": "other"])).resolve()?.accessKeyId == "OTHERKEY")
    }

    @Test func roleArnWithoutSourceIsAClearError() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(config: "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n")
        let error = await chainError(home.environment(["AWS_PROFILE": "deploy"]))
        #expect(error.contains("profile \"deploy\""))
        #expect(error.contains("source_profile"))
        #expect(error.contains("credential_source"))
    }

    @Test func sourceProfileCycleIsDetected() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(
            config: """
                [profile a]
                role_arn = arn:aws:iam::123456789012:role/a
                source_profile = b
                [profile b]
                role_arn = arn:aws:iam::123456789012:role/b
                source_profile = c
                [profile c]
                role_arn = arn:aws:iam::123456789012:role/c
                source_profile = a
                """)
        let error = await chainError(home.environment(["AWS_PROFILE": "a"]))
        #expect(error.contains("cycle"))
        #expect(error.contains("\"a\" -> \"b\" -> \"c\" -> \"a\""))
    }

    @Test func sourceProfileMissingOrEmpty() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(
            config: """
                [profile a]
                role_arn = arn:aws:iam::123456789012:role/a
                source_profile = nowhere
                [profile b]
                role_arn = arn:aws:iam::123456789012:role/b
                source_profile = empty
                [profile empty]
                region = us-west-2
                [profile both]
                role_arn = arn:aws:iam::123456789012:role/b
                source_profile = empty
                credential_source = Environment
                [profile bad]
                role_arn = arn:aws:iam::123456789012:role/b
                credential_source = Moon
                """)
        #expect(await chainError(home.environment(["AWS_PROFILE": "a"])).contains("no profile \"nowhere\""))
        #expect(await chainError(home.environment(["AWS_PROFILE": "b"])).contains("profile \"empty\" has no credentials"))
        #expect(await chainError(home.environment(["AWS_PROFILE": "both"])).contains("keep only one"))
        #expect(await chainError(home.environment(["AWS_PROFILE": "bad"])).contains("Environment, EcsContainer or Ec2InstanceMetadata"))
    }

    @Test func credentialSourceSelectsTheSource() throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(
            config: """
                [profile env]
                role_arn = arn:aws:iam::123456789012:role/r
                credential_source = Environment
                external_id = ext-1
                duration_seconds = 1800
                [profile ecs]
                role_arn = arn:aws:iam::123456789012:role/r
                credential_source = EcsContainer
                [profile ec2]
                role_arn = arn:aws:iam::123456789012:role/r
                credential_source = Ec2InstanceMetadata
                [profile self]
                role_arn = arn:aws:iam::123456789012:role/r
                source_profile = self
                aws_access_key_id = SELFKEY
                aws_secret_access_key = SELFSECRET
                """)
        let keys = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S"]
        let env = try #require(
            try ProfileCredentialsProvider(environment: home.environment(keys), profile: "env").provider()
                as? AssumeRoleCredentialsProvider)
        #expect(env.source is StaticCredentialsProvider)
        #expect(env.externalId == "ext-1")
        #expect(env.durationSeconds == 1800)
        #expect(env.sts.region == "us-east-1")

        let ecs = try #require(
            try ProfileCredentialsProvider(
                environment: home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x"]), profile: "ecs"
            ).provider() as? AssumeRoleCredentialsProvider)
        #expect(ecs.source is ContainerCredentialsProvider)
        let ec2 = try #require(
            try ProfileCredentialsProvider(environment: home.environment(), profile: "ec2").provider()
                as? AssumeRoleCredentialsProvider)
        #expect(ec2.source is IMDSCredentialsProvider)
        let selfSourced = try #require(
            try ProfileCredentialsProvider(environment: home.environment(), profile: "self").provider()
                as? AssumeRoleCredentialsProvider)
        #expect((selfSourced.source as? StaticCredentialsProvider)?.value.accessKeyId == "SELFKEY")

        #expect(throws: AWSError.self) {
            try ProfileCredentialsProvider(environment: home.environment(), profile: "env").provider()
        }
        #expect(throws: AWSError.self) {
            try ProfileCredentialsProvider(environment: home.environment(), profile: "ecs").provider()
        }
    }

    @Test func webIdentityTokenFileMissingNamesTheFile() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        let missing = home.path("no-such-token")
        let error = await chainError(
            home.environment([
                "AWS_WEB_IDENTITY_TOKEN_FILE": missing, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
                // Never reached: the file is read first.
                "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9",
            ]))
        #expect(error.contains(missing))
        #expect(error.contains("does not exist"))
        #expect(error.contains("web identity"))
    }

    @Test func webIdentityWithoutRoleArnIsAnError() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(file: "token", "TOKENVALUE")
        let error = await chainError(home.environment(["AWS_WEB_IDENTITY_TOKEN_FILE": home.path("token")]))
        #expect(error.contains("AWS_ROLE_ARN"))
        try home.write(config: "[profile w]\nweb_identity_token_file = /x\n")
        #expect(await chainError(home.environment(["AWS_PROFILE": "w"])).contains("no role_arn"))
    }

    @Test func profileWebIdentitySelectsWebIdentity() throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(
            config:
                "[profile w]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = ~/tok\nrole_session_name = sess\nregion = eu-central-1\n"
        )
        let p = try #require(
            try ProfileCredentialsProvider(environment: home.environment(["AWS_PROFILE": "w"])).provider()
                as? WebIdentityCredentialsProvider)
        #expect(p.tokenFile == home.path("tok"))
        #expect(p.sessionName == "sess")
        #expect(p.sts.region == "eu-central-1")
        #expect(p.sts.endpoint.host == "sts.eu-central-1.amazonaws.com")
    }

    @Test func namedProfileThatDoesNotExist() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        let error = await chainError(home.environment(["AWS_PROFILE": "ghost"]))
        #expect(error.contains("\"ghost\""))
        #expect(error.contains("neither"))
    }

    @Test func nothingConfiguredListsWhatWasTried() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        let error = await chainError(home.environment(["AWS_EC2_METADATA_DISABLED": "true"]))
        for part in [
            "no credentials found", "environment", "web identity", "profile \"default\"", "container", "EC2 instance metadata",
            "AWS_EC2_METADATA_DISABLED",
        ] {
            #expect(error.contains(part), "missing \(part) in \(error)")
        }
    }

    @Test func unsupportedProfileKindsSaySo() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(config: "[profile sso]\nsso_session = corp\n")
        #expect(await chainError(home.environment(["AWS_PROFILE": "sso"])).contains("SSO"))
    }

    @Test func noSecretInAnyErrorText() async throws {
        let home = try CredentialsTestHome()
        defer { home.remove() }
        try home.write(
            credentials:
                "[half]\naws_secret_access_key = PROFILESECRETXYZ\n[half2]\naws_access_key_id = AKIDHALF\naws_session_token = PROFILETOKENXYZ\n"
        )
        try home.write(file: "token", "WEBIDENTITYTOKENXYZ")
        try home.write(file: "auth", "CONTAINERAUTHXYZ")
        var errors: [String] = []
        errors.append(await chainError(home.environment(["AWS_PROFILE": "half"])))
        errors.append(await chainError(home.environment(["AWS_PROFILE": "half2"])))
        errors.append(await chainError(home.environment(["AWS_SECRET_ACCESS_KEY": "ENVSECRETXYZ", "AWS_SESSION_TOKEN": "ENVTOKENXYZ"])))
        errors.append(
            await chainError(
                home.environment([
                    "AWS_WEB_IDENTITY_TOKEN_FILE": home.path("token"), "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
                    "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9",
                ]), options: .init(stsRetry: RetryPolicy(maxAttempts: 1))))
        errors.append(
            await chainError(
                home.environment([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "CONTAINERENVTOKENXYZ",
                ])))
        errors.append(
            await chainError(
                home.environment([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://evil.example.com/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home.path("auth"),
                ])))
        for e in errors {
            #expect(!e.isEmpty)
            #expect(!e.contains("XYZ"), "secret leaked: \(e)")
        }
        let c = Credentials(accessKeyId: "AK", secretAccessKey: "SECRETXYZ", sessionToken: "TOKENXYZ")
        #expect(!"\(c)".contains("XYZ"))
    }
}

@Suite("RefreshingCredentials")
struct RefreshingCredentialsTests {
    @Test func cachesUntilTheMarginThenRefreshes() async throws {
        let clock = CredentialsTestClock()
        let counter = CredentialsTestCounter()
        let start = clock.now()
        let cache = RefreshingCredentials(refreshMargin: 300, now: { clock.now() }) {
            let n = await counter.next()
            return Credentials(accessKeyId: "K\(n)", secretAccessKey: "S", expiration: start.addingTimeInterval(900))
        }
        #expect(try await cache.credentials().accessKeyId == "K1")
        clock.advance(500)  // 400 s left: still outside the margin
        #expect(try await cache.credentials().accessKeyId == "K1")
        clock.advance(150)  // 250 s left: refresh
        #expect(try await cache.credentials().accessKeyId == "K2")
        #expect(await cache.fetchCount == 2)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let counter = CredentialsTestCounter()
        let cache = RefreshingCredentials {
            let n = await counter.next()
            try await Task.sleep(for: .milliseconds(200))
            return Credentials(accessKeyId: "K\(n)", secretAccessKey: "S", expiration: Date().addingTimeInterval(3600))
        }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyId } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids) == ["K1"])
        #expect(await counter.value == 1)
    }

    @Test func failedRefreshKeepsUnexpiredCredentialsAndThrowsOnceExpired() async throws {
        let clock = CredentialsTestClock()
        let counter = CredentialsTestCounter()
        let start = clock.now()
        let cache = RefreshingCredentials(refreshMargin: 300, now: { clock.now() }) {
            let n = await counter.next()
            if n > 1 { throw AWSError.credentials("source down") }
            return Credentials(accessKeyId: "K1", secretAccessKey: "S", expiration: start.addingTimeInterval(900))
        }
        _ = try await cache.credentials()
        clock.advance(700)
        #expect(try await cache.credentials().accessKeyId == "K1")
        clock.advance(300)
        await #expect(throws: AWSError.self) { try await cache.credentials() }
    }
}

// MARK: Helpers shared by the Credentials*Tests files

/// A temporary HOME with its own ~/.aws files, and an environment that
/// points at them (and at nothing of the real machine's).
struct CredentialsTestHome {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("snap-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(file name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func write(credentials text: String) throws { try write(file: "credentials", text) }
    func write(config text: String) throws { try write(file: "config", text) }

    func environment(_ extra: [String: String] = [:]) -> AWSEnvironment {
        AWSEnvironment(
            [
                "HOME": url.path,
                "AWS_SHARED_CREDENTIALS_FILE": path("credentials"),
                "AWS_CONFIG_FILE": path("config"),
            ].merging(extra) { _, new in new })
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The chain's error text for an environment that must fail.
func chainError(_ env: AWSEnvironment, http: HTTPClient? = nil, options: CredentialsChain.Options? = nil) async -> String {
    let chain =
        options.map { CredentialsChain(environment: env, options: $0) }
        ?? http.map { CredentialsChain(environment: env, http: $0) }
        ?? CredentialsChain(environment: env)
    do {
        let c = try await chain.credentials()
        Issue.record("expected an error, got \(c)")
        return ""
    } catch {
        return "\(error)"
    }
}

/// A clock tests move by hand.
final class CredentialsTestClock: @unchecked Sendable {
    // @unchecked: `offset` is only touched under `lock`.
    private let lock = NSLock()
    private var offset: TimeInterval = 0
    func now() -> Date { Date().addingTimeInterval(lock.withLock { offset }) }
    func advance(_ seconds: TimeInterval) { lock.withLock { offset += seconds } }
}

actor CredentialsTestCounter {
    private(set) var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}

/// The repository file at `relative`, found from this source file with symlinks resolved
/// (so it works from a package that links these tests in).
func credentialsRepositoryFile(_ relative: String, from file: String = #filePath) -> String? {
    var dir = URL(fileURLWithPath: file).resolvingSymlinksInPath().deletingLastPathComponent()
    while dir.path != "/" && !dir.path.isEmpty {
        let candidate = dir.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

/// A python3 child process whose first stdout line is its handshake.
final class CredentialsChildProcess: @unchecked Sendable {
    // @unchecked: both fields are set once in init and Process is only used to stop it.
    let process: Process
    let firstLine: String

    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        if let environment { process.environment = environment }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        firstLine = String(decoding: line, as: UTF8.self)
        if firstLine.isEmpty {
            process.terminate()
            throw AWSError.configuration("\(arguments.first ?? "child") printed nothing")
        }
    }

    /// SIGKILL, not terminate(): children inherit the test runner's blocked
    /// signal mask, so SIGTERM can stay pending forever. Foundation reaps the child.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
    }
}
