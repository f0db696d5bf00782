import Foundation
import Testing

@testable import AWS

/// Issue 20, item 11: Cognito's quotas page has a UserAccountRecovery category,
/// "Operations that recover a user's account, or change or update a user's
/// password", 30 requests per second. AdminSetUserPassword sets a password, so
/// snap paces it there, not under UserUpdate (25/s).
@Suite struct PasswordQuotaCategoryTests {
    @Test func userAccountRecoveryIsACategoryAt30PerSecond() {
        #expect(QuotaCategory(name: "UserAccountRecovery") == .userAccountRecovery)
        #expect(QuotaCategory.userAccountRecovery.defaultRPS == 30)
        #expect(QuotaCategory.userAccountRecovery.perOperationRPS == nil)
    }

    @Test func adminSetUserPasswordIsPacedAsUserAccountRecovery() async throws {
        // Nothing listens on port 9 of the loopback: the call fails after the pacer let it go,
        // and the pacer's counts show which category it was paced as.
        let pacer = QuotaPacer(share: 0.8)
        let env = AWSEnvironment(["AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "us-east-1"])
        let cognito = try CognitoClient(
            region: "us-east-1", environment: env, http: HTTPClient(),
            credentials: StaticCredentialsProvider(Credentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret")),
            pacer: pacer, retry: RetryPolicy(maxAttempts: 1))
        await #expect(throws: (any Error).self) {
            try await cognito.adminSetUserPassword("us-east-1_abc", username: "alice", password: "Aa1!aaaa", permanent: true)
        }
        #expect(await pacer.snapshot(of: .userAccountRecovery).requests == 1)
        #expect(await pacer.snapshot(of: .userUpdate).requests == 0)
    }
}
