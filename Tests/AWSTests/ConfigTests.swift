import Foundation
import Testing

@testable import AWS

@Suite struct ConfigTests {
    @Test func sharedConfigFileSections() {
        let f = SharedConfigFile(
            text: """
                # comment
                [default]
                aws_access_key_id = AKID
                aws_secret_access_key=SECRET ; not a comment in values
                [profile  dev]
                region = eu-west-1
                s3 =
                  addressing_style = path
                """)
        #expect(f.sections["default"]?["aws_access_key_id"] == "AKID")
        #expect(f.sections["profile dev"]?["region"] == "eu-west-1")
        #expect(f.sections["profile dev"]?["addressing_style"] == nil)
    }

    @Test func regionPrecedence() throws {
        let dir = NSTemporaryDirectory() + "snap-cfg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[profile p]\nregion = ap-south-1\n".write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let base = ["AWS_CONFIG_FILE": dir + "/config", "AWS_PROFILE": "p"]
        #expect(AWSEnvironment(base).region() == "ap-south-1")
        #expect(AWSEnvironment(base.merging(["AWS_DEFAULT_REGION": "us-west-1"]) { $1 }).region() == "us-west-1")
        #expect(AWSEnvironment(base.merging(["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "x"]) { $1 }).region() == "us-west-2")
        #expect(AWSEnvironment(base).region(flag: "eu-north-1") == "eu-north-1")
    }

    @Test func endpointResolution() throws {
        let env = AWSEnvironment(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_S3": "https://s3.local:9000/base/"])
        let cognito = try Endpoint.resolve(
            serviceId: "COGNITO_IDENTITY_PROVIDER", hostPrefix: "cognito-idp", region: "eu-west-1", environment: env)
        #expect(cognito == Endpoint(scheme: "http", host: "127.0.0.1", port: 5000, custom: true))
        let s3 = try Endpoint.resolve(serviceId: "S3", hostPrefix: "s3", region: "eu-west-1", environment: env)
        #expect(s3 == Endpoint(scheme: "https", host: "s3.local", port: 9000, basePath: "/base", custom: true))
        let aws = try Endpoint.resolve(
            serviceId: "COGNITO_IDENTITY_PROVIDER", hostPrefix: "cognito-idp", region: "eu-west-1", environment: AWSEnvironment([:]))
        #expect(aws == Endpoint(scheme: "https", host: "cognito-idp.eu-west-1.amazonaws.com", custom: false))
        #expect(throws: AWSError.self) { try Endpoint(url: "ftp://x") }
    }

    @Test func environmentKeysNeedBothHalves() throws {
        let half = EnvironmentCredentialsProvider(environment: AWSEnvironment(["AWS_ACCESS_KEY_ID": "AKID"]))
        #expect(throws: AWSError.self) { try half.resolve() }
        let none = EnvironmentCredentialsProvider(environment: AWSEnvironment([:]))
        #expect(try none.resolve() == nil)
        let full = try EnvironmentCredentialsProvider(
            environment: AWSEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "S3CR3T", "AWS_SESSION_TOKEN": "TOK"])
        ).resolve()
        #expect(full?.sessionToken == "TOK")
        #expect(!"\(full!)".contains("S3CR3T"))
    }
}
