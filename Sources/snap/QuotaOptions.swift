import ArgumentParser

/// The quota flags of the commands that call Cognito in bulk (create, restore).
struct QuotaOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Share of each Cognito quota snap may use, 0 < F <= 1 (default: quota_share in snap.toml, else 0.8).", valueName: "F"))
    var quotaShare: Double?

    @Option(help: ArgumentHelp("A raised quota, e.g. UserList=60 or UserCreation=100 (repeatable).", valueName: "CATEGORY=RPS"))
    var quota: [String] = []

    func validate() throws {
        if let f = quotaShare, !(f > 0 && f <= 1) { throw ValidationError("--quota-share \(f): must be > 0 and <= 1") }
        _ = try QuotaOverrides.parse(quota)
    }
}
