import AWS
import Foundation
import Testing

@testable import SnapCore

/// Equal bytes are skipped unparsed; lines from other writers, equal in value
/// but not in bytes, take the slower path and still compare by value.
@Suite struct DiffNonCanonicalTests {
    static let canonical = """
        {"attributes":{"email":"a@x","sub":"1"},"enabled":true,"status":"CONFIRMED","username":"a"}
        {"attributes":{"email":"b@x","sub":"2"},"enabled":true,"status":"CONFIRMED","username":"b"}
        {"attributes":{"email":"c@x","sub":"3"},"enabled":false,"status":"CONFIRMED","username":"c"}

        """
    /// The same records as another writer might put them: keys reversed, spaces, escapes.
    static let other = """
        { "username" : "a", "status": "CONFIRMED", "enabled": true, "attributes": {"sub": "1", "email": "a@x"} }
        {"username":"\\u0062","status":"CONFIRMED","enabled":true,"attributes":{"sub":"2","email":"b\\u0040x"}}
        {"username":"c","status":"CONFIRMED","enabled":false,"attributes":{"sub":"3","email":"c@x"}}

        """

    @Test func equalValuesInOtherBytesAreNoChange() throws {
        let dir = try TempDir()
        let a = try dir.write("a.jsonl", Self.canonical)
        let b = try dir.write("b.jsonl", Self.other)
        #expect(try DiffEngine().diff(old: [.users: a], new: [.users: b]).isEmpty)
        #expect(try DiffEngine().diff(old: [.users: b], new: [.users: a]).isEmpty)
    }

    @Test func realChangesInOtherBytesAreFound() throws {
        let dir = try TempDir()
        let a = try dir.write("a.jsonl", Self.canonical)
        let changed = Self.other.replacingOccurrences(of: #""enabled":false"#, with: #""enabled":true"#)
            .replacingOccurrences(of: #""sub": "1""#, with: #""sub": "9""#)
        let b = try dir.write("b.jsonl", changed)
        var out: [String] = []
        let t = try DiffEngine().diff(old: [.users: a], new: [.users: b]) { out.append($0.text) }
        #expect(t.users == .init(added: 0, removed: 0, changed: 2))
        #expect(out == [#"~ user a: attributes.sub "1" -> "9""#, "~ user c: enabled false -> true"])
    }

    @Test func aMalformedLineIsNamedWithFileAndLine() throws {
        let dir = try TempDir()
        let a = try dir.write("a.jsonl", Self.canonical)
        let b = try dir.write("b.jsonl", Self.canonical.replacingOccurrences(of: #""username":"b"}"#, with: #""username":"b""#))
        #expect {
            try DiffEngine().diff(old: [.users: a], new: [.users: b])
        } throws: { error in
            let text = "\(error)"
            return text.contains(b) && text.contains("line 2") && text.contains("users.jsonl")
        }
    }
}
