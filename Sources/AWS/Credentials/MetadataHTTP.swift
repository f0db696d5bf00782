import Foundation

/// Pieces shared by the container and instance-metadata providers: plain
/// URLs, short retries, and the JSON credential document both serve.
enum MetadataHTTP {
    struct Target: Sendable {
        var scheme: String
        /// As it goes in a URL: IPv6 literals keep their brackets.
        var host: String
        /// Without brackets, for address checks.
        var bareHost: String
        var port: Int?
        var path: String
        var query: [QueryItem]
    }

    static func parse(_ url: String) -> Target? {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
            var host = c.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let urlHost = host.contains(":") ? "[\(host)]" : host
        // percentEncodedPath decoded once: HTTPRequest wants the decoded path.
        let path = c.path.isEmpty ? "/" : c.path
        let query = (c.queryItems ?? []).map { QueryItem($0.name, $0.value ?? "") }
        return Target(scheme: scheme, host: urlHost, bareHost: host.lowercased(), port: c.port, path: path, query: query)
    }

    static func request(_ method: String, _ t: Target, path: String? = nil, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(
            method: method, scheme: t.scheme, host: t.host, port: t.port, path: path ?? t.path,
            query: path == nil ? t.query : [], headers: headers)
    }

    /// Sends, retrying transport failures and 5xx up to `attempts` times in
    /// all with a short pause; other statuses come back to the caller.
    static func send(_ request: HTTPRequest, http: HTTPClient, attempts: Int) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await http.send(request)
                if response.status >= 500 && attempt < attempts {
                    try await Task.sleep(for: .milliseconds(100 * attempt))
                    continue
                }
                return response
            } catch let error as HTTPError where error.isRetryable && attempt < attempts {
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    /// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`. `source`
    /// names the endpoint in errors; the body itself never appears in one,
    /// since it holds the secret.
    static func parseCredentials(_ body: Data, source: String) throws -> Credentials {
        guard let json = try? JSONParser.parse(body), json.objectValue != nil else {
            throw AWSError.credentials("\(source) answered with something that is not a JSON object")
        }
        if let code = json["Code"]?.stringValue, code != "Success" {
            let message = json["Message"]?.stringValue.map { ": \($0)" } ?? ""
            throw AWSError.credentials("\(source) answered Code \(code)\(message)")
        }
        guard let id = json["AccessKeyId"]?.stringValue, let secret = json["SecretAccessKey"]?.stringValue else {
            throw AWSError.credentials("\(source) answered without AccessKeyId and SecretAccessKey")
        }
        var expiration: Date?
        if let text = json["Expiration"]?.stringValue {
            guard let date = ISO8601.parse(text) else {
                throw AWSError.credentials("\(source) answered an Expiration that is not an ISO 8601 time: \(text)")
            }
            expiration = date
        }
        return Credentials(
            accessKeyId: id, secretAccessKey: secret, sessionToken: json["Token"]?.stringValue, expiration: expiration)
    }

    /// The error documents of these endpoints are small JSON or text; only
    /// a code/message is quoted, never the whole body.
    static func statusError(_ response: HTTPResponse, source: String, hint: String) -> AWSError {
        var detail = ""
        if let json = try? JSONParser.parse(response.body) {
            let code = json["code"]?.stringValue ?? json["Code"]?.stringValue
            let message = json["message"]?.stringValue ?? json["Message"]?.stringValue
            detail = [code, message].compactMap { $0 }.joined(separator: ": ")
        }
        return AWSError.credentials(
            "\(source) answered HTTP \(response.status)\(detail.isEmpty ? "" : " (\(detail))"); \(hint)")
    }
}
