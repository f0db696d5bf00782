import AWS
import Foundation

/// One provider identity linked to a user, as Cognito lists it in the user's
/// `identities` attribute (a JSON string):
/// `[{"userId":"...","providerName":"Okta","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":...}]`.
/// A restore links it again with AdminLinkProviderForUser (SourceUser ProviderAttributeName Cognito_Subject,
/// ProviderAttributeValue `userId`).
public struct LinkedIdentity: Sendable, Hashable {
    public var providerName: String
    public var providerType: String?
    public var userId: String

    public init(providerName: String, providerType: String? = nil, userId: String) {
        self.providerName = providerName
        self.providerType = providerType
        self.userId = userId
    }

    /// The journal's and the pool check's key: provider and user id, not the type or the link date.
    public var key: String { providerName + "\u{0}" + userId }

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// The identities of an `identities` attribute value; throws naming what is wrong.
    public static func parse(_ value: String) throws -> [LinkedIdentity] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(Data(value.utf8))
        } catch {
            throw Unreadable(description: "the identities attribute is not JSON (\(error))")
        }
        guard let entries = json.arrayValue else { throw Unreadable(description: "the identities attribute is not a JSON array") }
        return try entries.enumerated().map { i, e in
            guard let provider = e["providerName"]?.stringValue, !provider.isEmpty else {
                throw Unreadable(description: "entry \(i + 1) of the identities attribute has no providerName")
            }
            guard let id = e["userId"]?.stringValue, !id.isEmpty else {
                throw Unreadable(description: "entry \(i + 1) of the identities attribute (\(provider)) has no userId")
            }
            return LinkedIdentity(providerName: provider, providerType: e["providerType"]?.stringValue, userId: id)
        }
    }

    /// The identities a user's attributes list; unreadable ones are the caller's to report.
    public static func of(_ attributes: [String: String]) -> Result<[LinkedIdentity], Error> {
        guard let value = attributes["identities"], !value.isEmpty else { return .success([]) }
        return Result { try parse(value) }
    }

    /// The AWS CLI command that makes this link by hand: exact, and quoted for a POSIX shell.
    public func command(poolId: String, targetUsername: String) -> String {
        let destination: JSONValue = ["ProviderName": "Cognito", "ProviderAttributeValue": .string(targetUsername)]
        let source: JSONValue = [
            "ProviderName": .string(providerName), "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": .string(userId),
        ]
        return "aws cognito-idp admin-link-provider-for-user --region \(Self.region(of: poolId)) --user-pool-id \(Self.quote(poolId))"
            + " --destination-user \(Self.quote(destination.canonicalString())) --source-user \(Self.quote(source.canonicalString()))"
    }

    static func region(of poolId: String) -> String { poolId.split(separator: "_", maxSplits: 1).first.map(String.init) ?? poolId }

    /// Single quotes, each `'` inside written as `'\''`.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
