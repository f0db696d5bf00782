import AWS

/// The fields two configuration records (pool.json, a config.json key, an
/// app client, an identity provider, a resource server, the domain) differ
/// in, as dotted paths: `Policies.PasswordPolicy.MinimumLength`.
///
/// - Objects are walked key by key; a key absent on one side is `null` there.
/// - Arrays named in `keyedArrays` (`SchemaAttributes`, keyed by `Name`) are
///   matched element by element on that key, so one changed attribute shows
///   as `SchemaAttributes[custom:tier].Mutable` and a new one as
///   `SchemaAttributes[custom:tier]` from `null`. Should the key be missing
///   or repeated, the array is compared whole.
/// - Every other array is one value, compared whole and in order (the
///   service returns lists such as `CallbackURLs` as they were set; a
///   reordering is a change the operator made).
/// - Dates and counters that move without a configuration change
///   (`CreationDate`, `LastModifiedDate`, `EstimatedNumberOfUsers`) are never
///   compared, at any depth.
/// - Values compare by value, so a secret recorded as `{"redacted":true}`
///   on both sides is equal.
public enum ConfigurationFields {
    /// Keys never compared, wherever they appear.
    public static let moving: Set<String> = ["CreationDate", "LastModifiedDate", "EstimatedNumberOfUsers"]

    /// Arrays matched element by element, by the name of the key that names an element.
    public static let keyedArrays: [String: String] = ["SchemaAttributes": "Name"]

    /// The changed fields under `path` ("" for the top), in path order.
    public static func compare(_ old: JSONValue?, _ new: JSONValue?, path: String = "") -> [DiffChange.Field] {
        var out: [DiffChange.Field] = []
        walk(old, new, path: path, last: nil, into: &out)
        return out
    }

    private static func walk(_ old: JSONValue?, _ new: JSONValue?, path: String, last: String?, into out: inout [DiffChange.Field]) {
        let a = old ?? .null, b = new ?? .null
        if a == b { return }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.keys).union(y.keys).sorted(by: JSONValue.utf8Less) where !moving.contains(key) {
                walk(x[key], y[key], path: path.isEmpty ? key : "\(path).\(key)", last: key, into: &out)
            }
        case (.array(let x), .array(let y)):
            if let last, let key = keyedArrays[last], let byOld = keyed(x, key), let byNew = keyed(y, key) {
                for name in Set(byOld.keys).union(byNew.keys).sorted(by: JSONValue.utf8Less) {
                    walk(byOld[name], byNew[name], path: "\(path)[\(name)]", last: nil, into: &out)
                }
            } else {
                out.append(.init(field: path, old: a, new: b))
            }
        default:
            out.append(.init(field: path, old: a, new: b))
        }
    }

    /// The elements by their `key`, or nil when one lacks it or two share it.
    private static func keyed(_ elements: [JSONValue], _ key: String) -> [String: JSONValue]? {
        var out: [String: JSONValue] = [:]
        for e in elements {
            guard let name = e[key]?.stringValue, out.index(forKey: name) == nil else { return nil }
            out[name] = e
        }
        return out
    }
}
