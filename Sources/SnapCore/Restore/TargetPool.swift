import AWS

/// What of a pool's configuration decides whether a snapshot fits into it:
/// read from a DescribeUserPool `UserPool` object (the target's live one, or
/// a snapshot's pool.json).
public struct PoolConfiguration: Sendable {
    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var dataType: String
        public var mutable: Bool
        public var required: Bool
        public var minLength: Int?
        public var maxLength: Int?
        public var minValue: Double?
        public var maxValue: Double?
    }

    public var id: String
    /// `email` and/or `phone_number`: users sign in with that value and get a UUID username.
    public var usernameAttributes: [String]
    public var aliasAttributes: [String]
    /// Attributes Cognito verifies itself: an import job needs one, and each imported user it verified.
    public var autoVerifiedAttributes: [String]
    public var caseSensitive: Bool
    public var schema: [String: Attribute]
    public var passwordPolicy: PasswordPolicy
    /// OFF, ON (every user must use MFA: an import CSV's `cognito:mfa_enabled` is true) or OPTIONAL.
    public var mfaConfiguration: String

    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN); empty when absent.
    public var firstAuthFactors: [String] = []

    /// AdminCreateUser, as snap sends it (no TemporaryPassword), needs an email or phone_number here:
    /// "These attributes must be provided when passwordless options are the only available, or when
    /// you don't submit a TemporaryPassword" (AdminCreateUser; issue 20, item 12).
    public var createNeedsEmailOrPhone: Bool {
        let f = Set(firstAuthFactors)
        return (!f.isEmpty && !f.contains("PASSWORD")) || !f.isDisjoint(with: ["EMAIL_OTP", "SMS_OTP"])
    }

    public init(pool: JSONValue) {
        id = pool["Id"]?.stringValue ?? ""
        mfaConfiguration = pool["MfaConfiguration"]?.stringValue ?? "OFF"
        usernameAttributes = (pool["UsernameAttributes"]?.arrayValue ?? []).compactMap(\.stringValue)
        aliasAttributes = (pool["AliasAttributes"]?.arrayValue ?? []).compactMap(\.stringValue)
        autoVerifiedAttributes = (pool["AutoVerifiedAttributes"]?.arrayValue ?? []).compactMap(\.stringValue)
        // Pools made before UsernameConfiguration existed are case sensitive.
        caseSensitive = pool["UsernameConfiguration"]?["CaseSensitive"]?.boolValue ?? true
        var schema: [String: Attribute] = [:]
        for a in pool["SchemaAttributes"]?.arrayValue ?? [] {
            guard let name = a["Name"]?.stringValue else { continue }
            let s = a["StringAttributeConstraints"], n = a["NumberAttributeConstraints"]
            schema[name] = Attribute(
                name: name, dataType: a["AttributeDataType"]?.stringValue ?? "String",
                mutable: a["Mutable"]?.boolValue ?? true, required: a["Required"]?.boolValue ?? false,
                minLength: Self.number(s?["MinLength"]).map { Int($0) }, maxLength: Self.number(s?["MaxLength"]).map { Int($0) },
                minValue: Self.number(n?["MinValue"]), maxValue: Self.number(n?["MaxValue"]))
        }
        self.schema = schema
        passwordPolicy = PasswordPolicy(json: pool["Policies"]?["PasswordPolicy"])
        firstAuthFactors = (pool["Policies"]?["SignInPolicy"]?["AllowedFirstAuthFactors"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// Cognito writes these constraints as strings ("2048"); tolerate numbers too.
    private static func number(_ v: JSONValue?) -> Double? {
        if let s = v?.stringValue { return Double(s) }
        return v?.doubleValue
    }
}

/// The target's password policy, and passwords that satisfy it.
public struct PasswordPolicy: Sendable, Equatable {
    public var minimumLength: Int
    public var requireUppercase: Bool
    public var requireLowercase: Bool
    public var requireNumbers: Bool
    public var requireSymbols: Bool

    public init(
        minimumLength: Int = 8, requireUppercase: Bool = true, requireLowercase: Bool = true, requireNumbers: Bool = true,
        requireSymbols: Bool = true
    ) {
        self.minimumLength = minimumLength
        self.requireUppercase = requireUppercase
        self.requireLowercase = requireLowercase
        self.requireNumbers = requireNumbers
        self.requireSymbols = requireSymbols
    }

    public init(json: JSONValue?) {
        self.init(
            minimumLength: json?["MinimumLength"]?.intValue ?? 8, requireUppercase: json?["RequireUppercase"]?.boolValue ?? true,
            requireLowercase: json?["RequireLowercase"]?.boolValue ?? true, requireNumbers: json?["RequireNumbers"]?.boolValue ?? true,
            requireSymbols: json?["RequireSymbols"]?.boolValue ?? true)
    }

    static let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let lower = Array("abcdefghijklmnopqrstuvwxyz")
    static let digits = Array("0123456789")
    // Cognito's accepted special characters, less quotes and backslash so the value never needs escaping anywhere.
    static let symbols = Array("^$*.[]{}()?!@#%&/,><:;|_~=+-")

    /// A password nobody knows: 32 characters or the policy's minimum, from the system's
    /// cryptographic generator, one of every required class included. It is never stored or shown.
    public func randomPassword() -> String {
        var rng = SystemRandomNumberGenerator()
        let length = min(256, max(32, minimumLength))
        var chars: [Character] = [
            Self.upper.randomElement(using: &rng)!, Self.lower.randomElement(using: &rng)!,
            Self.digits.randomElement(using: &rng)!, Self.symbols.randomElement(using: &rng)!,
        ]
        let all = Self.upper + Self.lower + Self.digits + Self.symbols
        while chars.count < length { chars.append(all.randomElement(using: &rng)!) }
        chars.shuffle(using: &rng)
        let password = String(chars)
        assert(accepts(password), "a generated password breaks the pool's own policy")
        return password
    }

    /// Whether `password` meets this policy (the generator's postcondition).
    public func accepts(_ password: String) -> Bool {
        password.count >= minimumLength
            && (!requireUppercase || password.contains { Self.upper.contains($0) })
            && (!requireLowercase || password.contains { Self.lower.contains($0) })
            && (!requireNumbers || password.contains { Self.digits.contains($0) })
            && (!requireSymbols || password.contains { Self.symbols.contains($0) })
    }
}
