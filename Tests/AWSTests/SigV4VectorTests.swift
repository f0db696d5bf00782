import Foundation
import Testing

@testable import AWS

/// The AWS signing test suite (fixtures/sigv4, from awslabs/aws-c-auth).
@Suite struct SigV4VectorTests {
    static let cases = Fixtures.folders(in: "sigv4")

    @Test func allVectorFoldersAreFound() {
        #expect(Self.cases.count == 38)
    }

    @Test(arguments: cases)
    func vector(_ name: String) throws {
        let dir = "sigv4/\(name)/"
        let context = try JSONDecoder().decode(
            VectorContext.self, from: Data(contentsOf: Fixtures.url(dir + "context.json")))
        let request = try parseRequest(try String(contentsOf: Fixtures.url(dir + "request.txt"), encoding: .utf8))
        let date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
        // omit_session_token: the token is attached after signing, so it is not signed.
        let credentials = Credentials(
            accessKeyId: context.credentials.access_key_id,
            secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.omit_session_token == true ? nil : context.credentials.token)
        let signer = SigV4Signer(
            service: context.service, region: context.region,
            options: .init(normalizePath: context.normalize, addContentSHA256Header: context.sign_body))

        // Header signing.
        var signed = request
        let header = signer.signDetailed(&signed, credentials: credentials, date: date)
        #expect(header.canonicalRequest == (try Fixtures.text(dir + "header-canonical-request.txt")))
        #expect(header.stringToSign == (try Fixtures.text(dir + "header-string-to-sign.txt")))
        #expect(header.signature == (try Fixtures.text(dir + "header-signature.txt")))
        // The three steps, called one by one, agree.
        let hash = SigV4Signer.bodyHash(request.body)
        let canonical = signer.canonicalRequest(signed.removingAuthorization, payloadHash: hash)
        #expect(canonical == header.canonicalRequest)
        let toSign = signer.stringToSign(canonicalRequest: canonical, date: date)
        #expect(toSign == header.stringToSign)
        #expect(signer.signature(stringToSign: toSign, credentials: credentials, date: date) == header.signature)
        // The Authorization header is the one in the expected signed request.
        let expectedSigned = try parseRequest(try Fixtures.text(dir + "header-signed-request.txt"))
        #expect(signed.header("Authorization") == expectedSigned.header("Authorization"))

        // Query signing.
        let (presigned, query) = signer.presignDetailed(
            request, credentials: credentials, date: date, expires: context.expiration_in_seconds)
        #expect(query.canonicalRequest == (try Fixtures.text(dir + "query-canonical-request.txt")))
        #expect(query.stringToSign == (try Fixtures.text(dir + "query-string-to-sign.txt")))
        #expect(query.signature == (try Fixtures.text(dir + "query-signature.txt")))
        var presignedQuery = presigned.query
        if context.omit_session_token == true, let token = context.credentials.token {
            presignedQuery.append(QueryItem("X-Amz-Security-Token", token))  // attached after signing
        }
        let expectedPresigned = try parseRequest(try Fixtures.text(dir + "query-signed-request.txt"))
        #expect(sortedPairs(presignedQuery) == sortedPairs(expectedPresigned.query))
    }
}

private struct VectorContext: Decodable {
    struct Creds: Decodable {
        var access_key_id: String
        var secret_access_key: String
        var token: String?
    }
    var credentials: Creds
    var expiration_in_seconds: Int
    var normalize: Bool
    var region: String
    var service: String
    var sign_body: Bool
    var timestamp: String
    var omit_session_token: Bool?
}

struct VectorParseError: Error, CustomStringConvertible {
    var description: String
}

/// Parses a raw request: request line (decoded path; query percent-decoded),
/// headers (continuation lines folded into the previous value with a newline,
/// duplicates kept in order), then the body after the blank line.
func parseRequest(_ text: String) throws -> HTTPRequest {
    var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    guard !lines.isEmpty else { throw VectorParseError(description: "empty request") }
    let requestLine = lines.removeFirst()
    guard let firstSpace = requestLine.firstIndex(of: " "),
        let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace
    else { throw VectorParseError(description: "bad request line: \(requestLine)") }
    let method = String(requestLine[..<firstSpace])
    let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])

    var path = target
    var query: [QueryItem] = []
    if let q = target.firstIndex(of: "?") {
        path = String(target[..<q])
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            query.append(QueryItem(name.removingPercentEncoding ?? name, value.removingPercentEncoding ?? value))
        }
    }

    var headers: [HTTPHeader] = []
    var index = 0
    while index < lines.count, !lines[index].isEmpty {
        let line = lines[index]
        index += 1
        if line.first == " " || line.first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += "\n" + line
            continue
        }
        guard let colon = line.firstIndex(of: ":") else {
            throw VectorParseError(description: "bad header line: \(line)")
        }
        headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...])))
    }
    let bodyText = index < lines.count ? lines[(index + 1)...].joined(separator: "\n") : ""

    var request = HTTPRequest(
        method: method, host: "", path: path, query: query, headers: headers,
        body: bodyText.isEmpty ? .empty : .data(Data(bodyText.utf8)))
    request.host = request.header("Host")?.trimmingCharacters(in: .whitespaces) ?? ""
    return request
}

private func sortedPairs(_ items: [QueryItem]) -> [String] {
    items.map { "\($0.name)=\($0.value)" }.sorted()
}

extension HTTPRequest {
    var removingAuthorization: HTTPRequest {
        var copy = self
        copy.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
        return copy
    }
}
