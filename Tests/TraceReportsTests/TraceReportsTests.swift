import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import XCTest

@testable import TraceReports

private let trace1 = "0102030405060708090a0b0c0d0e0f10"
private let trace2 = "a0a0a0a0a0a0a0a0b0b0b0b0b0b0b0b0"
/// 1,700,000,000 s = 2023-11-14 22:13:20 UTC.
private let t0: Int64 = 1_700_000_000_000_000_000
private let ms: Int64 = 1_000_000

private func attrs(_ list: [(String, String)]) -> String {
    list.map { #"{"key":"\#($0.0)","value":\#($0.1)}"# }.joined(separator: ",")
}

private func spanJSON(
    trace: String = trace1, id: String, parent: String = "", name: String, start: Int64, end: Int64,
    kind: Int = 1, status: Int = 0, attributes: [(String, String)] = []
) -> String {
    #"{"traceId":"\#(trace)","spanId":"\#(id)","parentSpanId":"\#(parent)","name":"\#(name)","kind":\#(kind),"startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)","attributes":[\#(attrs(attributes))],"status":{"code":\#(status)}}"#
}

/// Trace trace1 (service "checkout"): handle (server, ok, 2 s)
///   ├ chat gpt-4o (client, 500 ms): 1,000 input of which 240 cached, 100 output, finish "stop"
///   └ tool.search (100 ms, status error)
/// Trace trace2 (service "batch"): one call to an unpriced model.
private func fixture() throws -> (SpanStore, Analysis) {
    let first =
        #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},"scopeSpans":[{"spans":["#
        + [
            spanJSON(id: "0000000000000001", name: "handle", start: t0, end: t0 + 2_000 * ms, kind: 2, status: 1),
            spanJSON(
                id: "0000000000000002", parent: "0000000000000001", name: "chat gpt-4o", start: t0 + 100 * ms,
                end: t0 + 600 * ms, kind: 3,
                attributes: [
                    ("gen_ai.operation.name", #"{"stringValue":"chat"}"#),
                    ("gen_ai.request.model", #"{"stringValue":"gpt-4o"}"#),
                    ("gen_ai.usage.input_tokens", #"{"intValue":"1000"}"#),
                    ("gen_ai.usage.output_tokens", #"{"intValue":"100"}"#),
                    ("gen_ai.usage.cache_read.input_tokens", #"{"intValue":"240"}"#),
                    ("gen_ai.response.finish_reasons", #"{"arrayValue":{"values":[{"stringValue":"stop"}]}}"#),
                ]),
            spanJSON(
                id: "0000000000000003", parent: "0000000000000001", name: "tool.search", start: t0 + 600 * ms,
                end: t0 + 700 * ms, status: 2),
        ].joined(separator: ",") + "]}]}]}"
    let second =
        #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"batch"}}]},"scopeSpans":[{"spans":["#
        + spanJSON(
            trace: trace2, id: "00000000000000b1", name: "mystery call", start: t0 + 5_000 * ms, end: t0 + 5_250 * ms,
            attributes: [
                ("gen_ai.request.model", #"{"stringValue":"mystery-model"}"#),
                ("gen_ai.usage.input_tokens", #"{"intValue":"10"}"#),
                ("gen_ai.usage.output_tokens", #"{"intValue":"5"}"#),
            ])
        + "]}]}]}"
    var store = SpanStore()
    let r = try TraceLoader.decode(bytes: Array((first + "\n" + second + "\n").utf8), name: "x.json", into: &store)
    XCTAssertEqual(r.spans, 4)
    XCTAssertEqual(r.issues, [])
    return (store, Analysis(store: store, prices: .embedded))
}

final class JSONReportTests: XCTestCase {
    func testFieldByField() throws {
        let (store, a) = try fixture()
        let text = JSONReport.render(store: store, analysis: a, traces: [0, 1], warnings: a.warnings)
        XCTAssertTrue(text.hasSuffix("}\n"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(
            root["warnings"] as? [String],
            [#"model "mystery-model" is not in the price table: cost of 1 call(s) unknown (add it with --prices)"#])
        let traces = try XCTUnwrap(root["traces"] as? [[String: Any]])
        XCTAssertEqual(traces.count, 2)

        let t = traces[0]
        XCTAssertEqual(t["traceId"] as? String, trace1)
        XCTAssertEqual(t["rootName"] as? String, "handle")
        XCTAssertEqual(t["service"] as? String, "checkout")
        XCTAssertEqual(t["startTime"] as? String, "2023-11-14 22:13:20")
        XCTAssertEqual(t["spanCount"] as? Int, 3)
        XCTAssertEqual(t["durationMs"] as? Double, 2000)
        XCTAssertEqual(t["llmCalls"] as? Int, 1)
        XCTAssertEqual(t["inputTokens"] as? Int, 1000)
        XCTAssertEqual(t["outputTokens"] as? Int, 100)
        XCTAssertEqual(t["cachedInputTokens"] as? Int, 240)
        // gpt-4o: 760 × 2.50 + 240 × 1.25 + 100 × 10.00 = 1,900 + 300 + 1,000 = 3,200 / 1e6 = $0.0032.
        XCTAssertEqual(try XCTUnwrap(t["costUSD"] as? Double), 0.0032, accuracy: 1e-12)
        XCTAssertEqual(t["costComplete"] as? Bool, true)
        XCTAssertEqual(t["errorCount"] as? Int, 1)

        let spans = try XCTUnwrap(t["spans"] as? [[String: Any]])
        XCTAssertEqual(spans.count, 1)
        let handle = spans[0]
        XCTAssertEqual(handle["spanId"] as? String, "0000000000000001")
        XCTAssertTrue(handle["parentSpanId"] is NSNull)
        XCTAssertEqual(handle["name"] as? String, "handle")
        XCTAssertEqual(handle["kind"] as? String, "other")
        XCTAssertEqual(handle["spanKind"] as? String, "server")
        XCTAssertEqual(handle["service"] as? String, "checkout")
        XCTAssertEqual(handle["durationMs"] as? Double, 2000)
        XCTAssertTrue(handle["model"] is NSNull)
        XCTAssertTrue(handle["costUSD"] is NSNull)
        XCTAssertTrue(handle["costSource"] is NSNull)
        XCTAssertEqual(handle["countedCall"] as? Bool, false)
        XCTAssertEqual(handle["status"] as? String, "ok")
        XCTAssertNil(handle["orphan"])
        let hs = try XCTUnwrap(handle["subtree"] as? [String: Any])
        XCTAssertEqual(hs["durationMs"] as? Double, 2000)
        XCTAssertEqual(hs["selfMs"] as? Double, 1400)  // 2,000 − 500 − 100
        XCTAssertEqual(hs["spanCount"] as? Int, 3)
        XCTAssertEqual(hs["llmCalls"] as? Int, 1)
        XCTAssertEqual(hs["inputTokens"] as? Int, 1000)
        XCTAssertEqual(hs["outputTokens"] as? Int, 100)
        XCTAssertEqual(hs["cachedInputTokens"] as? Int, 240)
        XCTAssertEqual(try XCTUnwrap(hs["costUSD"] as? Double), 0.0032, accuracy: 1e-12)
        XCTAssertEqual(hs["costComplete"] as? Bool, true)
        XCTAssertEqual(hs["errorCount"] as? Int, 1)

        let children = try XCTUnwrap(handle["children"] as? [[String: Any]])
        XCTAssertEqual(children.map { $0["name"] as? String }, ["chat gpt-4o", "tool.search"])
        let chat = children[0]
        XCTAssertEqual(chat["spanId"] as? String, "0000000000000002")
        XCTAssertEqual(chat["parentSpanId"] as? String, "0000000000000001")
        XCTAssertEqual(chat["kind"] as? String, "llm")
        XCTAssertEqual(chat["spanKind"] as? String, "client")
        XCTAssertEqual(chat["startTime"] as? String, "2023-11-14 22:13:20")
        XCTAssertEqual(chat["durationMs"] as? Double, 500)
        XCTAssertEqual(chat["model"] as? String, "gpt-4o")
        XCTAssertEqual(chat["inputTokens"] as? Int, 1000)
        XCTAssertEqual(chat["outputTokens"] as? Int, 100)
        XCTAssertEqual(chat["cachedInputTokens"] as? Int, 240)
        XCTAssertEqual(try XCTUnwrap(chat["costUSD"] as? Double), 0.0032, accuracy: 1e-12)
        XCTAssertEqual(chat["costSource"] as? String, "computed")
        XCTAssertEqual(chat["countedCall"] as? Bool, true)
        XCTAssertEqual(chat["finishReason"] as? String, "stop")
        XCTAssertEqual(chat["status"] as? String, "unset")
        XCTAssertEqual((chat["children"] as? [Any])?.count, 0)
        let cs = try XCTUnwrap(chat["subtree"] as? [String: Any])
        XCTAssertEqual(cs["spanCount"] as? Int, 1)
        XCTAssertEqual(cs["selfMs"] as? Double, 500)
        XCTAssertEqual(cs["errorCount"] as? Int, 0)

        let tool = children[1]
        XCTAssertEqual(tool["kind"] as? String, "tool")
        XCTAssertEqual(tool["spanKind"] as? String, "internal")
        XCTAssertEqual(tool["status"] as? String, "error")
        XCTAssertEqual(tool["durationMs"] as? Double, 100)
        XCTAssertTrue(tool["inputTokens"] is NSNull)
        XCTAssertTrue(tool["costSource"] is NSNull)
        XCTAssertEqual((tool["subtree"] as? [String: Any])?["errorCount"] as? Int, 1)

        let u = traces[1]
        XCTAssertEqual(u["traceId"] as? String, trace2)
        XCTAssertEqual(u["service"] as? String, "batch")
        XCTAssertEqual(u["rootName"] as? String, "mystery call")
        XCTAssertEqual(u["spanCount"] as? Int, 1)
        XCTAssertEqual(u["durationMs"] as? Double, 250)
        XCTAssertEqual(u["llmCalls"] as? Int, 1)
        XCTAssertEqual(u["inputTokens"] as? Int, 10)
        XCTAssertEqual(u["costUSD"] as? Double, 0)
        XCTAssertEqual(u["costComplete"] as? Bool, false)
        let mystery = try XCTUnwrap((u["spans"] as? [[String: Any]])?.first)
        XCTAssertEqual(mystery["costSource"] as? String, "unknown")
        XCTAssertTrue(mystery["costUSD"] is NSNull)
        XCTAssertEqual((mystery["subtree"] as? [String: Any])?["costComplete"] as? Bool, false)
    }

    func testOnlyTheRequestedTracesAndFlags() throws {
        var store = SpanStore()
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":["#
            + spanJSON(id: "0000000000000001", name: "root", start: 0, end: 10) + ","
            + spanJSON(id: "0000000000000002", parent: "00000000000000ff", name: "lost", start: 1, end: 2) + ","
            + spanJSON(trace: trace2, id: "0000000000000003", name: "other", start: 20, end: 30) + "]}]}]}"
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "x.json", into: &store)
        let a = Analysis(store: store, prices: .embedded)
        let text = JSONReport.render(store: store, analysis: a, traces: [0], warnings: [])
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let traces = try XCTUnwrap(root["traces"] as? [[String: Any]])
        XCTAssertEqual(traces.count, 1)
        XCTAssertEqual(traces[0]["service"] as? String, "")
        let spans = try XCTUnwrap(traces[0]["spans"] as? [[String: Any]])
        XCTAssertEqual(spans.map { $0["name"] as? String }, ["root", "lost"])
        XCTAssertEqual(spans[1]["orphan"] as? Bool, true)
        XCTAssertEqual(spans[1]["parentSpanId"] as? String, "00000000000000ff")
        XCTAssertEqual((root["warnings"] as? [Any])?.count, 0)
    }

    func testEscapesInNames() throws {
        var store = SpanStore()
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":["#
            + spanJSON(id: "0000000000000001", name: #"q\"b\\n\nt\té\u0001"#, start: 0, end: 1) + "]}]}]}"
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "x.json", into: &store)
        let a = Analysis(store: store, prices: .embedded)
        let text = JSONReport.render(store: store, analysis: a, traces: [0], warnings: ["w\"1"])
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual((root["traces"] as? [[String: Any]])?[0]["rootName"] as? String, "q\"b\\n\nt\té\u{01}")
        XCTAssertEqual(root["warnings"] as? [String], ["w\"1"])
    }

    func testDeepChainRendersWithoutRecursionInLinearSize() {
        var store = SpanStore()
        store.sources = ["generated"]
        store.resources = [Resource()]
        store.scopes = [Scope()]
        let name = store.strings.intern("s")
        let n = 10_000
        for i in 0..<n {
            var sp = Span()
            sp.traceID = TraceID(high: 0, low: 7)
            sp.spanID = UInt64(i + 1)
            sp.parentSpanID = UInt64(i)
            sp.name = name
            sp.startNanos = Int64(i)
            sp.endNanos = Int64(2 * n - i)
            store.spans.append(sp)
        }
        let a = Analysis(store: store, prices: .embedded)
        let text = JSONReport.render(store: store, analysis: a, traces: [0], warnings: [])
        // Linear in the number of spans (~2.7 KB each); fully indented, 10,000 levels of ~25 lines would be ~2.5 GB.
        XCTAssertLessThan(text.utf8.count, n * 4_000)
        XCTAssertEqual(text.components(separatedBy: "\"spanId\"").count - 1, n)
        XCTAssertEqual(text.components(separatedBy: "\"children\": []").count - 1, 1)
    }
}

final class PlainReportTests: XCTestCase {
    func testTreeExactText() throws {
        let (store, a) = try fixture()
        let text = PlainReport.tree(store: store, analysis: a, trace: 0)
        // Widths: SPAN 13 ("  chat gpt-4o"), KIND 5, DURATION 8, TOKENS IN/OUT 13, COST 7; right-aligned
        // DURATION, TOKENS and COST; "$0.0032" = 3,200 / 1e6 as above; 1,000 input shows as "1.0k".
        let expected = """
            trace 0102030405060708090a0b0c0d0e0f10  checkout  2023-11-14 22:13:20 UTC  3 spans, 1 LLM calls, $0.0032
            SPAN           KIND   DURATION  TOKENS IN/OUT     COST  STATUS
            handle         other     2.00s              -        -  ok
              chat gpt-4o  llm       500ms       1.0k/100  $0.0032  unset
              tool.search  tool      100ms              -        -  error

            """
        XCTAssertEqual(text, expected)
    }

    func testTreeMarksUnknownAndWrappedCosts() throws {
        let (store, a) = try fixture()
        let text = PlainReport.tree(store: store, analysis: a, trace: 1)
        let expected = """
            trace a0a0a0a0a0a0a0a0b0b0b0b0b0b0b0b0  batch  2023-11-14 22:13:25 UTC  1 spans, 1 LLM calls, ?
            SPAN          KIND  DURATION  TOKENS IN/OUT  COST  STATUS
            mystery call  llm      250ms           10/5     ?  unset

            """
        XCTAssertEqual(text, expected)
    }

    func testTraceList() throws {
        let (store, a) = try fixture()
        let text = PlainReport.traceList(store: store, analysis: a, traces: [0, 1])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(
            lines[0].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "),
            "TRACE ROOT SERVICE START (UTC) DURATION SPANS LLM TOKENS IN/OUT COST ERR")
        XCTAssertEqual(
            lines[1].split(separator: " ").joined(separator: " "),
            "01020304 handle checkout 2023-11-14 22:13:20 2.00s 3 1 1.0k/100 $0.0032 1")
        XCTAssertEqual(
            lines[2].split(separator: " ").joined(separator: " "),
            "a0a0a0a0 mystery call batch 2023-11-14 22:13:25 250ms 1 1 10/5 ? 0")
        XCTAssertEqual(lines[3], "")
    }
}

final class PriceReportTests: XCTestCase {
    func testFirstLineAndRows() throws {
        let text = PriceReport.render(.embedded)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "USD per 1M tokens; prices checked 2026-11-01; from: embedded default")
        XCTAssertEqual(lines.count, 2 + PriceTable.embedded.entries.count)
        XCTAssertEqual(
            lines[1].split(separator: " ").joined(separator: " "),
            "MODEL INPUT CACHED IN CACHE WRITE OUTPUT ALSO MATCHES")
        XCTAssertEqual(lines[2].split(separator: " ").joined(separator: " "), "gpt-4o $2.50 $1.25 - $10.00")
        let mini = try XCTUnwrap(lines.first { $0.hasPrefix("gpt-4o-mini ") })
        XCTAssertEqual(mini.split(separator: " ").joined(separator: " "), "gpt-4o-mini $0.15 $0.075 - $0.60")
        let sonnet = try XCTUnwrap(lines.first { $0.hasPrefix("claude-sonnet-4 ") })
        XCTAssertEqual(
            sonnet.split(separator: " ").joined(separator: " "),
            "claude-sonnet-4 $3.00 $0.30 $3.75 $15.00 claude-4-sonnet, above 200k input: $6.00 in / $22.50 out")
    }

    func testFirstLineNamesUserFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("p.json").path
        try Data(#"{"checked":"2027-02-03","models":{"zz-model":{"input":0.05,"output":1}}}"#.utf8).write(
            to: URL(fileURLWithPath: path))
        var table = PriceTable.embedded
        try table.apply(file: path)
        let lines = PriceReport.render(table).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "USD per 1M tokens; prices checked 2027-02-03; from: embedded default, \(path)")
        XCTAssertEqual(lines.last?.split(separator: " ").joined(separator: " "), "zz-model $0.050 - - $1.00")
    }
}

final class JSONStreamingTests: XCTestCase {
    /// `write` hands over the same text as `render`, in pieces of about a megabyte.
    func testWrittenPiecesMakeTheRenderedText() throws {
        var store = SpanStore()
        let spans = (1...3000).map { i in
            #"{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"\#(String(format: "%016x", i))","parentSpanId":"\#(String(format: "%016x", i - 1))","name":"s\#(i)","startTimeUnixNano":"\#(i)","endTimeUnixNano":"\#(9000 - i)"}"#
        }
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "chain.json", into: &store)
        let a = Analysis(store: store, prices: .embedded)
        let text = JSONReport.render(store: store, analysis: a, traces: [0], warnings: ["w"])
        var pieces: [[UInt8]] = []
        JSONReport.write(store: store, analysis: a, traces: [0], warnings: ["w"]) { pieces.append(Array($0)) }
        XCTAssertEqual(String(decoding: pieces.joined(), as: UTF8.self), text)
        XCTAssertEqual(pieces.count, text.utf8.count / (1 << 20) + 1)
        XCTAssertLessThan(pieces.map(\.count).max() ?? 0, (1 << 20) + 200)
        XCTAssertTrue(text.hasSuffix("}\n"))
    }

    /// Integers and span ids are written as digits in place; the text is what `String` and
    /// `spanIDHex` give, at the extremes too. Doubles are rounded to 10 decimals where that is
    /// exact (float noise goes) and stay valid JSON at any size.
    func testIntegersAndSpanIDsMatchTheirStrings() {
        let integers: [Int64] = [0, 7, -7, 10, 1_000_000, .max, .min]
        let doubles: [Double] = [
            0, -0.0, 2e-06, 0.0035, 0.1 + 0.2, -12, 1e14, 123_456.789, 1_234_567.25, 1e15, 1e300, .nan, .infinity,
        ]
        let ids: [SpanID] = [0, 1, 0x186a0, .max]
        var w = JSONWriter()
        w.beginObject()
        for i in integers { w.field("i", i) }
        for d in doubles { w.field("d", d) }
        for id in ids { w.field("id", spanID: id) }
        w.field("none", spanID: nil)
        w.endObject()
        let expected =
            ["{"] + integers.map { "  \"i\": \(String($0))," }
            + [
                "0", "0", "2e-06", "0.0035", "0.3", "-12", "100000000000000", "123456.789", "1234567.25",
                "1000000000000000.0",
                "1e+300", "null", "null",
            ].map { "  \"d\": \($0)," }
            + ids.map { "  \"id\": \"\(spanIDHex($0))\"," } + ["  \"none\": null", "}"]
        XCTAssertEqual(w.text, expected.joined(separator: "\n"))
    }
}
