import Foundation
import TraceModel
import XCTest

@testable import TraceFormats

/// Large files, read through windows and, as JSON Lines, decoded in pieces on several cores, must
/// store exactly what the bytes decoded whole store; any input the cuts could split wrongly must be
/// decoded in one pass, with the same errors.
final class LargeFileTests: XCTestCase {
    static let multiTrace = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-traces/multi-trace.jsonl")

    /// Every span as text: ids, name, times, status, its resource, scope, source, attributes (nested
    /// values included), events and links, so two stores compare by content, not by string ids.
    func describe(_ store: SpanStore) -> [String] {
        func attributes(_ r: PoolRange) -> String {
            store.attributes[r.range].map { "\(store.string($0.key))=\(store.text($0.value))" }.joined(separator: ",")
        }
        return store.spans.map { s in
            let resource = store.resources[Int(s.resource)]
            let scope = store.scopes[Int(s.scope)]
            let events = store.events[s.events.range].map {
                "\(store.string($0.name))@\($0.timeNanos)[\(attributes($0.attributes))]"
            }
            let links = store.links[s.links.range].map {
                "\($0.traceID.hex)/\($0.spanID)[\(attributes($0.attributes))]"
            }
            return [
                s.traceID.hex, String(s.spanID), String(s.parentSpanID), store.string(s.name),
                "\(s.startNanos)-\(s.endNanos)",
                s.status.name, s.kind.name, store.string(s.statusMessage), store.string(resource.serviceName),
                attributes(resource.attributes), store.string(scope.name), store.string(scope.version),
                store.sources[Int(s.source)], attributes(s.attributes), events.joined(separator: ";"),
                links.joined(separator: ";"),
            ].joined(separator: " | ")
        }
    }

    /// A temporary file holding `text`.
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "tracetui-large-\(UUID().uuidString).jsonl"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func decodeLarge(_ path: String, cores: Int, into store: inout SpanStore) throws -> LoadResult {
        let input = try InputFile(path: path, name: "m.jsonl")
        return try TraceLoader.decodeLargeFile(
            input, head: input.next(atMost: 1 << 16), name: "m.jsonl", into: &store, progress: nil, cores: cores)
    }

    func testPiecesStoreWhatOnePassStores() throws {
        let bytes = Array(try Data(contentsOf: Self.multiTrace))
        var onePass = SpanStore()
        let whole = try TraceLoader.decode(bytes: bytes, name: "m.jsonl", into: &onePass)
        for cores in [1, 2, 3] {
            let input = try InputFile(path: Self.multiTrace.path, name: "m.jsonl")
            XCTAssertEqual(try TraceLoader.recordCuts(input, pieces: cores).count, cores + 1)
            var pieces = SpanStore()
            let result = try decodeLarge(Self.multiTrace.path, cores: cores, into: &pieces)
            XCTAssertEqual(result.spans, 17)
            XCTAssertEqual(result.spans, whole.spans)
            XCTAssertEqual(result.issues, [])
            XCTAssertEqual(pieces.sources, ["m.jsonl"])
            XCTAssertEqual(describe(pieces), describe(onePass), "\(cores) pieces")
        }
    }

    /// Through `load`, a file past `largeFileBytes`: the same spans as the bytes decoded whole.
    func testALargeFileLoadsAsItsBytesDecode() throws {
        let text = try String(contentsOf: Self.multiTrace, encoding: .utf8)
        let big = String(repeating: text, count: TraceLoader.largeFileBytes / text.utf8.count + 1)
        let path = try file(big)
        var loaded = SpanStore()
        let result = try TraceLoader.load(path: path, into: &loaded)
        var decoded = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(big.utf8), name: path, into: &decoded)
        XCTAssertEqual(result.spans, 17 * (TraceLoader.largeFileBytes / text.utf8.count + 1))
        XCTAssertEqual(describe(loaded), describe(decoded))
    }

    /// Appended after another file's spans: the earlier spans stay first, each with its own source.
    func testPiecesAppendAfterSpansAlreadyLoaded() throws {
        let bytes = Array(try Data(contentsOf: Self.multiTrace))
        var expected = SpanStore()
        var store = SpanStore()
        _ = try TraceLoader.decode(bytes: bytes, name: "first.jsonl", into: &expected)
        _ = try TraceLoader.decode(bytes: bytes, name: "m.jsonl", into: &expected)
        _ = try TraceLoader.decode(bytes: bytes, name: "first.jsonl", into: &store)
        XCTAssertEqual(try decodeLarge(Self.multiTrace.path, cores: 2, into: &store).spans, 17)
        XCTAssertEqual(store.sources, ["first.jsonl", "m.jsonl"])
        XCTAssertEqual(describe(store), describe(expected))
    }

    /// A cut inside a record (a document with a line that starts with `{`), an error in a piece, or a
    /// piece without spans: the pieces are not kept, and the file is decoded in one pass, with the
    /// spans, lines and offsets of the bytes decoded whole.
    func testInputsThatCannotBeCutAreDecodedInOnePass() throws {
        let line = try String(contentsOf: Self.multiTrace, encoding: .utf8).split(separator: "\n")[0]
        let spans = line.range(of: #""spans":["#)!
        let document = line[..<spans.upperBound] + "\n" + line[spans.upperBound...]
        let broken = line + "\n" + line.dropLast(5) + "\n" + line + "\n" + line + "\n"
        let metricsFirst = #"{"resourceMetrics":[]}"# + "\n" + line + "\n"
        for (what, text) in [("document", String(document)), ("error", broken), ("no spans", metricsFirst)] {
            try assertDecodedInOnePass(text, cutAs: .records, what)
        }
    }

    /// `text` cut as `shape` is not kept in pieces (the store left untouched), and a large file's load
    /// of it stores the spans, errors and lines of one pass over its bytes.
    func assertDecodedInOnePass(
        _ text: String, cutAs shape: TraceLoader.PieceShape, _ what: String, line: UInt = #line
    ) throws {
        let path = try file(text)
        var store = SpanStore()
        XCTAssertNil(try decodePieces(path, shape, cores: 2, into: &store), what, line: line)
        XCTAssertTrue(store.spans.isEmpty, what, line: line)
        let result = try decodeLarge(path, cores: 2, into: &store)
        var whole = SpanStore()
        let expected = try TraceLoader.decode(bytes: Array(text.utf8), name: "m.jsonl", into: &whole)
        XCTAssertEqual(result.spans, expected.spans, what, line: line)
        XCTAssertEqual(result.issues, expected.issues, what, line: line)
        XCTAssertEqual(describe(store), describe(whole), what, line: line)
    }

    /// The elements of the `resourceSpans` arrays of the sample's trace lines, as text.
    func resourceSpansElements() throws -> [String] {
        let open = #"{"resourceSpans":["#
        return try String(contentsOf: Self.multiTrace, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix(open) }.map { String($0.dropFirst(open.count).dropLast(2)) }
    }

    /// The same spans as one document, compact on one line or spread over lines with whitespace
    /// around the elements' first keys, under either name of the array.
    func documents() throws -> [(String, String)] {
        let elements = try resourceSpansElements()
        let spread = elements.map { "{\n      \"resource\" :" + $0.dropFirst(#"{"resource":"#.count) }
        return [
            ("compact", #"{"resourceSpans":["# + elements.joined(separator: ",") + "]}"),
            ("spread", "{\n  \"resourceSpans\": [\n    " + spread.joined(separator: ",\n    ") + "\n  ]\n}\n"),
            ("batches", #" {"batches":["# + elements.joined(separator: ", ") + "] } "),
        ]
    }

    func decodePieces(_ path: String, _ shape: TraceLoader.PieceShape, cores: Int, into store: inout SpanStore)
        throws -> LoadResult?
    {
        let input = try InputFile(path: path, name: "m.jsonl")
        let cuts =
            shape == .records
            ? try TraceLoader.recordCuts(input, pieces: cores) : try TraceLoader.documentCuts(input, pieces: cores)
        return try TraceLoader.decodePieces(
            input, cuts: cuts, shape: shape, name: "m.jsonl", into: &store, progress: nil)
    }

    /// A single document is cut between the elements of its `resourceSpans` array, and its pieces
    /// store what one pass stores.
    func testDocumentPiecesStoreWhatOnePassStores() throws {
        for (what, text) in try documents() {
            let path = try file(text)
            XCTAssertTrue(TraceLoader.opensDocument(Array(text.utf8)), what)
            XCTAssertFalse(TraceLoader.hasRecordBreak(Array(text.utf8)), what)
            var onePass = SpanStore()
            _ = try TraceLoader.decode(bytes: Array(text.utf8), name: "m.jsonl", into: &onePass)
            XCTAssertEqual(onePass.spans.count, 17, what)
            for cores in [2, 3, 4] {
                let input = try InputFile(path: path, name: "m.jsonl")
                let cuts = try TraceLoader.documentCuts(input, pieces: cores)
                XCTAssertEqual(cuts.count, cores + 1, "\(what), \(cores) pieces")
                for cut in cuts.dropFirst().dropLast() {
                    XCTAssertEqual(Array(text.utf8)[cut], UInt8(ascii: "{"), "\(what), \(cores) pieces")
                }
                var pieces = SpanStore()
                let result = try decodePieces(path, .documentElements, cores: cores, into: &pieces)
                XCTAssertEqual(result?.spans, 17, "\(what), \(cores) pieces")
                XCTAssertEqual(pieces.sources, ["m.jsonl"])
                XCTAssertEqual(describe(pieces), describe(onePass), "\(what), \(cores) pieces")
                var large = SpanStore()
                XCTAssertEqual(try decodeLarge(path, cores: cores, into: &large).spans, 17)
                XCTAssertEqual(describe(large), describe(onePass), "\(what), \(cores) cores")
            }
        }
    }

    /// A document that cannot be cut between its elements (an error in one, a cut on a nested object
    /// with a `resource` key, more after the array, too few elements) is not kept in pieces: it is decoded in one pass,
    /// with its errors. JSON Lines whose first line is too long to show a line break go on to be cut
    /// at their line breaks.
    func testDocumentsThatCannotBeCutAreDecodedInOnePass() throws {
        let elements = try resourceSpansElements()
        let nested = Array(repeating: #"{"resource":{"x":1}}"#, count: 2000).joined(separator: ",")
        let documents = [
            (
                "error",
                #"{"resourceSpans":["#
                    + elements.joined(separator: ",").replacingOccurrences(
                        of: #""spanId":"#, with: #""spanId""#) + "]}"
            ),
            (
                "nested",
                #"{"resourceSpans":["# + elements[0].dropLast() + #","extra":["# + nested + "]}," + elements[1] + "]}"
            ),
            ("more after", #"{"resourceSpans":["# + elements.joined(separator: ",") + #"],"status":"PARTIAL"}"#),
            ("one element", #"{"resourceSpans":["# + elements[0] + "]}"),
            ("tiny", #"{"resourceSpans":[{"resource":{},"scopeSpans":[]}]}"#),
        ]
        for (what, text) in documents { try assertDecodedInOnePass(text, cutAs: .documentElements, what) }
        let longLine =
            #"{"resourceSpans":["# + Array(repeating: elements, count: 12).joined().joined(separator: ",") + "]}"
        let longLines = Array(repeating: longLine, count: 3).joined(separator: "\n") + "\n"
        let path = try file(longLines)
        XCTAssertFalse(TraceLoader.hasRecordBreak(Array(longLines.utf8.prefix(1 << 16))))
        var store = SpanStore()
        XCTAssertNil(try decodePieces(path, .documentElements, cores: 2, into: &store))
        XCTAssertEqual(try decodePieces(path, .records, cores: 2, into: &store)?.spans, 3 * 12 * 17)
        var large = SpanStore()
        XCTAssertEqual(try decodeLarge(path, cores: 2, into: &large).spans, 3 * 12 * 17)
        var whole = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(longLines.utf8), name: "m.jsonl", into: &whole)
        XCTAssertEqual(describe(large), describe(whole))
    }

    /// The progress reported is the sum of the pieces' latest.
    func testProgressAddsUpThePieces() {
        var reported: [LoadProgress] = []
        let progress = PieceProgress(pieces: 2, report: { reported.append($0) })
        progress.update(piece: 0, LoadProgress(bytes: 100, spans: 5, inflated: false))
        progress.update(piece: 1, LoadProgress(bytes: 50, spans: 3, inflated: false))
        progress.update(piece: 0, LoadProgress(bytes: 300, spans: 9, inflated: false))
        XCTAssertEqual(reported.map(\.bytes), [100, 150, 350])
        XCTAssertEqual(reported.map(\.spans), [5, 8, 12])
    }
}
