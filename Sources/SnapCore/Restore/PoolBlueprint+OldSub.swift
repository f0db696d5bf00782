import AWS
import Foundation

/// `restore --create-pool NAME --keep-old-sub custom:NAME`: the new pool gets the custom attribute the
/// old subs go into. A String, mutable (AdminLinkProviderForUser refuses users with an immutable custom
/// attribute, and an operator may want to clear it once applications moved to the new subs), 0 to 2048
/// characters: CreateUserPool's default for a String attribute, so it holds a sub (36) and whatever a
/// snapshot user had in an attribute of that name.
extension PoolBlueprint {
    /// The schema entry CreateUserPool takes (NAME without `custom:`).
    static func oldSubSchemaAttribute(_ name: String) -> JSONValue {
        [
            "Name": .string(String(name.dropFirst(7))), "AttributeDataType": "String", "Mutable": true,
            "StringAttributeConstraints": ["MinLength": "0", "MaxLength": "2048"],
        ]
    }

    /// Adds `custom:NAME` to `request`'s Schema, unless the snapshot's pool has it already (its own
    /// definition is kept then; the pre-checks say whether it can hold a sub).
    public mutating func addOldSubAttribute(_ name: String) {
        guard var o = request.objectValue else { return }
        var schema = o["Schema"]?.arrayValue ?? []
        let bare = String(name.dropFirst(7))
        guard !schema.contains(where: { $0["Name"]?.stringValue == bare }) else { return }
        schema.append(Self.oldSubSchemaAttribute(name))
        o["Schema"] = .array(schema)
        request = .object(o)
        notes.append("--keep-old-sub: the new pool's schema gets \(name) (String, mutable, up to 2048 characters) for the old subs")
    }

    /// A dry run checks against the snapshot's own pool.json (the new pool does not exist): that pool
    /// as DescribeUserPool would show it once `addOldSubAttribute` added `name`.
    public static func withOldSubAttribute(_ pool: JSONValue, _ name: String) -> JSONValue {
        guard var o = pool.objectValue else { return pool }
        var schema = o["SchemaAttributes"]?.arrayValue ?? []
        guard !schema.contains(where: { $0["Name"]?.stringValue == name }) else { return pool }
        var a = oldSubSchemaAttribute(name).objectValue ?? [:]
        a["Name"] = .string(name)
        schema.append(.object(a))
        o["SchemaAttributes"] = .array(schema)
        return .object(o)
    }
}
