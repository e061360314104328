import XCTest

@testable import TraceFormats

/// A fixed-seed generator (SplitMix64), so that a failing input comes back on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let quote = UInt8(ascii: "\"")

/// `n` letters, so that no quote or backslash sits among them.
private func letters(_ n: Int, from first: Character = "a") -> [UInt8] {
    (0..<n).map { first.asciiValue! + UInt8($0 % 26) }
}

/// A cursor over the whole of `bytes`, handed to `body`.
private func withCursor<R>(_ bytes: [UInt8], _ body: (inout JSONCursor) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { buffer in
        var cursor = JSONCursor(buffer)
        return try body(&cursor)
    }
}

/// A cursor over `bytes` read as a stream through a 64-byte window, fed `piece` bytes at a time (a
/// piece size of 0 feeds 1 to 9 bytes by turns), so that tokens cross refills everywhere.
private func trickledCursor(_ bytes: [UInt8], piece: Int) -> JSONCursor {
    var offset = 0
    var turn = 0
    let window = StreamWindow(capacity: 64) { out, room in
        turn += 1
        let n = min(piece > 0 ? piece : 1 + turn % 9, room, bytes.count - offset)
        for i in 0..<n { out[i] = bytes[offset + i] }
        offset += n
        return n
    }
    return JSONCursor(stream: window)
}

/// What `rawString` returned, copied out of the input (its bytes are valid only until the next read).
private struct Scanned: Equatable {
    var bytes: [UInt8]
    var escaped: Bool
    var next: Int
}

private func scan(_ bytes: [UInt8]) throws -> Scanned {
    try withCursor(bytes) { cursor in
        let (raw, escaped) = try cursor.rawString()
        return Scanned(bytes: Array(raw), escaped: escaped, next: cursor.pos)
    }
}

/// The error `body` throws, or a failure when it throws none.
private func syntaxError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line)
    -> JSONSyntaxError?
{
    do {
        try body()
        XCTFail("no error thrown", file: file, line: line)
    } catch let error as JSONSyntaxError {
        return error
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
    return nil
}

/// One key and its value as read from a test document: the value's raw bytes and escaped flag, or
/// nil for an array skipped with `skipValue`.
private struct Entry: Equatable {
    var key: [UInt8]
    var value: [UInt8]?
    var escaped: Bool
}

/// Reads a document that is an array of objects whose values are strings or arrays (skipped).
private func readEntries(_ cursor: inout JSONCursor) throws -> [Entry] {
    var entries: [Entry] = []
    var firstObject = true
    guard try cursor.beginArray() else { return entries }
    while try cursor.nextElement(&firstObject) {
        var firstKey = true
        guard try cursor.beginObject() else { continue }
        while let key = try cursor.nextKey(&firstKey) {
            let name = Array(UnsafeBufferPointer(start: key.base, count: key.count))
            if cursor.peek() == UInt8(ascii: "[") {
                try cursor.skipValue()
                entries.append(Entry(key: name, value: nil, escaped: false))
            } else {
                let (raw, escaped) = try cursor.rawString()
                entries.append(Entry(key: name, value: Array(raw), escaped: escaped))
            }
        }
    }
    return entries
}

/// The string scans (`rawString`, the key scan in `nextKey`, `skipValue`) compare 32 bytes at a time
/// and fall back to single bytes for the last 31 of the window: these put quotes and backslashes on
/// every offset around those boundaries and check the exact bytes, flags and error offsets.
final class JSONCursorScanTests: XCTestCase {
    /// The closing quote at offsets 0..<70, with 0 to 70 bytes after it (more quotes) so that the
    /// quote is found by a vector, by the byte tail, or right at the end of the buffer.
    func testClosingQuoteAtEveryOffset() throws {
        for n in 0..<70 {
            for after in [0, 1, 30, 31, 32, 33, 70] {
                let content = letters(n)
                let doc = [quote] + content + [quote] + Array(repeating: quote, count: after)
                XCTAssertEqual(
                    try scan(doc), Scanned(bytes: content, escaped: false, next: n + 2), "length \(n), \(after) after")
            }
        }
    }

    /// Each escape at offsets 0..<70 with 0 to 33 bytes before the closing quote, and 0 or 40 bytes
    /// after it (so short strings are also read by the byte tail): a backslash as the last byte of a
    /// vector with the byte it escapes (a quote, a backslash) first in the next, and `\\` right
    /// before the closing quote, which then ends the string.
    func testEscapeAtEveryOffset() throws {
        for escape in [#"\""#, #"\\"#, #"\n"#, #"\u0041"#, #"\\\""#] {
            for n in 0..<70 {
                for after in [0, 1, 15, 16, 31, 32, 33] {
                    for trailing in [0, 40] {
                        let content = letters(n) + Array(escape.utf8) + letters(after, from: "A")
                        let doc = [quote] + content + [quote] + Array(repeating: quote, count: trailing)
                        XCTAssertEqual(
                            try scan(doc), Scanned(bytes: content, escaped: true, next: content.count + 2),
                            "\(escape) at \(n), \(after) after, \(trailing) trailing")
                    }
                }
            }
        }
    }

    /// Unescaping copies the runs between backslashes whole: every escape, at every offset of a run,
    /// alone, repeated, or next to another, decodes to its character.
    func testUnescapedRunsAroundEveryEscape() throws {
        let escapes = [
            (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\n"#, "\n"), (#"\t"#, "\t"), (#"\r"#, "\r"),
            (#"\u00e9"#, "é"), (#"\ud83d\ude00"#, "😀"), (#"\n\n"#, "\n\n"),
        ]
        for (escape, decoded) in escapes {
            for n in 0..<40 {
                for after in [0, 1, 17] {
                    let before = String(decoding: letters(n), as: UTF8.self)
                    let tail = String(decoding: letters(after, from: "A"), as: UTF8.self)
                    let doc = Array(("\"" + before + escape + tail + escape + "\"").utf8)
                    let text = try withCursor(doc) { try $0.string() }
                    XCTAssertEqual(text, before + decoded + tail + decoded, "\(escape) after \(n), then \(after)")
                }
            }
        }
    }

    /// A string running to the end of the buffer fails at its first byte, also when its last byte
    /// is a backslash or an escaped quote.
    func testUnterminatedStringFailsWhereItStarts() {
        for n in 0..<70 {
            for ending in ["", #"\"#, #"\""#, #"\\\""#] {
                let doc = Array(#"  ""#.utf8) + letters(n) + Array(ending.utf8)
                let error = syntaxError { _ = try withCursor(doc) { try $0.rawString() } }
                XCTAssertEqual(error?.offset, 3, "length \(n) ending \(ending)")
                XCTAssertEqual(error?.message, "unterminated string")
            }
        }
    }

    /// Keys of every length 0..<70, plain and with an escaped quote, and an unterminated key, which
    /// fails at the end of the input.
    func testKeysAtEveryLength() throws {
        for n in 0..<70 {
            for key in [letters(n), letters(n / 2) + Array(#"\""#.utf8) + letters(n - n / 2)] {
                let doc =
                    Array(#"[{""#.utf8) + key + Array(#"":"v","#.utf8) + [quote] + key + Array(#"":["\"]"]}]"#.utf8)
                let entries = try withCursor(doc) { try readEntries(&$0) }
                XCTAssertEqual(
                    entries,
                    [
                        Entry(key: key, value: Array("v".utf8), escaped: false),
                        Entry(key: key, value: nil, escaped: false),
                    ], "key length \(key.count)")
            }
            for ending in ["", #"\"#, #"\""#] {
                let doc = Array(#"{""#.utf8) + letters(n) + Array(ending.utf8)
                let error = syntaxError {
                    var first = true
                    _ = try withCursor(doc) { cursor in
                        _ = try cursor.beginObject()
                        return try cursor.nextKey(&first)
                    }
                }
                XCTAssertEqual(error?.offset, doc.count, "length \(n) ending \(ending)")
                XCTAssertEqual(error?.message, "unterminated key")
            }
        }
    }

    /// Random keys, string values and skipped arrays of strings, full of quotes, backslashes and
    /// brackets, read over the whole buffer and through a 64-byte window fed a few bytes at a time,
    /// so that strings and escapes cross refills at every offset.
    func testStringsAcrossRefillsOfASmallWindow() throws {
        var rng = SeededGenerator(state: 42)
        let plain = Array(#"abcxyz {}[]:,/é"#.utf8)
        let escapes = [#"\""#, #"\\"#, #"\/"#, #"\n"#, #"\u00e9"#]
        func randomString(_ maxLength: Int) -> (bytes: [UInt8], escaped: Bool) {
            var bytes: [UInt8] = []
            var escaped = false
            for _ in 0..<Int.random(in: 0...maxLength, using: &rng) {
                if Int.random(in: 0..<8, using: &rng) == 0 {
                    bytes += Array(escapes.randomElement(using: &rng)!.utf8)
                    escaped = true
                } else {
                    bytes.append(plain.randomElement(using: &rng)!)
                }
            }
            return (bytes, escaped)
        }
        var doc = Array("[".utf8)
        var expected: [Entry] = []
        for object in 0..<300 {
            doc += Array((object == 0 ? "{" : ",{").utf8)
            for field in 0..<Int.random(in: 1...3, using: &rng) {
                let key = randomString(40).bytes
                doc += Array((field == 0 ? "\"" : ",\"").utf8) + key + Array("\":".utf8)
                if Bool.random(using: &rng) {
                    let value = randomString(150)
                    doc += [quote] + value.bytes + [quote]
                    expected.append(Entry(key: key, value: value.bytes, escaped: value.escaped))
                } else {
                    let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                        [quote] + randomString(80).bytes + [quote]
                    }
                    doc += Array("[".utf8) + Array(items.joined(separator: Array(",".utf8))) + Array("]".utf8)
                    expected.append(Entry(key: key, value: nil, escaped: false))
                }
            }
            doc += Array("}".utf8)
        }
        doc += Array("]".utf8)

        XCTAssertEqual(try withCursor(doc) { try readEntries(&$0) }, expected)
        for piece in [0, 1, 2, 3, 5, 7, 13, 31, 32, 33, 64] {
            var cursor = trickledCursor(doc, piece: piece)
            XCTAssertEqual(try readEntries(&cursor), expected, "pieces of \(piece)")
            XCTAssertTrue(cursor.atEnd)
        }
    }

    /// A string cut off inside the stream fails where it starts, whatever the refills in between.
    func testUnterminatedStringInAStreamFailsWhereItStarts() {
        for n in [0, 1, 31, 32, 63, 64, 65, 200] {
            for ending in ["", #"\"#, #"\""#] {
                let doc = Array(#"   ""#.utf8) + letters(n) + Array(ending.utf8)
                for piece in [1, 5, 64] {
                    var cursor = trickledCursor(doc, piece: piece)
                    let error = syntaxError { _ = try cursor.rawString() }
                    XCTAssertEqual(error?.offset, 4, "length \(n) ending \(ending), pieces of \(piece)")
                    XCTAssertEqual(error?.message, "unterminated string")
                }
            }
        }
    }
}
