import Foundation
import TraceFormats
import TraceModel
import XCTest

@testable import TraceAnalysis

/// The critical path (the spans the end-to-end latency waits on) and the root's top spans by self
/// time and by cost, on hand-made timings and on the article's workflow.
final class CriticalPathTests: XCTestCase {
    let s: Int64 = 1_000_000_000

    func names(_ spans: [Int32], _ store: SpanStore) -> [String] {
        spans.map { store.string(store.spans[Int($0)].name) }
    }

    /// root 0–10 s: `a` 0–9 with `a1` 0–8 and `a2` 1–2 running beside it; `b` 1–3 beside `a`; `c` 9–12
    /// outliving the root. From the root's end: `c` (cut at 10), then before 9 `a`, in which `a1`
    /// ends last; `b` and `a2` finish while something on the path still runs, so they are off it.
    func testParallelWorkOffThePath() throws {
        let st = try store([
            span(id: 1, name: "root", start: 0, end: 10 * s),
            span(id: 2, parent: 1, name: "a", start: 0, end: 9 * s),
            span(id: 3, parent: 2, name: "a1", start: 0, end: 8 * s),
            span(id: 4, parent: 2, name: "a2", start: 1 * s, end: 2 * s),
            span(id: 5, parent: 1, name: "b", start: 1 * s, end: 3 * s),
            span(id: 6, parent: 1, name: "c", start: 9 * s, end: 12 * s),
        ])
        let a = Analysis(store: st, prices: .embedded)
        XCTAssertEqual(names(a.criticalPath(ofTrace: 0, in: st), st), ["root", "a", "a1", "c"])
        // Self time: root 0 (a, b, c cover 0–12), a 1 s (8–9), a1 8, a2 1, b 2, c 3.
        XCTAssertEqual(names(a.topSelfTime(ofTrace: 0, limit: 3), st), ["a1", "c", "b"])
    }

    /// Sequential children: each waits for the one before, so all are on the path, in time order.
    func testTheArticleWorkflowIsOneChain() throws {
        var st = SpanStore()
        _ = try TraceLoader.load(
            path: SampleTracesTests.dir.appendingPathComponent("agent-workflow.json").path, into: &st)
        let a = Analysis(store: st, prices: .embedded)
        let path = a.criticalPath(ofTrace: 0, in: st)
        XCTAssertEqual(
            names(path, st),
            [
                "agent.workflow", "agent.plan", "llm.generate", "agent.step.0", "llm.generate", "agent.step.1",
                "tool.execute", "agent.step.2", "llm.generate", "agent.synthesize", "llm.generate",
            ])
        // The failing tool call has the most time of its own (121 ms of 335); the two $0.0135 calls
        // cost the most (claude-sonnet-4 first: it starts first).
        XCTAssertEqual(names(a.topSelfTime(ofTrace: 0, limit: 1), st), ["tool.execute"])
        let dearest = a.topCost(ofTrace: 0, limit: 5)
        XCTAssertEqual(
            dearest.map { st.string(a.facts[Int($0)].model) }, ["claude-sonnet-4", "gpt-4o", "gpt-4o", "gpt-4o-mini"])
        XCTAssertEqual(dearest.map { a.costs[Int($0)].usd }, [0.0135, 0.0135, 0.006, 0.00039])
    }

    /// A chain far deeper than any stack: walked without recursion.
    func testADeepChain() throws {
        var spans: [String] = []
        for i in 1...20_000 {
            spans.append(span(id: UInt64(i), parent: UInt64(i - 1), name: "n\(i)", start: Int64(i), end: 100_000))
        }
        let st = try store(spans)
        let a = Analysis(store: st, prices: .embedded)
        XCTAssertEqual(a.criticalPath(ofTrace: 0, in: st).count, 20_000)
    }
}
