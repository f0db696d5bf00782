import Foundation

/// Where a service is reached. `custom` is true when the user named the
/// endpoint (AWS_ENDPOINT_URL...), which allows plain http and makes S3 path-style.
public struct Endpoint: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int?
    public var basePath: String
    public var custom: Bool

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "", custom: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.custom = custom
    }

    /// Parses `http(s)://host[:port][/path]`.
    public init(url: String, custom: Bool = true) throws(AWSError) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = c.host, !host.isEmpty
        else {
            throw AWSError.configuration("endpoint URL \"\(url)\" is not of the form http(s)://host[:port]")
        }
        var path = c.path
        while path.hasSuffix("/") { path.removeLast() }
        self.init(scheme: scheme, host: host, port: c.port, basePath: path, custom: custom)
    }

    /// The endpoint for a service as the AWS SDKs resolve it: the
    /// service-specific variable (`AWS_ENDPOINT_URL_<SERVICE_ID>`), then
    /// `AWS_ENDPOINT_URL`, then AWS's own `https://<prefix>.<region>.amazonaws.com`.
    public static func resolve(serviceId: String, hostPrefix: String, region: String, environment: AWSEnvironment)
        throws(AWSError) -> Endpoint
    {
        let variable = "AWS_ENDPOINT_URL_" + serviceId.uppercased().replacingOccurrences(of: " ", with: "_")
        if let url = environment[variable] ?? environment["AWS_ENDPOINT_URL"] {
            return try Endpoint(url: url)
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return Endpoint(scheme: "https", host: "\(hostPrefix).\(region).\(suffix)", custom: false)
    }
}
