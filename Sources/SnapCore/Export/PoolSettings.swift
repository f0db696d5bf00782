import AWS

/// config.json's pool-wide settings beyond MFA and domains (issue 21), as the service answers them,
/// less ids and dates it makes itself; each key absent when the pool has none of it:
///
/// - `risk`: DescribeRiskConfiguration's `RiskConfiguration` of the pool (threat protection's
///   compromised-credentials and adaptive-authentication actions, IP exceptions);
/// - `ui`: GetUICustomization's `UICustomization` of the pool (the classic hosted UI's CSS and logo URL);
/// - `branding`: DescribeManagedLoginBrandingByClient's `ManagedLoginBranding` per app client that has a
///   style, with its `ClientId` and `ClientName`, sorted by ClientName then ClientId;
/// - `logDelivery`: GetLogDeliveryConfiguration's `LogConfigurations`;
/// - `terms`: DescribeTerms of each ListTerms entry, sorted by ClientId then TermsName.
///
/// Tags are not here: DescribeUserPool's `UserPoolTags` (pool.json) holds them, and CreateUserPool sets them.
public enum PoolSettings {
    /// Fields the service makes and changes without a configuration change (or that name one pool's copy).
    static let made: Set<String> = [
        "UserPoolId", "CreationDate", "LastModifiedDate", "CSSVersion", "ManagedLoginBrandingId", "TermsId",
    ]

    static func kept(_ v: JSONValue) -> [String: JSONValue] { (v.objectValue ?? [:]).filter { !made.contains($0.key) } }

    /// `risk`, or nil when the pool has no risk configuration (nothing but ids in the answer).
    public static func risk(_ described: JSONValue) -> JSONValue? {
        var o = kept(described)
        o["ClientId"] = nil
        return o.isEmpty ? nil : .object(o)
    }

    /// `ui`, or nil when the pool has neither CSS nor a logo.
    public static func ui(_ described: JSONValue) -> JSONValue? {
        var o = kept(described)
        if o["ClientId"]?.stringValue == "ALL" { o["ClientId"] = nil }
        let css = o["CSS"]?.stringValue ?? "", image = o["ImageUrl"]?.stringValue ?? ""
        return css.isEmpty && image.isEmpty ? nil : .object(o)
    }

    /// One `branding` entry.
    public static func branding(_ described: JSONValue, clientId: String, clientName: String) -> JSONValue {
        var o = kept(described)
        o["ClientId"] = .string(clientId)
        o["ClientName"] = .string(clientName)
        return .object(o)
    }

    /// `logDelivery`, or nil when it holds no log configuration.
    public static func logDelivery(_ described: JSONValue) -> JSONValue? {
        guard let list = described["LogConfigurations"]?.arrayValue, !list.isEmpty else { return nil }
        return .array(list)
    }

    /// One `terms` entry.
    public static func terms(_ described: JSONValue) -> JSONValue { .object(kept(described)) }

    public static func sortedBranding(_ list: [JSONValue]) -> [JSONValue] {
        list.sorted { a, b in
            let (an, bn) = (a["ClientName"]?.stringValue ?? "", b["ClientName"]?.stringValue ?? "")
            if an != bn { return JSONValue.utf8Less(an, bn) }
            return JSONValue.utf8Less(a["ClientId"]?.stringValue ?? "", b["ClientId"]?.stringValue ?? "")
        }
    }

    public static func sortedTerms(_ list: [JSONValue]) -> [JSONValue] {
        list.sorted { a, b in
            let (ac, bc) = (a["ClientId"]?.stringValue ?? "", b["ClientId"]?.stringValue ?? "")
            if ac != bc { return JSONValue.utf8Less(ac, bc) }
            return JSONValue.utf8Less(a["TermsName"]?.stringValue ?? "", b["TermsName"]?.stringValue ?? "")
        }
    }
}
