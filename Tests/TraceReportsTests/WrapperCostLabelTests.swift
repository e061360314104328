import TraceAnalysis
import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceReports

/// A hand-made wrapper span and the instrumentation's span beneath it both carry the usage: the
/// wrapper's own cost is shown with `~` (not counted), the inner call's plainly.
final class WrapperCostLabelTests: XCTestCase {
    func testWrapperCostIsMarkedAndNotCounted() throws {
        let attrs =
            #"[{"key":"llm.model","value":{"stringValue":"gpt-4o"}},{"key":"llm.input_tokens","value":{"intValue":"1000"}},{"key":"llm.output_tokens","value":{"intValue":"100"}}]"#
        let json = """
            {"resourceSpans":[{"scopeSpans":[{"spans":[\
            {"traceId":"01","spanId":"01","name":"llm.generate","startTimeUnixNano":"0","endTimeUnixNano":"2000000","attributes":\(attrs)},\
            {"traceId":"01","spanId":"02","parentSpanId":"01","name":"chat gpt-4o","startTimeUnixNano":"100","endTimeUnixNano":"1900000","attributes":\(attrs)}]}]}]}
            """
        var store = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "w.json", into: &store)
        let a = Analysis(store: store, prices: .embedded)
        // gpt-4o: 1000×2.50/1M + 100×10/1M = 0.0025 + 0.001 = $0.0035, counted once.
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.0035, accuracy: 1e-12)
        XCTAssertEqual(a.ownCostLabel(of: 0), "~$0.0035")
        XCTAssertEqual(a.ownCostLabel(of: 1), "$0.0035")
        let text = PlainReport.tree(store: store, analysis: a, trace: 0)
        // The wrapper's tokens are not its own work (they are counted on the call beneath it).
        XCTAssertTrue(text.contains("\nllm.generate   llm     2.00ms              -  ~$0.0035  unset\n"), text)
        XCTAssertTrue(text.contains("\n  chat gpt-4o  llm     1.90ms       1.0k/100   $0.0035  unset\n"), text)
    }
}
