import AWS
import Foundation
import Testing

/// Secrets stay out of anything that prints a request (issue 11, item 5):
/// the Authorization header, the session token and a pre-signed URL's
/// signature, credential and token, however the request is printed.
@Suite struct RedactionTests {
    static let credentials = Credentials(
        accessKeyId: "ASIAREDACTIONTEST01", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY",
        sessionToken: "FwoGZXIvYXdzEBYaDSESSIONTOKENVALUE+/=")

    static func printed(_ request: HTTPRequest) -> [String] {
        var dumped = ""
        dump(request, to: &dumped)
        return [
            "\(request)", String(describing: request), String(reflecting: request), request.debugDescription, dumped,
            request.redactedURLString,
        ]
    }

    static func secrets(of request: HTTPRequest) -> [String] {
        var found = [credentials.secretAccessKey, credentials.sessionToken!]
        if let auth = request.header("Authorization"), let sig = auth.range(of: "Signature=") {
            found.append(String(auth[sig.upperBound...]))
        }
        found += request.query.filter { $0.name == "X-Amz-Signature" }.map(\.value)
        return found
    }

    @Test func aHeaderSignedRequestPrintsNoSecret() {
        var request = HTTPRequest(method: "GET", host: "bucket.s3.us-east-1.amazonaws.com", path: "/key")
        SigV4Signer(service: "s3", region: "us-east-1", options: .s3).sign(&request, credentials: Self.credentials, date: Date())
        let secrets = Self.secrets(of: request)
        #expect(secrets.count == 3, "the request is signed: \(request.headers.map(\.name))")
        for text in Self.printed(request) {
            for s in secrets { #expect(!text.contains(s), "\(text) holds \(s.prefix(6))…") }
        }
        #expect(request.debugDescription.contains("Authorization: ***"))
        #expect(request.debugDescription.contains("X-Amz-Security-Token: ***"))
        #expect(request.description == "GET https://bucket.s3.us-east-1.amazonaws.com/key")
    }

    @Test func aPresignedURLPrintsNoSecret() {
        let request = SigV4Signer(service: "s3", region: "us-east-1", options: .s3).presign(
            HTTPRequest(method: "PUT", host: "bucket.s3.us-east-1.amazonaws.com", path: "/import.csv"),
            credentials: Self.credentials, date: Date(), expires: 900)
        let secrets = Self.secrets(of: request) + [Self.credentials.accessKeyId]
        #expect(secrets.count == 4, "the URL is pre-signed: \(request.query.map(\.name))")
        #expect(request.urlString.contains("X-Amz-Signature="), "the URL as sent keeps its signature")
        for text in Self.printed(request) {
            for s in secrets { #expect(!text.contains(s), "\(text) holds \(s.prefix(6))…") }
        }
        #expect(
            request.redactedURLString.contains("X-Amz-Signature=%2A%2A%2A") || request.redactedURLString.contains("X-Amz-Signature=***"))
    }
}
