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
            let path = try file(text)
            var store = SpanStore()
            let input = try InputFile(path: path, name: "x")
            XCTAssertNil(
                try TraceLoader.decodePieces(
                    input, cuts: TraceLoader.recordCuts(input, pieces: 2), name: "x", into: &store, progress: nil),
                what)
            XCTAssertTrue(store.spans.isEmpty, what)
            let result = try decodeLarge(path, cores: 2, into: &store)
            var whole = SpanStore()
            let expected = try TraceLoader.decode(bytes: Array(text.utf8), name: "m.jsonl", into: &whole)
            XCTAssertEqual(result.spans, expected.spans, what)
            XCTAssertEqual(result.issues, expected.issues, what)
            XCTAssertEqual(describe(store), describe(whole), what)
        }
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
