import Foundation
import Testing

@testable import AWS

/// S3's signing rules, anchored by the published AWS documentation examples.
@Suite struct SigV4S3Tests {
    static let docCredentials = Credentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 2013-05-24T00:00:00Z
    static let docDate = Date(timeIntervalSince1970: 1_369_353_600)
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let signer = SigV4Signer(service: "s3", region: "us-east-1", options: .s3)

    /// AWS docs, "Signature Calculations for the Authorization Header", GET Object.
    @Test func publishedGetObjectExample() {
        var request = HTTPRequest(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
            headers: [HTTPHeader("Range", "bytes=0-9")])
        Self.signer.sign(&request, credentials: Self.docCredentials, date: Self.docDate)
        #expect(request.header("x-amz-content-sha256") == Self.emptyHash)
        #expect(request.header("X-Amz-Date") == "20130524T000000Z")
        #expect(request.header("Host") == "examplebucket.s3.amazonaws.com")
        #expect(
            request.header("Authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// AWS docs, PUT Object: the key "test$file.text" is encoded once ($ -> %24).
    @Test func publishedPutObjectExample() {
        var request = HTTPRequest(
            method: "PUT", host: "examplebucket.s3.amazonaws.com", path: "/test$file.text",
            headers: [
                HTTPHeader("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                HTTPHeader("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            body: .data(Data("Welcome to Amazon S3.".utf8)))
        let signing = Self.signer.signDetailed(&request, credentials: Self.docCredentials, date: Self.docDate)
        #expect(signing.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/test%24file.text")
        #expect(
            request.header("x-amz-content-sha256")
                == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(signing.signedHeaders == "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        #expect(signing.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    /// AWS docs, "Authenticating Requests: Using Query Parameters": presigned GET.
    @Test func publishedPresignedURLExample() {
        let request = HTTPRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let presigned = Self.signer.presign(
            request, credentials: Self.docCredentials, date: Self.docDate, expires: 86_400)
        #expect(presigned.query.first { $0.name == "X-Amz-SignedHeaders" }?.value == "host")
        #expect(
            presigned.query.first { $0.name == "X-Amz-Signature" }?.value
                == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(
            presigned.urlString.contains(
                "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"))
    }

    @Test func keyIsEncodedExactlyOnceAndNotNormalised() {
        var request = HTTPRequest(method: "GET", host: "b.s3.amazonaws.com", path: "/my bucket/a+b ü//./c/../d%")
        let signing = Self.signer.signDetailed(&request, credentials: Self.docCredentials, date: Self.docDate)
        let uri = signing.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1]
        #expect(uri == "/my%20bucket/a%2Bb%20%C3%BC//./c/../d%25")
        #expect(String(uri) == URIEncoding.encodePath(request.path))

        // The general (non-S3) rules normalise and may double-encode.
        let general = SigV4Signer(
            service: "execute-api", region: "us-east-1", options: .init(doubleEncodePath: true))
        var other = HTTPRequest(method: "GET", host: "h", path: "/a b//./c/../d")
        let g = general.signDetailed(&other, credentials: Self.docCredentials, date: Self.docDate)
        #expect(g.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/a%2520b/d")
    }

    @Test func contentSHA256IsAddedAndSigned() {
        let body = Data("hello".utf8)
        var request = HTTPRequest(method: "PUT", host: "b.s3.amazonaws.com", path: "/k", body: .data(body))
        let signing = Self.signer.signDetailed(&request, credentials: Self.docCredentials, date: Self.docDate)
        let hash = SigV4Signer.sha256Hex(body)
        #expect(hash == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(request.header("x-amz-content-sha256") == hash)
        #expect(signing.signedHeaders.split(separator: ";").contains("x-amz-content-sha256"))
        #expect(signing.canonicalRequest.hasSuffix("\n" + hash))

        // An explicit payload hash wins.
        var explicit = HTTPRequest(method: "PUT", host: "b.s3.amazonaws.com", path: "/k", body: .data(body))
        Self.signer.sign(&explicit, credentials: Self.docCredentials, date: Self.docDate, payloadHash: "abc")
        #expect(explicit.header("x-amz-content-sha256") == "abc")
    }

    @Test func fileBodyIsUnsignedPayload() {
        var request = HTTPRequest(
            method: "PUT", host: "b.s3.amazonaws.com", path: "/big.tar.zst", body: .file(path: "/nonexistent"))
        let signing = Self.signer.signDetailed(&request, credentials: Self.docCredentials, date: Self.docDate)
        #expect(request.header("x-amz-content-sha256") == SigV4Signer.unsignedPayload)
        #expect(signing.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test func sessionTokenIsAddedAndSigned() {
        let credentials = Credentials(
            accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret/EXAMPLE+key", sessionToken: "token/with+chars==")
        var request = HTTPRequest(method: "GET", host: "b.s3.amazonaws.com", path: "/k")
        let signing = Self.signer.signDetailed(&request, credentials: credentials, date: Self.docDate)
        #expect(request.header("X-Amz-Security-Token") == "token/with+chars==")
        #expect(signing.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        #expect(signing.canonicalRequest.contains("\nx-amz-security-token:token/with+chars==\n"))

        let presigned = Self.signer.presign(request, credentials: credentials, date: Self.docDate, expires: 60)
        #expect(presigned.query.contains(QueryItem("X-Amz-Security-Token", "token/with+chars==")))
    }

    @Test func resigningReplacesRatherThanDuplicates() {
        var request = HTTPRequest(method: "GET", scheme: "http", host: "b.s3.amazonaws.com", port: 9000, path: "/k")
        Self.signer.sign(&request, credentials: Self.docCredentials, date: Self.docDate)
        let first = request.header("Authorization")
        Self.signer.sign(&request, credentials: Self.docCredentials, date: Self.docDate)
        #expect(request.header("Authorization") == first)
        #expect(request.header("Host") == "b.s3.amazonaws.com:9000")
        for name in ["authorization", "x-amz-date", "host", "x-amz-content-sha256"] {
            #expect(request.headers.filter { $0.name.lowercased() == name }.count == 1)
        }
    }

    @Test func secretsNeverAppearInDescriptions() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let credentials = Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: "t")
        #expect(!credentials.description.contains(secret))
        #expect(!String(describing: credentials).contains(secret))
        #expect(!"\(credentials)".contains(secret))
        var request = HTTPRequest(method: "GET", host: "b.s3.amazonaws.com", path: "/k")
        let signing = Self.signer.signDetailed(&request, credentials: credentials, date: Self.docDate)
        #expect(!String(describing: request).contains(secret))
        #expect(!String(describing: signing).contains(secret))
        #expect(!String(describing: Self.signer).contains(secret))
    }

    @Test func timestampsAreUTC() {
        #expect(SigV4Canonical.timestamps(Self.docDate) == ("20130524T000000Z", "20130524"))
        #expect(SigV4Canonical.timestamps(Date(timeIntervalSince1970: 951_825_599)) == ("20000229T115959Z", "20000229"))
        #expect(SigV4Canonical.timestamps(Date(timeIntervalSince1970: 0.999)) == ("19700101T000000Z", "19700101"))
    }
}
