import Foundation
import Testing

/// Issue 20: every request snap sends to the tests' moto goes through
/// scripts/model_check.py, which holds it to the AWS service model (botocore's
/// published JSON): a request the model refuses is refused, naming the
/// operation and the member, where moto alone would have accepted it.
@Suite struct ModelCheckTests {
    func post(_ target: String, _ body: String, userAgent: String) throws -> RunResult {
        let endpoint = try Moto.shared().endpoint
        return try run(
            "curl",
            [
                "-s", "-X", "POST", "-H", "User-Agent: \(userAgent)", "-H", "X-Amz-Target: \(target)", "-H",
                "Content-Type: application/x-amz-json-1.1", "--data-binary", body, endpoint + "/",
            ], env: ProcessInfo.processInfo.environment)
    }

    @Test func aRequestTheModelRefusesIsRefusedByName() throws {
        let listUsers = "AWSCognitoIdentityProviderService.ListUsers"
        let tooMany = try post(listUsers, #"{"UserPoolId":"us-east-1_abc","Limit":100,"Bogus":1}"#, userAgent: "snap")
        #expect(tooMany.out.contains("SnapModelViolation"), "\(tooMany.out)")
        #expect(tooMany.out.contains("ListUsers: Limit: 100 is more than 60"), "\(tooMany.out)")
        #expect(tooMany.out.contains("ListUsers: Bogus: not a member"), "\(tooMany.out)")
        let create = try post(
            "AWSCognitoIdentityProviderService.AdminCreateUser", #"{"UserPoolId":"us-east-1_abc","Username":"a b","MessageAction":"NOPE"}"#,
            userAgent: "snap")
        #expect(create.out.contains("Username") && create.out.contains("does not match the pattern"), "\(create.out)")
        #expect(create.out.contains("MessageAction: 'NOPE' is not one of RESEND, SUPPRESS"), "\(create.out)")
        let missing = try post("AWSCognitoIdentityProviderService.DescribeUserPool", "{}", userAgent: "snap")
        #expect(missing.out.contains("DescribeUserPool: UserPoolId: required, missing"), "\(missing.out)")
        // A request that keeps to the model reaches moto (which refuses it unsigned), and the
        // tests' own AWS CLI and boto3 calls, which set up hostile pools on purpose, are not checked.
        let fine = try post(listUsers, #"{"UserPoolId":"us-east-1_abc","Limit":60}"#, userAgent: "snap")
        #expect(!fine.out.contains("SnapModelViolation"), "\(fine.out)")
        let other = try post(listUsers, #"{"UserPoolId":"us-east-1_abc","Limit":100}"#, userAgent: "aws-cli/2")
        #expect(!other.out.contains("SnapModelViolation"), "\(other.out)")
    }
}
