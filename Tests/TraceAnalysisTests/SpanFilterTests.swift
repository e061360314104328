import Foundation
import TraceFormats
import TraceModel
import XCTest

@testable import TraceAnalysis

/// The filter language on the article's agent workflow (sample-traces/agent-workflow.json): which
/// spans each expression selects, worked out by hand from the sample's attributes, and the errors
/// with their columns.
final class SpanFilterTests: XCTestCase {
    var store = SpanStore()
    var analysis: Analysis!

    override func setUpWithError() throws {
        let path = SampleTracesTests.dir.appendingPathComponent("agent-workflow.json").path
        _ = try TraceLoader.load(path: path, into: &store)
        analysis = Analysis(store: store, prices: .embedded)
    }

    /// The names of the matching spans, in store order, with the model for LLM calls.
    func matching(_ text: String) throws -> [String] {
        let filter = try SpanFilter(text)
        return store.spans.indices.filter { filter.matches(Int32($0), store: store, analysis: analysis) }.map { i in
            let f = analysis.facts[i]
            let name = store.string(store.spans[i].name)
            return f.model == 0 ? name : name + ":" + store.string(f.model)
        }
    }

    func testComparisonsWithUnits() throws {
        // Costs: $0.0060 (gpt-4o), $0.0135 (claude-sonnet-4, priced), $0.00039, $0.0135 (gpt-4o).
        XCTAssertEqual(try matching("cost>0.01"), ["llm.generate:claude-sonnet-4", "llm.generate:gpt-4o"])
        // agent.step.0 and .2 are LLM steps of no cost of their own.
        XCTAssertEqual(
            try matching("cost<=$0.006 and kind=llm"),
            ["llm.generate:gpt-4o", "agent.step.0", "llm.generate:gpt-4o-mini", "agent.step.2"])
        // Tokens in: 1200, 2000, 1000, 3000.
        XCTAssertEqual(try matching("tokens.in>=2k"), ["llm.generate:claude-sonnet-4", "llm.generate:gpt-4o"])
        XCTAssertEqual(try matching("tokens>3.5k"), ["llm.generate:gpt-4o"])
        // Durations: only the workflow (335 ms) and agent.step.1 / tool.execute (124 / 121 ms) pass 100 ms.
        XCTAssertEqual(try matching("dur>100ms"), ["tool.execute", "agent.step.1", "agent.workflow"])
        XCTAssertEqual(try matching("dur>0.3s"), ["agent.workflow"])
    }

    func testTextFieldsGlobsAndLogic() throws {
        XCTAssertEqual(
            try matching("model=gpt-4o*"), ["llm.generate:gpt-4o", "llm.generate:gpt-4o-mini", "llm.generate:gpt-4o"])
        XCTAssertEqual(try matching("model=GPT-4O"), ["llm.generate:gpt-4o", "llm.generate:gpt-4o"])
        XCTAssertEqual(try matching("finish=length"), ["llm.generate:gpt-4o-mini"])
        XCTAssertEqual(try matching("status=error"), ["tool.execute"])
        XCTAssertEqual(try matching("kind=tool not status=error"), ["agent.step.1"])
        XCTAssertEqual(
            try matching("(provider=anthropic or finish=length) and tokens.out>=400"),
            ["llm.generate:claude-sonnet-4", "llm.generate:gpt-4o-mini"])
        XCTAssertEqual(try matching("service=ai-* name=agent.plan"), ["agent.plan"])
        XCTAssertEqual(try matching("trace=c2b9*").count, 11)
        XCTAssertEqual(try matching("model!=gpt-4o*").count, 8)
    }

    func testAttributesAndBareWords() throws {
        XCTAssertEqual(try matching("attr.step.tool=web_search"), ["agent.step.1"])
        XCTAssertEqual(try matching("attr.agent.total_steps>=3"), ["agent.workflow"])
        XCTAssertEqual(try matching("attr.llm.latency_ms<40"), ["llm.generate:gpt-4o-mini"])
        // A bare word: names, attribute values (the user's query is one) and events (the tool's
        // exception message names the tool and the query), case-insensitive.
        XCTAssertEqual(try matching("OpenTelemetry"), ["tool.execute", "agent.workflow"])
        XCTAssertEqual(try matching("web_search"), ["tool.execute", "agent.step.1"])
        XCTAssertEqual(try matching("timeouterror"), ["tool.execute"])
        XCTAssertEqual(try matching(#""semantic conventions" kind=workflow"#), ["agent.workflow"])
        XCTAssertEqual(try matching("synthesize"), ["agent.synthesize"])
        XCTAssertEqual(try matching("").count, 11)
    }

    func testErrorsPointAtTheColumn() {
        func error(_ text: String) -> String {
            do {
                _ = try SpanFilter(text)
                return "no error"
            } catch { return error.description }
        }
        XCTAssertEqual(error("cost>abc"), "column 6: 'abc' is not a cost (0.05 or $0.05)")
        XCTAssertEqual(error("dur>2 and x"), "column 5: '2' is not a duration (500ms, 2s, 1.5m)")
        XCTAssertEqual(error("tokens>=lots"), "column 9: 'lots' is not a token count (1200, 10k, 1.5M)")
        XCTAssertEqual(error("model>gpt"), "column 6: '>' compares numbers; use = or != here")
        XCTAssertTrue(error("colour=red").hasPrefix("column 1: unknown field 'colour' (fields: cost, dur, duration"))
        XCTAssertEqual(error("(kind=llm or kind=tool"), "column 1: '(' is not closed")
        XCTAssertEqual(error("kind=llm)"), "column 9: ')' without '('")
        XCTAssertEqual(error("kind="), "column 6: expected a value")
        XCTAssertEqual(error("kind=llm and"), "column 13: expected a comparison or a word")
        XCTAssertEqual(error(#"name="open"#), "column 6: the quote is not closed")
    }

    func testGlob() {
        XCTAssertTrue(globMatch("gpt-4o-mini", "gpt-4o*"))
        XCTAssertTrue(globMatch("gpt-4o-mini", "*mini"))
        XCTAssertTrue(globMatch("gpt-4o-mini", "g*4*i"))
        XCTAssertFalse(globMatch("gpt-4o", "*mini"))
        XCTAssertFalse(globMatch("gpt-4o", "gpt"))
    }

    /// Bare words compare ASCII letters case-insensitively on the interned bytes; a non-ASCII word
    /// falls back to lower-cased copies.
    func testWordSearchOverBytes() throws {
        func check(_ haystack: String, _ needle: String) -> Bool {
            Array(haystack.utf8).withUnsafeBytes { containsIgnoringASCIICase($0, Array(needle.utf8)) }
        }
        XCTAssertTrue(check("OpenTelemetry GenAI", "genai"))
        XCTAssertTrue(check("xxABCabc", "abcabc"))
        XCTAssertFalse(check("abcab", "abcabc"))
        XCTAssertFalse(check("", "a"))
        XCTAssertTrue(check("abc", ""))
        XCTAssertEqual(try matching("OPENTELEMETRY"), try matching("opentelemetry"))
        XCTAssertEqual(try matching("\"WEB_Search\""), ["tool.execute", "agent.step.1"])
        let st = try TraceAnalysisTests.store([span(id: 1, name: "Résumé Ärger", attrs: [("q", .s("ÉTÉ"))])])
        let a = Analysis(store: st, prices: .embedded)
        XCTAssertTrue(try SpanFilter("résumé").matches(0, store: st, analysis: a))
        XCTAssertTrue(try SpanFilter("été").matches(0, store: st, analysis: a))
        XCTAssertFalse(try SpanFilter("ete").matches(0, store: st, analysis: a))
    }
}
