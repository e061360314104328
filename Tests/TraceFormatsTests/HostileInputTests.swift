import Foundation
import TraceModel
import XCTest

@testable import TraceFormats

/// One compact JSON Lines record holding one span named `name`, with an id made from `id`.
private func record(_ id: Int, name: String? = nil) -> String {
    #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"\#(String(format: "%016x", id))","name":"\#(name ?? "span-\(id)")","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]}"#
}

private func names(_ store: SpanStore) -> [String] { store.spans.map { store.string($0.name) } }

/// Writes `data` to a fresh temporary file named `name` and returns its path.
private func temporaryFile(_ name: String, _ data: Data) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try data.write(to: url)
    return url.path
}

/// Gzips `data` with /bin/gzip.
private func gzipped(_ data: Data) throws -> Data {
    let path = try temporaryFile("plain", data)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-c", "-n", path]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return out
}

/// Decodes `bytes` as a stream handed over `piece` bytes at a time, through a window of `capacity`
/// bytes: every token boundary falls on a refill somewhere.
private func decodeTrickled(_ bytes: [UInt8], piece: Int, capacity: Int, into store: inout SpanStore) throws
    -> LoadResult
{
    var offset = 0
    let window = StreamWindow(capacity: capacity) { out, room in
        let n = min(piece, room, bytes.count - offset)
        for i in 0..<n { out[i] = bytes[offset + i] }
        offset += n
        return n
    }
    return try TraceLoader.decode(cursor: JSONCursor(stream: window), name: "t.jsonl", into: &store)
}

final class ByteOrderMarkTests: XCTestCase {
    func testJSONWithBOMIsRead() throws {
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: [0xEF, 0xBB, 0xBF] + Array(record(1).utf8), name: "b.json", into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(names(store), ["span-1"])
    }

    func testJSONLinesWithBOMIsRead() throws {
        var store = SpanStore()
        let text = "\u{FEFF}" + record(1) + "\n" + record(2) + "\n"
        let r = try TraceLoader.decode(bytes: Array(text.utf8), name: "b.jsonl", into: &store)
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(names(store), ["span-1", "span-2"])
    }
}

final class SpanlessInputTests: XCTestCase {
    /// The one line `load` gives for a file holding `text`.
    private func message(_ text: String) throws -> String {
        let path = try temporaryFile("x.json", Data(text.utf8))
        var store = SpanStore()
        do {
            let r = try TraceLoader.load(path: path, into: &store)
            return "loaded \(r.spans) spans"
        } catch let e as LoadError {
            return String(describing: e).replacingOccurrences(of: path, with: "x.json")
        }
    }

    func testEachShapeIsNamed() throws {
        XCTAssertEqual(try message(""), "x.json: empty file: no spans")
        XCTAssertEqual(try message(" \n\t\r\n"), "x.json: only whitespace: no spans")
        XCTAssertEqual(try message("{}"), "x.json: an empty JSON object ({}): no spans")
        XCTAssertEqual(try message("{}\n{}\n"), "x.json: an empty JSON object ({}): no spans")
        XCTAssertEqual(try message("[]"), "x.json: an empty JSON array ([]): no spans")
        XCTAssertEqual(
            try message(#"{"resourceLogs":[{"scopeLogs":[]}]}"#),
            "x.json: OTLP logs (resourceLogs), not traces: no spans")
        XCTAssertEqual(
            try message(#"{"resource_metrics":[]}"# + "\n" + #"{"resourceLogs":[]}"#),
            "x.json: OTLP metrics and logs (resourceMetrics, resourceLogs), not traces: no spans")
        XCTAssertEqual(
            try message(#"{"resourceSpans":[{"scopeSpans":[{"spans":[]}]}]}"#),
            "x.json: OTLP traces whose span lists are empty: no spans")
        XCTAssertEqual(
            try message("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"),
            "x.json: this is an HTML page, not OTLP JSON; no spans; an error page saved in place of the trace? fetch it again"
        )
    }

    func testATopLevelArrayOfNonObjectsIsAnIssue() throws {
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array("[1, 2, 3]".utf8), name: "a.json", into: &store)
        XCTAssertEqual(r.spans, 0)
        XCTAssertEqual(
            r.issues.map(\.description), ["a.json:1:2: expected an OTLP request object in the top-level array (byte 1)"]
        )
    }

    func testALogsLineBesideTracesIsSkippedQuietly() throws {
        var store = SpanStore()
        let text = #"{"resourceLogs":[]}"# + "\n" + record(1) + "\n"
        let r = try TraceLoader.decode(bytes: Array(text.utf8), name: "m.jsonl", into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(r.skippedValues, 1)
        XCTAssertEqual(r.issues, [])
    }
}

final class BrokenJSONLinesTests: XCTestCase {
    private let lines = (1...5).map { record($0) }

    func testLastLineCutShortKeepsTheWholeLines() throws {
        let text = lines[0..<4].joined(separator: "\n") + "\n" + lines[4].prefix(lines[4].count - 30)
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array(text.utf8), name: "rec.jsonl", into: &store)
        XCTAssertEqual(names(store), ["span-1", "span-2", "span-3", "span-4"])
        XCTAssertEqual(r.spans, 4)
        XCTAssertEqual(
            r.issues.map(\.description),
            ["rec.jsonl: line 5 is cut short (the recording was interrupted?); kept the 4 lines before it"])
    }

    /// Wherever the cut falls in the last line (inside a string here, not at a value's end), it is the
    /// same cut-short line.
    func testLastLineCutInsideAStringIsCutShortToo() throws {
        let line5 = lines[4]
        let name = try XCTUnwrap(line5.range(of: "\"span-5\""))
        let text = lines[0..<4].joined(separator: "\n") + "\n" + line5[..<line5.index(name.lowerBound, offsetBy: 4)]
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array(text.utf8), name: "rec.jsonl", into: &store)
        XCTAssertEqual(names(store), ["span-1", "span-2", "span-3", "span-4"])
        XCTAssertEqual(
            r.issues.map(\.description),
            ["rec.jsonl: line 5 is cut short (the recording was interrupted?); kept the 4 lines before it"])
    }

    func testBadMiddleLineKeepsTheLinesAround() throws {
        let bad = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":}]}]}]}"#
        let text = [lines[0], bad, lines[2]].joined(separator: "\n") + "\n"
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array(text.utf8), name: "rec.jsonl", into: &store)
        XCTAssertEqual(names(store), ["span-1", "span-3"])
        XCTAssertEqual(
            r.issues.map(\.description),
            ["rec.jsonl:2:69: expected a string, found '}' (byte \(lines[0].utf8.count + 1 + 68))"])
    }

    func testPrettyDocumentCutShortIsNotCalledALine() throws {
        let pretty = "{\n  \"resourceSpans\": [\n    {\"scopeSpans\": [\n"
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array(pretty.utf8), name: "p.json", into: &store)
        XCTAssertEqual(
            r.issues.map(\.description),
            ["p.json:4:1: unexpected end of input inside an array (byte \(pretty.utf8.count))"])
    }
}

final class StreamingTests: XCTestCase {
    /// Every refill boundary (pieces of 1 to 7 bytes; a window that holds one record, or one that must
    /// let records go and grow for a token) gives the same spans as reading the input whole, and, while
    /// a record fits in the window, the same issues.
    func testTrickledStreamDecodesLikeAWholeBuffer() throws {
        let bad = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":}]}]}]}"#
        let text =
            "\u{FEFF}" + record(1, name: "esc\\u00e9\\n") + "\n" + bad + "\n" + record(3) + "\n"
            + record(4).prefix(90)
        let bytes = Array(text.utf8)
        var whole = SpanStore()
        let expected = try TraceLoader.decode(bytes: bytes, name: "t.jsonl", into: &whole)
        XCTAssertEqual(expected.issues.count, 2)
        for piece in 1...7 {
            var store = SpanStore()
            let r = try decodeTrickled(bytes, piece: piece, capacity: 512, into: &store)
            XCTAssertEqual(names(store), ["esc\u{e9}\n", "span-3"], "piece \(piece)")
            XCTAssertEqual(r.issues, expected.issues, "piece \(piece)")
            var small = SpanStore()
            _ = try decodeTrickled(bytes, piece: piece, capacity: 16, into: &small)
            XCTAssertEqual(names(small), ["esc\u{e9}\n", "span-3"], "piece \(piece), 16-byte window")
        }
    }

    /// A gzip bomb made of concatenated members (64 MiB of blanks inside one request) is decoded
    /// through the stream window, which never grows past its first 4 MiB.
    func testGzipBombIsDecodedInABoundedWindow() throws {
        let body = record(7)
        let open = body.prefix(while: { $0 != "[" }) + "["
        let blanks = try gzipped(Data(repeating: 0x20, count: 1 << 20))
        var data = try gzipped(Data(open.utf8))
        for _ in 0..<64 { data += blanks }
        data += try gzipped(Data(body.dropFirst(open.count).utf8))
        let path = try temporaryFile("bomb.json.gz", data)
        var store = SpanStore()
        let r = try TraceLoader.load(path: path, into: &store)
        XCTAssertEqual(names(store), ["span-7"])
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(r.peakInputBytes, 4 << 20)
    }

    func testTruncatedGzipKeepsTheWholeLines() throws {
        let text = (1...400).map { record($0) }.joined(separator: "\n") + "\n"
        let gz = try gzipped(Data(text.utf8))
        let path = try temporaryFile("cut.jsonl.gz", gz.prefix(gz.count * 3 / 4))
        var store = SpanStore()
        let r = try TraceLoader.load(path: path, into: &store)
        XCTAssertGreaterThan(r.spans, 0)
        XCTAssertEqual(names(store), (1...r.spans).map { "span-\($0)" })
        XCTAssertEqual(
            r.issues.map(\.description),
            [
                "\(path): truncated gzip data after \(gz.count * 3 / 4) compressed bytes; kept the \(r.spans) spans read before"
            ])
    }

    func testTokenLongerThanTheWindowLimitStopsWithItsOffset() throws {
        var offset = 0
        let bytes =
            Array(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":""#.utf8) + Array(repeating: 0x61, count: 100)
        let window = StreamWindow(capacity: 8, maxCapacity: 64) { out, room in
            let n = min(room, bytes.count - offset)
            for i in 0..<n { out[i] = bytes[offset + i] }
            offset += n
            return n
        }
        var store = SpanStore()
        _ = try TraceLoader.decode(cursor: JSONCursor(stream: window), name: "t", into: &store)
        XCTAssertEqual(window.failure, "a single JSON token from byte 52 is longer than 64 bytes; not read further")
    }
}

final class LenientValueTests: XCTestCase {
    func testNumbersWhereStringsBelongAreKeptAsText() throws {
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","name":42,"traceState":true,"attributes":[{"key":"k","value":{"stringValue":{"x":1}}}]}]}]}]}"#
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array(json.utf8), name: "n.json", into: &store)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(names(store), ["42"])
        XCTAssertEqual(store.string(store.spans[0].traceState), "true")
        XCTAssertEqual(store.value(forKey: "k", in: store.spans[0].attributes), .string(0))
    }

    func testValuesNestedPastTheLimitAreMarked() throws {
        let depth = ValueNesting.limit + 10
        let value =
            String(repeating: #"{"arrayValue":{"values":["#, count: depth) + #"{"intValue":"1"}"#
            + String(repeating: "]}}", count: depth)
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","name":"deep","attributes":[{"key":"k","value":\#(value)}]}]}]}]}"#
        var store = SpanStore()
        let r = try TraceLoader.decode(bytes: Array(json.utf8), name: "d.json", into: &store)
        XCTAssertEqual(r.issues, [])
        var v = try XCTUnwrap(store.value(forKey: "k", in: store.spans[0].attributes))
        var levels = 0
        while case .array(let start, let count) = v, count == 1 {
            v = store.arrayValues[Int(start)]
            levels += 1
        }
        XCTAssertEqual(levels, ValueNesting.limit)
        guard case .string(let s) = v else { return XCTFail("\(v)") }
        XCTAssertEqual(store.string(s), "[nested deeper than 64 levels]")
    }
}

final class TimestampTests: XCTestCase {
    /// Negative and huge times are clamped to 0…2^62, so no later difference of times can overflow.
    func testTimesAreClampedToARangeWhoseDifferencesFit() throws {
        let times = [("-5", "-1"), ("9223372036854775807", "0"), ("2000", "1000")]
        let spans = times.enumerated().map { i, t in
            #"{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"000000000000000\#(i + 1)","name":"t","startTimeUnixNano":"\#(t.0)","endTimeUnixNano":"\#(t.1)","events":[{"timeUnixNano":"-7"}]}"#
        }
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
        var store = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "t.json", into: &store)
        XCTAssertEqual(store.spans.map(\.startNanos), [0, 1 << 62, 2000])
        XCTAssertEqual(store.spans.map(\.endNanos), [0, 0, 1000])
        XCTAssertEqual(store.spans.map(\.durationNanos), [0, 0, 0])
        XCTAssertEqual(store.events.map(\.timeNanos), [0, 0, 0])
    }
}
