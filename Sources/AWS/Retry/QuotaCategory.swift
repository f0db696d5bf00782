/// Cognito's request-rate quota categories (per account and region), with
/// their default rates. The SPEC's table; snap paces itself per category.
public enum QuotaCategory: String, Sendable, CaseIterable {
    case userList = "UserList"
    case userCreation = "UserCreation"
    case userUpdate = "UserUpdate"
    /// Operations that recover an account or change or set a password (AdminSetUserPassword): the
    /// quotas page's "Operations that recover a user's account, or change or update a user's password."
    case userAccountRecovery = "UserAccountRecovery"
    case userResourceUpdate = "UserResourceUpdate"
    case userRead = "UserRead"
    case userPoolRead = "UserPoolRead"
    case userPoolResourceRead = "UserPoolResourceRead"
    case userPoolResourceUpdate = "UserPoolResourceUpdate"
    /// ListUserPoolClients and DescribeUserPoolClient: the quotas page's own category for reading app clients.
    case userPoolClientRead = "UserPoolClientRead"
    /// CreateUserPoolClient (restore --create-pool): the quotas page's "Operations that create, update, and
    /// delete your user pool clients", 15/s, each operation capped at 5/s per pool.
    case userPoolClientUpdate = "UserPoolClientUpdate"
    /// AdminLinkProviderForUser: the quotas page's category for operations that link and unlink
    /// federated users (an assumption as to its name and 25/s default: DESIGN.md, "Quota categories").
    case userFederation = "UserFederation"

    public var defaultRPS: Double {
        switch self {
        case .userList: 30
        case .userCreation: 50
        case .userUpdate: 25
        case .userAccountRecovery: 30
        case .userResourceUpdate: 25
        case .userRead: 120
        case .userPoolRead: 15
        case .userPoolResourceRead: 20
        case .userPoolResourceUpdate: 15
        case .userPoolClientRead: 15
        case .userPoolClientUpdate: 15
        case .userFederation: 25
        }
    }

    /// The cap on any one operation of the category, per user pool: the quotas
    /// page caps each operation of UserPoolResourceRead and UserPoolResourceUpdate
    /// at 5 requests per second per user pool, whatever the category's budget
    /// (issue 20, item 10). UserPoolClientRead is capped the same way: an assumption (DESIGN.md,
    /// "Quota categories"), the pace it costs being small. nil: no per-operation cap.
    public var perOperationRPS: Double? {
        switch self {
        case .userPoolResourceRead, .userPoolResourceUpdate, .userPoolClientRead, .userPoolClientUpdate: 5
        default: nil
        }
    }

    /// Case-insensitive lookup by the SPEC's name, for `--quota CATEGORY=RPS`.
    public init?(name: String) {
        guard let c = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = c
    }
}
