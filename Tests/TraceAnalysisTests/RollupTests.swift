import TraceModel
import TraceText
import XCTest

@testable import TraceAnalysis

final class RollupTests: XCTestCase {
    private func analyse(_ s: SpanStore) -> Analysis { Analysis(store: s, prices: .embedded) }

    func testUnknownModelIsNeverZeroDollars() throws {
        let s = try store([
            span(id: 1, name: "root", start: 0, end: 100),
            span(
                id: 2, parent: 1, name: "mystery", start: 1, end: 2,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("mystery-model-9")),
                    ("gen_ai.usage.input_tokens", .i(100)), ("gen_ai.usage.output_tokens", .i(10)),
                ]),
            span(
                id: 3, parent: 1, name: "known", start: 2, end: 3,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                    ("gen_ai.usage.input_tokens", .i(1_000)), ("gen_ai.usage.output_tokens", .i(100)),
                ]),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.costs[Int(index(s, "mystery"))], SpanCost(usd: 0, source: .unknown))
        XCTAssertEqual(a.costs[Int(index(s, "known"))].source, .computed)
        let t = a.traceTotals[0]
        XCTAssertEqual(t.llmCalls, 2)
        XCTAssertEqual(t.inputTokens, 1_100)
        XCTAssertEqual(t.outputTokens, 110)
        XCTAssertEqual(t.unknownCostCalls, 1)
        XCTAssertFalse(t.costComplete)
        // Only the known call: 1,000 × 2.50 + 100 × 10 = 3,500 → $0.0035.
        XCTAssertEqual(t.costUSD, 0.0035, accuracy: 1e-15)
        XCTAssertEqual(a.subtree[Int(index(s, "mystery"))].unknownCostCalls, 1)
        XCTAssertEqual(a.subtree[Int(index(s, "mystery"))].costUSD, 0)
        XCTAssertEqual(
            a.warnings,
            [#"model "mystery-model-9" is not in the price table: cost of 1 call(s) unknown (add it with --prices)"#])
        XCTAssertEqual(Format.cost(t), "$0.0035+?")
    }

    func testKnownModelWithoutTokensIsUnknownButNotCalledUnpriced() throws {
        // A chat span naming a priced model but no token counts: its cost is unknown, and the warning
        // must not claim the model is missing from the price table.
        let s = try store([
            span(
                id: 1, name: "chat", start: 0, end: 10,
                attrs: [("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o"))]),
            span(
                trace: trace2, id: 2, name: "bare", start: 20, end: 30, attrs: [("gen_ai.operation.name", .s("chat"))]),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.costs[0], SpanCost(usd: 0, source: .unknown))
        XCTAssertEqual(a.costs[1], SpanCost(usd: 0, source: .unknown))
        XCTAssertEqual(a.traceTotals.map(\.unknownCostCalls), [1, 1])
        XCTAssertEqual(a.traceTotals.map(\.llmCalls), [1, 1])
        // Equal counts: sorted by model name ("" first), the same on every run.
        XCTAssertEqual(
            a.warnings,
            [
                "1 model call(s) name no model or carry no token counts: cost unknown",
                #"1 call(s) to model "gpt-4o" carry no token counts: cost unknown"#,
            ])
    }

    func testReportedCostUsedAsReported() throws {
        let s = try store([
            span(
                id: 1, name: "reported", start: 0, end: 10,
                attrs: [
                    ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .i(1_000)), ("llm.output_tokens", .i(100)),
                    ("llm.cost_usd", .d(0.5)),
                ]),
            span(
                trace: trace2, id: 2, name: "reportedUnknownModel", start: 20, end: 30,
                attrs: [
                    ("llm.model", .s("in-house-llm")), ("llm.input_tokens", .i(10)), ("llm.cost_usd", .d(0.25)),
                ]),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.costs[0], SpanCost(usd: 0.5, source: .reported))  // not the computed $0.0035
        XCTAssertEqual(a.costs[1], SpanCost(usd: 0.25, source: .reported))
        XCTAssertEqual(a.traceTotals.map(\.costUSD), [0.5, 0.25])
        XCTAssertEqual(a.traceTotals.map(\.costComplete), [true, true])
        // gpt-4o at list price: 1,000 × 2.50 + 100 × 10 = 3,500 → $0.0035; $0.5 reported is kept and flagged.
        // The in-house model has no list price: nothing to compare, no flag.
        XCTAssertEqual(a.traceTotals.map(\.costMismatches), [1, 0])
        XCTAssertEqual(a.calls.group(of: 0)?.listCostUSD ?? 0, 0.0035, accuracy: 1e-15)
        XCTAssertEqual(
            a.warnings, ["1 call(s): reported cost differs from list price by more than 5 %; the reported cost is used"]
        )
    }

    /// A hand-made wrapper (article keys) around an instrumentation span (OTel GenAI keys).
    private func wrapper(usage wrapperUsage: Bool, childUsage: Bool) throws -> (SpanStore, Analysis) {
        var wAttrs: [(String, A)] = [("step.type", .s("llm_call")), ("llm.model", .s("gpt-4o"))]
        if wrapperUsage { wAttrs += [("llm.input_tokens", .i(1_000)), ("llm.output_tokens", .i(100))] }
        var cAttrs: [(String, A)] = [("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o"))]
        if childUsage { cAttrs += [("gen_ai.usage.input_tokens", .i(1_000)), ("gen_ai.usage.output_tokens", .i(100))] }
        let s = try store([
            span(id: 1, name: "agent", start: 0, end: 100, attrs: [("agent.name", .s("a"))]),
            span(id: 2, parent: 1, name: "wrapper", start: 10, end: 90, attrs: wAttrs),
            span(id: 3, parent: 2, name: "child", start: 20, end: 80, attrs: cAttrs),
        ])
        return (s, analyse(s))
    }

    func testNoDoubleCountWrapperUsageOverChildUsage() throws {
        let (_, a) = try wrapper(usage: true, childUsage: true)
        XCTAssertEqual(a.counted, [false, false, true])
        let t = a.traceTotals[0]
        XCTAssertEqual(t.llmCalls, 1)
        XCTAssertEqual(t.inputTokens, 1_000)
        XCTAssertEqual(t.outputTokens, 100)
        XCTAssertEqual(t.costUSD, 0.0035, accuracy: 1e-15)  // 1,000 × 2.50 + 100 × 10 = 3,500 → $0.0035, once
        XCTAssertEqual(a.subtree[1].llmCalls, 1)
        XCTAssertEqual(a.selfTotals[1].llmCalls, 0)
    }

    func testNoDoubleCountWrapperUsageOverChildWithout() throws {
        let (_, a) = try wrapper(usage: true, childUsage: false)
        XCTAssertEqual(a.counted, [false, true, false])
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].inputTokens, 1_000)
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.0035, accuracy: 1e-15)
        XCTAssertTrue(a.traceTotals[0].costComplete)
    }

    func testNoDoubleCountWrapperWithoutUsageOverChildUsage() throws {
        let (_, a) = try wrapper(usage: false, childUsage: true)
        XCTAssertEqual(a.counted, [false, false, true])
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].outputTokens, 100)
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.0035, accuracy: 1e-15)
        XCTAssertTrue(a.traceTotals[0].costComplete)
        XCTAssertEqual(a.warnings, [])
    }

    func testSiblingCallsAreEachCounted() throws {
        let (s, _) = try wrapper(usage: false, childUsage: false)
        let a = analyse(s)
        // Neither has usage: the innermost call counts, once, with unknown cost.
        XCTAssertEqual(a.counted, [false, false, true])
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].unknownCostCalls, 1)
    }

    func testAgentTotalCostIsNotAdded() throws {
        let s = try store([
            span(
                id: 1, name: "agent.run", start: 0, end: 100,
                attrs: [("agent.name", .s("a")), ("agent.total_cost", .d(9.99))]),
            span(
                id: 2, parent: 1, name: "llm", start: 10, end: 20,
                attrs: [
                    ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .i(1_000)), ("llm.output_tokens", .i(100)),
                ]),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.facts[0].reportedRollupCost, 9.99)
        XCTAssertEqual(a.costs[0], .none)
        XCTAssertEqual(a.counted, [false, true])
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.0035, accuracy: 1e-15)
        XCTAssertEqual(a.subtree[0].costUSD, 0.0035, accuracy: 1e-15)
    }

    func testSubtreeTotalsAtEveryNode() throws {
        let s = try store([
            span(id: 1, name: "root", start: 0, end: 1_000, attrs: [("agent.name", .s("a"))]),
            span(
                id: 2, parent: 1, name: "llm1", start: 100, end: 400,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                    ("gen_ai.usage.input_tokens", .i(1_000)), ("gen_ai.usage.output_tokens", .i(100)),
                ]),
            span(
                id: 3, parent: 1, name: "tool", start: 400, end: 600,
                attrs: [("gen_ai.operation.name", .s("execute_tool")), ("gen_ai.tool.name", .s("t"))],
                events: ["exception"]),  // an exception event, status left unset
            span(
                id: 4, parent: 3, name: "llm2", start: 450, end: 550,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o-mini")),
                    ("gen_ai.usage.input_tokens", .i(2_000)), ("gen_ai.usage.cache_read.input_tokens", .i(1_000)),
                    ("gen_ai.usage.output_tokens", .i(500)),
                ], status: 2),
            span(
                id: 5, parent: 1, name: "llm3", start: 600, end: 900,
                attrs: [
                    ("llm.model", .s("claude-sonnet-4")), ("llm.input_tokens", .i(300)), ("llm.output_tokens", .i(30)),
                    ("llm.cost_usd", .d(0.01)),
                ]),
        ])
        let a = analyse(s)
        // llm1 (gpt-4o): 1,000 × 2.50 + 100 × 10 = 3,500 → $0.0035.
        // llm2 (gpt-4o-mini): 1,000 × 0.15 + 1,000 × 0.075 + 500 × 0.60 = 150 + 75 + 300 = 525 → $0.000525.
        // llm3: reported $0.01.
        func sub(_ n: String) -> Totals { a.subtree[Int(index(s, n))] }
        XCTAssertEqual(a.costs[Int(index(s, "llm1"))].usd, 0.0035, accuracy: 1e-15)
        XCTAssertEqual(a.costs[Int(index(s, "llm2"))].usd, 0.000525, accuracy: 1e-15)
        XCTAssertEqual(a.costs[Int(index(s, "llm3"))], SpanCost(usd: 0.01, source: .reported))

        let llm2 = sub("llm2")
        XCTAssertEqual([llm2.spans, llm2.llmCalls, llm2.errors, llm2.unknownCostCalls], [1, 1, 1, 0])
        XCTAssertEqual([llm2.inputTokens, llm2.outputTokens, llm2.cachedInputTokens], [2_000, 500, 1_000])

        let tool = sub("tool")
        XCTAssertEqual([tool.spans, tool.llmCalls, tool.errors], [2, 1, 2])
        XCTAssertEqual([tool.inputTokens, tool.outputTokens, tool.cachedInputTokens], [2_000, 500, 1_000])
        XCTAssertEqual(tool.costUSD, 0.000525, accuracy: 1e-15)
        XCTAssertEqual(a.selfTotals[Int(index(s, "tool"))].errors, 1)
        XCTAssertEqual(a.selfTotals[Int(index(s, "tool"))].llmCalls, 0)

        let llm1 = sub("llm1")
        XCTAssertEqual([llm1.spans, llm1.llmCalls, llm1.errors], [1, 1, 0])
        XCTAssertEqual(llm1.costUSD, 0.0035, accuracy: 1e-15)
        let llm3 = sub("llm3")
        XCTAssertEqual([llm3.inputTokens, llm3.outputTokens], [300, 30])
        XCTAssertEqual(llm3.costUSD, 0.01)

        // Root: 5 spans, 3 calls, 1,000 + 2,000 + 300 = 3,300 in, 100 + 500 + 30 = 630 out, 1,000 cached,
        // $0.0035 + $0.000525 + $0.01 = $0.014025, errors: tool (exception) + llm2 (status) = 2.
        let root = sub("root")
        XCTAssertEqual([root.spans, root.llmCalls, root.errors, root.unknownCostCalls], [5, 3, 2, 0])
        XCTAssertEqual([root.inputTokens, root.outputTokens, root.cachedInputTokens], [3_300, 630, 1_000])
        XCTAssertEqual(root.costUSD, 0.014025, accuracy: 1e-15)
        XCTAssertTrue(root.costComplete)
        XCTAssertEqual(a.traceTotals[0], root)
        XCTAssertEqual(a.isError.map { $0 }, [false, false, true, true, false])
    }

    func testSelfTimeWithOverlappingChildren() throws {
        let s = try store([
            span(id: 1, name: "parent", start: 0, end: 1_000),
            span(id: 2, parent: 1, name: "a", start: 100, end: 500),
            span(id: 3, parent: 1, name: "b", start: 300, end: 700),  // overlaps a
            span(id: 4, parent: 1, name: "inside", start: 350, end: 450),  // inside a and b
            span(id: 5, parent: 1, name: "c", start: 800, end: 1_200),  // outlives the parent
        ])
        let a = analyse(s)
        // Covered: [100, 700] ∪ [800, 1000] = 600 + 200 = 800 of 1,000 → 200 ns of self time.
        XCTAssertEqual(a.selfNanos[Int(index(s, "parent"))], 200)
        XCTAssertEqual(a.selfNanos[Int(index(s, "a"))], 400)
        XCTAssertEqual(a.selfNanos[Int(index(s, "c"))], 400)
        XCTAssertEqual(a.subtreeStart[Int(index(s, "parent"))], 0)
        XCTAssertEqual(a.subtreeEnd[Int(index(s, "parent"))], 1_200)
        XCTAssertEqual(a.subtreeEnd[Int(index(s, "a"))], 500)
    }

    func testTracesOfTheOtelTuiSample() throws {
        var s = SpanStore()
        _ = try TraceLoaderShim.load("/work/shared/samples/otel-tui-test_data.traces.jsonl", into: &s)
        let a = analyse(s)
        XCTAssertEqual(a.forest.traces.count, 141)
        XCTAssertEqual(a.forest.traces.map(\.spans.count).reduce(0, +), 547)
        XCTAssertEqual(a.traceTotals.map(\.spans).reduce(0, +), 547)
        XCTAssertEqual(a.traceTotals.map(\.llmCalls).reduce(0, +), 0)
    }

    /// On two cores (the trees beside the facts and costs, the traces' rollups in two halves) the
    /// analysis is the one made on one core: 300 traces of four calls, each with a tool beneath, one
    /// of them an error, one outliving its parent.
    func testTwoCoresAnalyseAsOne() throws {
        var spans: [String] = []
        for t in 0..<300 {
            let trace = String(format: "%032x", t + 1)
            let base = UInt64(t) * 100
            let start = Int64(t) * 1_000
            spans.append(span(trace: trace, id: base + 1, name: "run \(t)", start: start, end: start + 500))
            for c in 0..<8 {
                let id = base + 2 + UInt64(c)
                spans.append(
                    span(
                        trace: trace, id: id, parent: c < 4 ? base + 1 : base + 2 + UInt64(c - 4),
                        name: c < 4 ? "call \(c)" : "tool \(c)",
                        start: start + Int64(c) * 40, end: start + Int64(c) * 40 + (c == 7 ? 900 : 60),
                        attrs: c >= 4
                            ? []
                            : [
                                ("gen_ai.operation.name", .s("chat")),
                                ("gen_ai.request.model", .s(c % 3 == 0 ? "gpt-4o" : "o4-mini")),
                                ("gen_ai.usage.input_tokens", .i(Int64(100 * (c + 1)))),
                                ("gen_ai.usage.output_tokens", .i(Int64(10 + t))),
                            ], status: c == 5 ? 2 : 0))
            }
        }
        let s = try store(spans)
        let one = Analysis(store: s, prices: .embedded, twoCores: false)
        let two = Analysis(store: s, prices: .embedded, twoCores: true)
        XCTAssertEqual(two.forest.traces.count, 300)
        XCTAssertEqual(two.facts.map { "\($0)" }, one.facts.map { "\($0)" })  // NaN costs: compared as text
        XCTAssertEqual(two.costs, one.costs)
        XCTAssertEqual(two.isError, one.isError)
        XCTAssertEqual(two.counted, one.counted)
        XCTAssertEqual(two.subtree, one.subtree)
        XCTAssertEqual(two.selfNanos, one.selfNanos)
        XCTAssertEqual(two.subtreeStart, one.subtreeStart)
        XCTAssertEqual(two.subtreeEnd, one.subtreeEnd)
        XCTAssertEqual(two.traceTotals, one.traceTotals)
        XCTAssertEqual(two.warnings, one.warnings)
        // Trace 299: 9 spans, 4 calls, 100+200+300+400 input tokens, 4 × 309 output tokens, one error;
        // its last tool (under call 3) ends 280 + 900 past the start, after its root's 500.
        let last = two.traceTotals[299]
        XCTAssertEqual([last.spans, last.llmCalls, last.errors], [9, 4, 1])
        XCTAssertEqual([last.inputTokens, last.outputTokens], [1_000, 1_236])
        let root = Int(index(s, "run 299"))
        XCTAssertEqual(two.subtreeEnd[root] - two.subtreeStart[root], 1_180)
    }
}
