import Foundation

/// A source of credentials. Providers that hand out temporary credentials
/// refresh them before they expire.
public protocol CredentialsProvider: Sendable {
    func credentials() async throws -> Credentials
}

/// Fixed credentials (tests; already-resolved keys).
public struct StaticCredentialsProvider: CredentialsProvider {
    public let value: Credentials
    public init(_ value: Credentials) { self.value = value }
    public func credentials() async throws -> Credentials { value }
}
