import TraceAnalysis
import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceUI

/// The detail pane's account of the model call a span belongs to: where it is counted, the spans that
/// describe it, and where they disagree.
final class CallDetailTests: XCTestCase {
    private func data(_ spans: [String]) throws -> ViewData {
        var store = SpanStore()
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"lib"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "x.json", into: &store)
        let analysis = Analysis(store: store, prices: .embedded)
        return ViewData(store: store, analysis: analysis, title: "x", warnings: [])
    }

    private func span(_ id: Int, parent: Int = 0, _ name: String, _ attrs: [(String, String)]) -> String {
        let a = attrs.map { k, v in
            Int(v) != nil
                ? #"{"key":"\#(k)","value":{"intValue":"\#(v)"}}"# : #"{"key":"\#(k)","value":{"stringValue":"\#(v)"}}"#
        }
        return
            #"{"traceId":"01","spanId":"\#(String(format: "%016x", id))","parentSpanId":"\#(parent == 0 ? "" : String(format: "%016x", parent))","name":"\#(name)","startTimeUnixNano":"\#(id)","endTimeUnixNano":"\#(1000 - id)","attributes":[\#(a.joined(separator: ","))]}"#
    }

    private func texts(_ data: ViewData, _ span: Int32) -> [String] {
        detailLines(span: span, data: data, glyphs: .unicode).map(\.text)
    }

    private func chat(_ input: String, model: String = "gpt-4o", id: String? = nil) -> [(String, String)] {
        [
            ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", model), ("gen_ai.usage.input_tokens", input),
            ("gen_ai.usage.output_tokens", "10"),
        ] + (id.map { [("gen_ai.response.id", $0)] } ?? [])
    }

    func testWhereEachSpanIsCountedAndWhereTheyDisagree() throws {
        let d = try data([
            span(1, "rollup", [("llm.model", "gpt-4o"), ("llm.input_tokens", "300")]),
            span(2, parent: 1, "a", chat("100")),
            span(3, parent: 1, "b", chat("200")),
            span(4, "wrapper", [("llm.model", "gpt-4o"), ("llm.input_tokens", "90"), ("llm.response.id", "r1")]),
            span(5, parent: 4, "inner", chat("100", id: "r1")),
            span(6, "mystery", [("llm.model", "in-house"), ("llm.input_tokens", "100"), ("llm.output_tokens", "10")]),
            span(7, parent: 6, "known", chat("100")),
        ])
        XCTAssertTrue(
            texts(d, 0).contains(
                "counted        no: a rollup of the 2 calls beneath it (its own figures are not added)"))
        XCTAssertTrue(
            texts(d, 5).contains("counted        no: its figures disagree with the call beneath it, which is counted"))
        // Its own cost is unknown (model not priced) and not counted.
        XCTAssertEqual(d.analysis.ownCostLabel(of: 5), "~?")
        let wrapper = texts(d, 3)
        XCTAssertTrue(
            wrapper.contains("counted        no: counted on inner 0000000000000005"), wrapper.joined(separator: "\n"))
        XCTAssertTrue(
            wrapper.contains("disagree       input tokens: 100 (inner) vs 90 (wrapper)"),
            wrapper.joined(separator: "\n"))
        XCTAssertTrue(texts(d, 4).contains("counted        yes: this span counts the call"))
    }

    func testACallCountedInAnEarlierTraceNamesIt() throws {
        let d = try Fixture.sample("anthropic-openllmetry-and-sdk-split.json")
        let t = try XCTUnwrap(d.analysis.trace(matching: "595757bb"))
        let lines = texts(d, d.analysis.forest.traces[t].rootSpan)
        XCTAssertTrue(
            lines.contains(
                "counted        no: the same response id is counted in trace 3c9b85ed1cfb (anthropic.chat 31a150e4d14b4ee4)"
            ),
            lines.joined(separator: "\n"))
    }

    func testAManySpanCallListsTwelveAndCountsTheRest() throws {
        // Fourteen nested spans with the same facts: one call.
        let d = try data((1...14).map { span($0, parent: $0 - 1, "s\($0)", chat("100")) })
        XCTAssertEqual(d.analysis.calls.groups.count, 1)
        let lines = texts(d, 0)
        XCTAssertTrue(lines.contains("── Model call: 14 spans describe it"))
        XCTAssertTrue(lines.contains("  … and 2 more spans"), lines.joined(separator: "\n"))
    }
}
