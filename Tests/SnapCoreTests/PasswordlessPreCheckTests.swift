import AWS
import Foundation
import Testing

@testable import SnapCore

/// Issue 20, item 12: AdminCreateUser without an email, a phone number or a TemporaryPassword (snap
/// sends none) is refused where passwordless sign-in is on. The restore's pre-check names those
/// users before anything is written.
@Suite struct PasswordlessPreCheckTests {
    func target(_ factors: [String]?) -> PoolConfiguration {
        var o: [String: JSONValue] = ["Id": "eu-west-1_Target", "SchemaAttributes": []]
        if let factors { o["Policies"] = ["SignInPolicy": ["AllowedFirstAuthFactors": .array(factors.map { .string($0) })]] }
        return PoolConfiguration(pool: .object(o))
    }

    let snapshot = SnapshotContents(
        pool: ["Id": "us-east-1_Source", "SchemaAttributes": []], groups: [],
        users: [
            UserRecord(username: "alice", attributes: ["sub": "s-a", "email": "a@x.com"], enabled: true, status: "CONFIRMED"),
            UserRecord(username: "bob", attributes: ["sub": "s-b"], enabled: true, status: "CONFIRMED"),
            UserRecord(username: "carol", attributes: ["sub": "s-c", "phone_number": "+12065550100"], enabled: true, status: "CONFIRMED"),
        ], memberships: [])

    @Test func usersWithoutEmailOrPhoneAreNamedWherePasswordlessIsOn() {
        for factors in [["PASSWORD", "EMAIL_OTP"], ["EMAIL_OTP"], ["SMS_OTP", "WEB_AUTHN"], ["WEB_AUTHN"]] {
            let plan = RestorePlan.make(snapshot: snapshot, target: target(factors))
            let problem = plan.problems.first { $0.contains("passwordless") } ?? ""
            #expect(problem.contains("1 user(s) have neither") && problem.contains("bob"), "\(factors): \(plan.problems)")
            #expect(!problem.contains("alice") && !problem.contains("carol"))
        }
    }

    @Test func passwordOnlyPoolsTakeThemAsBefore() {
        for factors in [nil, ["PASSWORD"], ["PASSWORD", "WEB_AUTHN"]] {
            let plan = RestorePlan.make(snapshot: snapshot, target: target(factors))
            #expect(plan.problems.isEmpty, "\(String(describing: factors)): \(plan.problems)")
        }
    }
}
