import Foundation

/// One header line. Names keep the case they were given; lookups ignore case.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, decoded. Encoding happens once, when the URL is built.
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What a request sends as its body.
public enum HTTPBody: Sendable, Equatable {
    case empty
    case data(Data)
    /// Streamed from this file; the file is not read into memory.
    case file(path: String)
}

/// A request before and after signing.
///
/// `path` is the decoded path ("/my bucket/a+b ü"); the wire form encodes it
/// once with `URIEncoding.encodePath`. That is also S3's canonical form, so
/// an S3 key is encoded exactly once.
public struct HTTPRequest: Sendable {
    public var method: String
    public var scheme: String
    public var host: String
    public var port: Int?
    public var path: String
    public var query: [QueryItem]
    public var headers: [HTTPHeader]
    public var body: HTTPBody

    public init(
        method: String, scheme: String = "https", host: String, port: Int? = nil,
        path: String = "/", query: [QueryItem] = [], headers: [HTTPHeader] = [],
        body: HTTPBody = .empty
    ) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The Host header value: host, plus the port when it is not the scheme's default.
    public var hostHeader: String {
        guard let port else { return host }
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }

    /// The URL as sent: path encoded once, query items encoded and sorted.
    public var urlString: String {
        var s = "\(scheme)://\(hostHeader)\(URIEncoding.encodePath(path))"
        if !query.isEmpty { s += "?" + URIEncoding.canonicalQuery(query) }
        return s
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Replaces every header of that name (any case) with one value.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append(HTTPHeader(name, value))
    }
}

/// A response. `body` is empty when the body was streamed to a file.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// What logs, errors and debuggers may show of a request: the Authorization
/// header, the session token and a pre-signed URL's signature, credential and
/// token are replaced by "***", whichever way the request is printed
/// (`description`, `debugDescription`, `dump`).
extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    static let secretHeaders: Set<String> = ["authorization", "x-amz-security-token"]
    static let secretQueryItems: Set<String> = ["x-amz-signature", "x-amz-security-token", "x-amz-credential"]

    /// The URL as sent, with a pre-signed URL's secrets replaced.
    public var redactedURLString: String {
        var copy = self
        copy.query = query.map { Self.secretQueryItems.contains($0.name.lowercased()) ? QueryItem($0.name, "***") : $0 }
        return copy.urlString
    }

    /// The headers, with the signature and session token replaced.
    public var redactedHeaders: [HTTPHeader] {
        headers.map { Self.secretHeaders.contains($0.name.lowercased()) ? HTTPHeader($0.name, "***") : $0 }
    }

    public var description: String { "\(method) \(redactedURLString)" }

    public var debugDescription: String {
        "\(method) \(redactedURLString) " + redactedHeaders.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["method": method, "url": redactedURLString, "headers": redactedHeaders], displayStyle: .struct)
    }
}
