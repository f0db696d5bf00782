/// Why a request got no HTTP response. An HTTP error status is not an
/// `HTTPError`: it comes back as an `HTTPResponse` so the caller can read
/// the service's error document.
public enum HTTPError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case couldNotResolve, couldNotConnect, timedOut, tls, sendFailed, receiveFailed, other
    }

    /// The transfer failed below HTTP. `host` is "host:port"; `message` is
    /// libcurl's, which names neither headers nor the query string.
    case transport(kind: Kind, curlCode: Int, message: String, host: String)
    /// A request body file could not be read, or the response file written.
    case file(path: String, reason: String)

    /// Whether sending the same request again may succeed.
    public var isRetryable: Bool {
        switch self {
        case .transport(let kind, let code, _, _):
            switch kind {
            case .couldNotResolve, .couldNotConnect, .timedOut, .sendFailed, .receiveFailed:
                return true
            case .tls:
                // A handshake cut short (CURLE_SSL_CONNECT_ERROR) is usually
                // the network; certificate failures will fail the same way again.
                return code == 35
            case .other:
                return false
            }
        case .file:
            return false
        }
    }

    public var description: String {
        switch self {
        case .transport(let kind, _, let message, let host):
            switch kind {
            case .couldNotResolve:
                return "cannot resolve \(host): \(message); is the endpoint or region right, and is DNS working?"
            case .couldNotConnect:
                return "cannot connect to \(host): \(message); is the endpoint right and reachable?"
            case .timedOut:
                return "request to \(host) timed out: \(message); is the network slow or the endpoint unreachable?"
            case .tls:
                return "TLS with \(host) failed: \(message); is the endpoint's certificate valid for that name and trusted here?"
            case .sendFailed:
                return "sending to \(host) failed: \(message); the connection dropped, try again"
            case .receiveFailed:
                return "receiving from \(host) failed: \(message); the connection dropped, try again"
            case .other:
                return "request to \(host) failed: \(message)"
            }
        case .file(let path, let reason):
            return "cannot use file \(path): \(reason); check the path and its permissions"
        }
    }
}
