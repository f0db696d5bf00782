import Foundation
import Testing

/// `--expected-bucket-owner` with a bucket in another region than the one
/// first assumed (issue 20, item 5). S3 answers a request signed for the
/// wrong region with a redirect naming the bucket's region (the proxy's rule
/// s3-wrong-region plays it; moto serves every region alike), so every
/// request, the owner check included, must go to the bucket's own region.
@Suite struct S3RegionOwnerTests {
    @Test func ownerCheckGoesToTheBucketsRegion() throws {
        let moto = try Moto.shared()
        let env = moto.environment  // AWS_DEFAULT_REGION=us-east-1
        let pool = try seedPool(extraUsers: 2, env: env)
        let bucket = "snap-eu-owner-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try aws(
            [
                "s3api", "create-bucket", "--bucket", bucket, "--region", "eu-west-1", "--create-bucket-configuration",
                "LocationConstraint=eu-west-1",
            ], env: env)
        let owner = ((try aws(["sts", "get-caller-identity"], env: env)) as! [String: Any])["Account"] as! String
        let store = ["--user-pool-id", pool, "--store", "s3://\(bucket)", "--expected-bucket-owner", owner]

        let made = try snap(["create"] + store, env: env)
        #expect(made.status == 0, "stderr: \(made.stderr)")
        let id = made.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try snap(["list", "--json"] + store, env: env)
        #expect(listed.status == 0 && listed.out.contains(id), "stdout: \(listed.out) stderr: \(listed.stderr)")
        let verified = try snap(["verify"] + store, env: env)
        #expect(verified.status == 0, "stdout: \(verified.out) stderr: \(verified.stderr)")

        // The stated region still has to be the bucket's.
        let wrong = try snap(["list", "--user-pool-id", pool, "--store", "s3://\(bucket)?region=us-east-1"], env: env)
        #expect(wrong.status != 0 && wrong.stderr.contains("is in eu-west-1, not in us-east-1"), "stderr: \(wrong.stderr)")
    }
}
