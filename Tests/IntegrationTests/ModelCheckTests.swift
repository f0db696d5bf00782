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

    /// A request as snap signs it: its User-Agent and a SigV4 Authorization naming the service
    /// (the signature itself is not checked before the model: the proxy refuses first).
    func send(_ method: String, _ path: String, service: String, headers: [String] = [], body: String? = nil) throws -> RunResult {
        let endpoint = try Moto.shared().endpoint
        let auth =
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDSNAPTEST/20260101/us-east-1/\(service)/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=" + String(repeating: "0", count: 64)
        var args = ["-s", "-X", method, "-H", "User-Agent: snap/1.0", "-H", auth, "-H", "X-Amz-Date: 20260101T000000Z"]
        for h in headers { args += ["-H", h] }
        if let body { args += ["--data-binary", body] }
        return try run("curl", args + [endpoint + path], env: ProcessInfo.processInfo.environment)
    }

    @Test func aBadS3RequestIsRefusedNamingTheOperationAndTheMember() throws {
        let put = try send(
            "PUT", "/some-bucket/snapshots/a.tar.zst", service: "s3",
            headers: ["x-amz-storage-class: NOPE", "x-amz-expected-bucket-owner: 123456789012", "x-amz-snap-typo: 1"], body: "x")
        #expect(put.out.contains("SnapModelViolation"), "\(put.out)")
        #expect(put.out.contains("PutObject: StorageClass (x-amz-storage-class): 'NOPE' is not one of"), "\(put.out)")
        // An x-amz-* header the operation does not name is how a misspelt one would look.
        #expect(put.out.contains("PutObject: x-amz-snap-typo: not a header of PutObject"), "\(put.out)")
        let list = try send("GET", "/some-bucket?list-type=2&max-keys=ten&prefixx=a", service: "s3")
        #expect(list.out.contains("ListObjectsV2: MaxKeys (?max-keys): expected an integer"), "\(list.out)")
        #expect(list.out.contains("ListObjectsV2: ?prefixx: not a query parameter of ListObjectsV2"), "\(list.out)")
        let delete = try send("POST", "/some-bucket?delete", service: "s3", body: "<Delete><Object><Key>a</Key></Object>")
        #expect(delete.out.contains("DeleteObjects: the operation requires a Content-MD5 or x-amz-checksum-* header"), "\(delete.out)")
        #expect(delete.out.contains("DeleteObjects: Delete: the XML body is not well-formed"), "\(delete.out)")
        // SigV4's own headers are no violation, and neither is a request that keeps to the model
        // (moto then answers it, refusing the made-up signature).
        let fine = try send(
            "PUT", "/some-bucket/snapshots/a.tar.zst", service: "s3",
            headers: ["x-amz-content-sha256: UNSIGNED-PAYLOAD", "x-amz-security-token: t", "x-amz-expected-bucket-owner: 123456789012"],
            body: "x")
        #expect(!fine.out.contains("SnapModelViolation"), "\(fine.out)")
    }

    @Test func badSTSAndSNSRequestsAreRefusedNamingTheOperationAndTheMember() throws {
        let form = "Content-Type: application/x-www-form-urlencoded; charset=utf-8"
        let sts = try send(
            "POST", "/", service: "sts", headers: [form],
            body: "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&DurationSeconds=10")
        #expect(sts.out.contains("SnapModelViolation"), "\(sts.out)")
        #expect(sts.out.contains("AssumeRole: RoleSessionName: required, missing"), "\(sts.out)")
        #expect(sts.out.contains("AssumeRole: DurationSeconds: 10 is less than 900"), "\(sts.out)")
        // Lists and maps count from 1: an entry.0 maps onto no member.
        let sns = try send(
            "POST", "/", service: "sns", headers: [form],
            body: "Action=Publish&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:123456789012:t&MessageAttributes.entry.0.Name=a")
        #expect(sns.out.contains("Publish: Message: required, missing"), "\(sns.out)")
        #expect(sns.out.contains("Publish: MessageAttributes.entry.0.Name: not a member"), "\(sns.out)")
        let fine = try send("POST", "/", service: "sts", headers: [form], body: "Action=GetCallerIdentity&Version=2011-06-15")
        #expect(!fine.out.contains("SnapModelViolation"), "\(fine.out)")
    }

    /// snap's own requests of a create to an S3 store with an SNS notification keep to the models:
    /// a moto of this test's own logs every violation, and none is logged.
    @Test func snapsCreateToS3WithSNSBreaksNoModel() throws {
        let log = try tempFolder("model-log") + "/violations.jsonl"
        let moto = try Moto.start(["--model-log", log])
        let env = moto.environment
        let pool = try seedPool(extraUsers: 3, env: env)
        let bucket = "snap-model-\(UUID().uuidString.prefix(8).lowercased())"
        // The store has no prefix: moto refuses the signature of any ListObjectsV2 whose prefix holds a "/"
        // (boto3's too), though snap and boto3 sign it as SigV4 says.
        _ = try aws(["s3api", "create-bucket", "--bucket", bucket], env: env)
        let topic = (try aws(["sns", "create-topic", "--name", bucket], env: env) as! [String: Any])["TopicArn"] as! String
        let r = try snap(["create", "--user-pool-id", pool, "--store", "s3://\(bucket)", "--notify", "sns:\(topic)"], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let verify = try snap(["verify", "--user-pool-id", pool, "--store", "s3://\(bucket)"], env: env)
        #expect(verify.status == 0, "stderr: \(verify.stderr)")
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""  // absent: nothing was logged
        #expect(logged.isEmpty, "snap broke a model:\n\(logged)")
    }

    /// Issue 20, item 10: any one UserPoolResourceRead/UserPoolResourceUpdate operation runs at most 5 requests
    /// per second per pool. A burst from boto3, which does not pace, is throttled; snap's restore of a pool
    /// with many groups paces CreateGroup below the cap and is never throttled by it.
    @Test func thePerPoolCapThrottlesABurstButNotSnap() throws {
        let moto = try Moto.start()
        let env = moto.environment
        let burst = """
            import boto3, botocore.config, sys
            idp = boto3.client("cognito-idp", config=botocore.config.Config(retries={"total_max_attempts": 1}))
            pool = idp.create_user_pool(PoolName="burst")["UserPool"]["Id"]
            refused = []
            for i in range(15):
                try:
                    idp.create_group(UserPoolId=pool, GroupName=f"g{i}")
                except idp.exceptions.TooManyRequestsException as e:
                    refused.append(str(e))
            print(len(refused), refused[:1])
            """
        let b = try run("python3", ["-c", burst], env: env)
        #expect(b.status == 0, "\(b.stderr)")
        let refused = Int(b.out.split(separator: " ").first ?? "") ?? 0
        #expect(refused >= 1, "15 CreateGroup calls at once were not throttled: \(b.out)")
        #expect(b.out.contains("rule per-pool-operation-cap"), "\(b.out)")

        // A pool with 30 groups, restored by snap into an empty one.
        let spec = try tempFolder("many-groups") + "/pool.json"
        let groups = (0..<30).map { #"{"name": "team-\#($0)"}"# }.joined(separator: ",")
        try #"{"pool": {"PoolName": "groups"}, "groups": [\#(groups)], "users": []}"#.write(toFile: spec, atomically: true, encoding: .utf8)
        let source = try seedPool(extraUsers: 0, env: env, spec: spec)
        let empty = try tempFolder("many-groups") + "/target.json"
        try #"{"pool": {"PoolName": "groups-target"}, "groups": [], "users": []}"#.write(toFile: empty, atomically: true, encoding: .utf8)
        let target = try seedPool(extraUsers: 0, env: env, spec: empty)
        let store = try tempFolder("many-groups-store") + "/s"
        let created = try snap(["create", "--user-pool-id", source, "--store", store], env: env)
        #expect(created.status == 0, "stderr: \(created.stderr)")
        _ = try run("curl", ["-s", "-X", "POST", moto.endpoint + "/__proxy/reset"], env: env)
        let id = created.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let restored = try snap(
            ["restore", id, "--user-pool-id", target, "--store", store], env: env, cwd: try tempFolder("many-groups-work"))
        #expect(restored.status == 0, "stderr: \(restored.stderr)")
        let stats = try run("curl", ["-s", moto.endpoint + "/__proxy/stats"], env: env)
        let doc = try JSONSerialization.jsonObject(with: stats.stdout) as! [String: Any]
        let ops = doc["operations"] as! [String: [String: Double]]
        #expect(Int(ops["CreateGroup"]?["count"] ?? 0) >= 30, "\(ops)")
        let throttled = doc["throttled"] as! [String: Any]
        #expect(throttled.keys.filter { $0.contains("per-pool-operation-cap") }.isEmpty, "snap was throttled by the cap: \(throttled)")
    }

    /// The documented rules refuse as AWS does (or, for MessageAction, as snap's invariant says), naming the rule.
    @Test func theDocumentedRulesRefuseByName() throws {
        let env = try Moto.shared().environment
        let idp = "AWSCognitoIdentityProviderService."
        let plain = try seedPool(extraUsers: 0, env: env)
        let mailed = try post(idp + "AdminCreateUser", #"{"UserPoolId":"\#(plain)","Username":"newbie"}"#, userAgent: "snap")
        #expect(mailed.out.contains("SnapRuleViolation") && mailed.out.contains("[rule admin-create-user-suppress]"), "\(mailed.out)")
        let weak = try post(
            idp + "AdminSetUserPassword", #"{"UserPoolId":"\#(plain)","Username":"alice","Password":"alllowercase1!","Permanent":true}"#,
            userAgent: "snap")
        #expect(weak.out.contains("InvalidPasswordException"), "\(weak.out)")
        #expect(weak.out.contains("Password did not conform with policy: Password must have uppercase characters"), "\(weak.out)")
        let byEmail =
            (try aws(["cognito-idp", "create-user-pool", "--pool-name", "by-email", "--username-attributes", "email"], env: env)
            as! [String: Any])["UserPool"] as! [String: Any]
        let id = byEmail["Id"] as! String
        let named = try post(
            idp + "AdminCreateUser", #"{"UserPoolId":"\#(id)","Username":"alice","MessageAction":"SUPPRESS"}"#, userAgent: "snap")
        #expect(
            named.out.contains("Username should be an email.") && named.out.contains("[rule username-sign-in-attribute]"), "\(named.out)")
        let email = try post(
            idp + "AdminCreateUser", #"{"UserPoolId":"\#(id)","Username":"alice@example.com","MessageAction":"SUPPRESS"}"#,
            userAgent: "snap")
        #expect(!email.out.contains("[rule "), "\(email.out)")
    }

    /// The internal-errors rule answers a share of snap's Cognito calls with 500 before they take effect; snap
    /// retries them and the command succeeds (here a third of the calls, against a moto of this test's own).
    @Test func snapRetriesInternalErrors() throws {
        let moto = try Moto.start(["--internal-error-rate", "0.3"])
        let env = moto.environment
        let pool = try seedPool(extraUsers: 20, env: env)
        let store = try tempFolder("internal-errors") + "/s"
        let r = try snap(["create", "--user-pool-id", pool, "--store", store], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let stats = try run("curl", ["-s", moto.endpoint + "/__proxy/stats"], env: env)
        let injected = (try JSONSerialization.jsonObject(with: stats.stdout) as! [String: Any])["injected"] as! [String: Any]
        #expect(injected.keys.contains { $0.hasSuffix("internal-errors") }, "no 500 was answered: \(injected)")
    }

    /// TESTING.md's "## Documented rules" lists every rule in scripts/rules/ by name (issue 20).
    @Test func testingMdListsEveryRule() throws {
        let r = try run("python3", ["-m", "rules"], env: ProcessInfo.processInfo.environment, cwd: Repo.root + "/scripts")
        #expect(r.status == 0, "\(r.stderr)")
        let names = r.out.split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
        #expect(names.count >= 6, "\(r.out)")
        let doc = try String(contentsOfFile: Repo.root + "/TESTING.md", encoding: .utf8)
        guard let start = doc.range(of: "## Documented rules") else {
            Issue.record("TESTING.md has no \"## Documented rules\" section")
            return
        }
        let section = doc[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
        for name in names {
            #expect(section.contains("`\(name)`"), "TESTING.md's Documented rules does not list `\(name)`")
        }
    }
}
