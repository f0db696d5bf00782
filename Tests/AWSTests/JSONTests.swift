import Foundation
import Testing

@testable import AWS

@Suite struct JSONTests {
    @Test func canonicalFormSortsKeysBytewiseAndEscapesOnlyWhatJSONRequires() throws {
        let v: JSONValue = ["b": 1, "a": ["z": true, "Z": .null], "é": "x", "s": "q\"b\\n\n\t\u{01}/é😀"]
        #expect(v.canonicalString() == #"{"a":{"Z":null,"z":true},"b":1,"s":"q\"b\\n\n\t\u0001/é😀","é":"x"}"#)
    }

    @Test func roundTripsUnicodeEscapesAndNumbersExactly() throws {
        let text = #"{"n":1795747770.316,"big":12345678901234567890,"e":"\u00e9\ud83d\ude00","neg":-0.5e-3,"arr":[1,"2",false,null,{}]}"#
        let v = try JSONParser.parse(text)
        #expect(v["e"]?.stringValue == "é😀")
        #expect(v["big"] == .number("12345678901234567890"))
        #expect(try JSONParser.parse(v.canonicalString()) == v)
        #expect(v.canonicalString().contains("1795747770.316"))
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "[1,]", "{\"a\":1,}", "01", "1.", "\"\\x\"", "\"\u{01}\"", "tru", "{\"a\":1}x", "\"\\ud800\"",
        "{\"a\":1,\"a\":2}", "[\"unterminated",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func errorSaysWhere() {
        do {
            _ = try JSONParser.parse("{\"a\": tx}")
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 7)  // the first byte that cannot be "true"
        }
    }
}
