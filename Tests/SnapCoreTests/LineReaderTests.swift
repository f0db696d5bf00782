import Foundation
import Testing

@testable import SnapCore

/// A source handing out `data` in chunks of `size` bytes.
private func chunked(_ data: Data, size: Int) -> () throws -> Data? {
    var offset = 0
    return {
        guard offset < data.count else { return nil }
        let end = min(offset + size, data.count)
        defer { offset = end }
        return data.subdata(in: offset..<end)
    }
}

private func allLines(_ data: Data, chunk: Int, max: Int = 1 << 20) throws -> [String] {
    var reader = LineReader(maxLineLength: max, source: chunked(data, size: chunk))
    var lines: [String] = []
    while let line = try reader.next() {
        lines.append(String(decoding: line, as: UTF8.self))
        #expect(reader.lineNumber == lines.count)
    }
    return lines
}

@Suite("LineReader")
struct LineReaderTests {
    static let text = "first\n\nthird line is a bit longer than seven\n{\"a\":1}\n\n\nlast\n"
    static let expected = ["first", "", "third line is a bit longer than seven", "{\"a\":1}", "", "", "last"]

    @Test(arguments: [1, 2, 7, 65536])
    func linesAcrossChunkBoundaries(chunk: Int) throws {
        #expect(try allLines(Data(Self.text.utf8), chunk: chunk) == Self.expected)
    }

    @Test(arguments: [1, 7, 4096, 65536])
    func manyLongLines(chunk: Int) throws {
        let lines = (0..<300).map { i in String(repeating: Character(UnicodeScalar(97 + i % 26)!), count: i * 37 % 5000) }
        let data = Data(lines.map { $0 + "\n" }.joined().utf8)
        #expect(try allLines(data, chunk: chunk) == lines)
    }

    @Test func emptyInputHasNoLines() throws {
        var reader = LineReader(source: chunked(Data(), size: 10))
        #expect(try reader.next() == nil)
        #expect(reader.lineNumber == 0)
        #expect(try reader.next() == nil)
    }

    @Test func onlyNewlines() throws {
        #expect(try allLines(Data("\n\n\n".utf8), chunk: 2) == ["", "", ""])
    }

    @Test func emptyChunksAreSkipped() throws {
        var chunks = [Data("ab".utf8), Data(), Data("c\n".utf8), Data(), Data("d\n".utf8)]
        var reader = LineReader { chunks.isEmpty ? nil : chunks.removeFirst() }
        #expect(try reader.next() == Data("abc".utf8))
        #expect(try reader.next() == Data("d".utf8))
        #expect(try reader.next() == nil)
    }

    @Test(arguments: [1, 3, 65536])
    func overLongLineNamesItsNumber(chunk: Int) throws {
        let data = Data("ok\n\(String(repeating: "x", count: 10))\n\(String(repeating: "y", count: 11))\nafter\n".utf8)
        var reader = LineReader(maxLineLength: 10, source: chunked(data, size: chunk))
        #expect(try reader.next() == Data("ok".utf8))
        #expect(try reader.next()?.count == 10)
        #expect(throws: LineReaderError.lineTooLong(line: 3, limit: 10)) { try reader.next() }
        #expect("\(LineReaderError.lineTooLong(line: 3, limit: 10))".contains("line 3"))
    }

    @Test func overLongLineWithoutNewlineIsCaughtEarly() throws {
        // An endless line must fail once past the limit, not buffer forever.
        var served = 0
        var reader = LineReader(maxLineLength: 1000) {
            served += 1
            return served < 10_000 ? Data(repeating: 0x61, count: 100) : nil
        }
        #expect(throws: LineReaderError.lineTooLong(line: 1, limit: 1000)) { try reader.next() }
        #expect(served < 20)
    }

    @Test(arguments: [1, 2, 7, 65536])
    func missingFinalNewline(chunk: Int) throws {
        var reader = LineReader(source: chunked(Data("a\nb\nc".utf8), size: chunk))
        #expect(try reader.next() == Data("a".utf8))
        #expect(try reader.next() == Data("b".utf8))
        #expect(throws: LineReaderError.missingFinalNewline(line: 3)) { try reader.next() }
        #expect(reader.lineNumber == 2)
    }

    @Test func sourceErrorsPropagate() throws {
        struct Boom: Error {}
        var calls = 0
        var reader = LineReader {
            calls += 1
            if calls == 1 { return Data("a\nb".utf8) }
            throw Boom()
        }
        #expect(try reader.next() == Data("a".utf8))
        #expect(throws: Boom.self) { try reader.next() }
    }
}
