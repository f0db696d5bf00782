import AWS
import Foundation
import Testing

@testable import SnapCore

/// snap create reads ListUsers pages piece by piece (`JSONReader`,
/// `UserRecord.read(cognito:)`): every page must give what the whole parse
/// (`JSONParser.parse`, then `UserRecord(cognito:)` per item) gives: the
/// same records, the same model errors, the same JSON errors at the same byte.
@Suite struct UserPageReaderTests {
    /// The page as snap read it before: parsed whole, then each item.
    static func whole(_ text: String) -> String {
        let out: JSONValue
        do { out = try JSONParser.parse(bytes: Array(text.utf8)) } catch { return "json: \(error)" }
        let items = out["Users"]?.arrayValue ?? []
        let next = out["PaginationToken"]?.stringValue
        let users = items.map { item -> String in
            do { return String(decoding: try UserRecord(cognito: item).canonicalLine(), as: UTF8.self) } catch { return "model: \(error)" }
        }
        return "\(users) next \(next ?? "-")"
    }

    static func pieces(_ text: String) -> String {
        var r = JSONReader(bytes: Array(text.utf8))
        let page: (users: [Result<UserRecord, ModelError>], next: String?)
        do { page = try CognitoClient.readUserPage(&r, user: UserRecord.read(cognito:)) } catch { return "json: \(error)" }
        let users = page.users.map { item -> String in
            switch item {
            case .success(let u): String(decoding: u.canonicalLine(), as: UTF8.self)
            case .failure(let e): "model: \(e)"
            }
        }
        return "\(users) next \(page.next ?? "-")"
    }

    static let items = [
        #"{"Username":"alice","Attributes":[{"Name":"sub","Value":"s-1"},{"Name":"email","Value":"a@x.com"}],"UserCreateDate":1795747770.316,"UserLastModifiedDate":1795747771,"Enabled":false,"UserStatus":"CONFIRMED","MFAOptions":[]}"#,
        #"{"Username":"Zo\u00eb \"q\"\n","Attributes":[{"Name":"nickname","Value":"two\nlines \ud83d\ude80"},{"Value":"v","Name":"é"}],"MFAOptions":[{"DeliveryMedium":"SMS","AttributeName":"phone_number"}]}"#,
        #"{"Username":"bob","UserAttributes":[{"Name":"a","Value":1},{"Name":"b"},{"Name":"a","Value":"last"}],"Enabled":"yes","UserStatus":7}"#,
        #"{"Username":"both","Attributes":"no","UserAttributes":[{"Name":"x","Value":"y"}]}"#,
        #"{"Username":"both2","UserAttributes":[{"Name":"x","Value":"y"}],"Attributes":[{"Name":"z","Value":"w"}]}"#,
        #"{"Username":"dates","UserCreateDate":"1795747770","UserLastModifiedDate":-1.5e3,"Other":{"deep":[1,2,{"x":null}]}}"#,
        #"{"Username":"noname","Attributes":[{"Value":"v"}]}"#,
        #"{"Username":"notobj","Attributes":[["Name","x"]]}"#,
        #"{"Username":"namenum","Attributes":[{"Name":5,"Value":"v"}]}"#,
        #"{"Username":5}"#, #"{}"#, #"[]"#, #""x""#, "null",
        #"{ "Username" : "spaced" , "Attributes" : [ { "Name" : "a" , "Value" : "b" } ] }"#,
    ]

    @Test func validPagesReadTheSame() {
        var pages = Self.items.map { #"{"Users":[\#($0)],"PaginationToken":"tok"}"# }
        pages.append(#"{"Users":[\#(Self.items.joined(separator: ","))]}"#)
        pages += [
            #"{}"#, #"{"Users":[]}"#, #"{"Users":{"a":1},"PaginationToken":5}"#, #"[1,2]"#, #" {"PaginationToken":"p","Users":[]} "#,
            #"{"Users":null,"Other":[{"Users":[1]}]}"#,
        ]
        for page in pages {
            #expect(Self.pieces(page) == Self.whole(page), "\(page)")
        }
        #expect(Self.pieces(pages[0]).contains("a@x.com") && Self.pieces(pages[0]).hasSuffix("next tok"))
    }

    /// Broken pages: every prefix of a page, and pages with one byte changed, refused (or not) alike.
    @Test func brokenPagesAreRefusedAlike() {
        let page = #"{"Users":[\#(Self.items.prefix(6).joined(separator: ","))],"PaginationToken":"tok"}"#
        let bytes = Array(page.utf8)
        for n in 0..<bytes.count {
            let cut = String(decoding: bytes[..<n], as: UTF8.self)
            #expect(Self.pieces(cut) == Self.whole(cut), "\(cut)")
        }
        let swaps: [UInt8] = Array(#"{}[]",:\ 0a"#.utf8) + [0x00, 0xFF]
        for (n, b) in bytes.enumerated() where n % 3 == 0 {
            for s in swaps where s != b {
                var broken = bytes
                broken[n] = s
                let text = String(decoding: broken, as: UTF8.self)
                #expect(Self.pieces(text) == Self.whole(text), "\(text)")
            }
        }
        for dup in [
            #"{"Users":[{"Username":"a","Username":"b"}]}"#, #"{"Users":[{"Username":"a","Attributes":[{"Name":"x","Name":"y"}]}]}"#,
            #"{"Users":[],"Users":[]}"#, #"{"Users":[{"Username":"a","Other":1,"Other":2}]}"#,
            String(repeating: "[", count: 300), #"{"Users":[{"Username":"a","Other":"# + String(repeating: "[", count: 300) + "}]}",
        ] {
            #expect(Self.pieces(dup).hasPrefix("json: "), "\(dup)")
            #expect(Self.pieces(dup) == Self.whole(dup), "\(dup)")
        }
    }
}
