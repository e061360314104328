import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceReports

/// `diff --plain` and `--json` of the article's workflow (A, trace c2b9546e) against its rerun (B,
/// e638bca4), each read from its file as `tracetui diff FILE_A FILE_B` does. Expected figures, from
/// the files' attributes and the embedded prices:
/// - step.0's call: claude-sonnet-4 → gpt-4o at 2000/500 tokens: 2000 × $3 + 500 × $15 per 1M = $0.0135
///   → 2000 × $2.50 + 500 × $10 = $0.0100, Δ −$0.0035 (both computed: neither span reports a cost);
/// - step.2: a first gpt-4o-mini call refused with a 429 (no usage: a call of unknown cost, an error),
///   then the call A made (1000/400, $0.00039 reported, finish length): one added row;
/// - durations: the workflow 335.287123 → 406.146598 ms (+21 %: changed), step.2 32.719942 →
///   98.399656 ms (+201 %: changed), every other span within 9 %;
/// - totals: A 11 spans, 4 calls, 7.2k/1.8k, $0.006 + $0.0135 + $0.00039 + $0.0135 = $0.03339, 1 error;
///   B 12 spans, 5 calls, 7.2k/1.8k, $0.02989 known + 1 call unknown, 2 errors.
final class DiffReportTests: XCTestCase {
    static func side(_ file: String) throws -> TraceSide {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sample-traces/" + file).path
        var store = SpanStore()
        _ = try TraceLoader.load(path: path, into: &store)
        store.sources = store.sources.map { "sample-traces/" + ($0 as NSString).lastPathComponent }
        return TraceSide(store: store, analysis: Analysis(store: store, prices: .embedded), trace: 0)
    }

    static func sides() throws -> (TraceSide, TraceSide, TraceDiff) {
        let a = try side("agent-workflow.json")
        let b = try side("agent-workflow-rerun.json")
        return (a, b, TraceDiff(a, b))
    }

    func testPlainText() throws {
        let (a, b, diff) = try Self.sides()
        XCTAssertEqual(
            DiffReport.plain(diff, a: a, b: b),
            """
            diff c2b9546e → e638bca4
            A  c2b9546e0f0220f3edb7f1d5cbf15150  agent.workflow  sample-traces/agent-workflow.json  2026-11-28 10:59:59 UTC
            B  e638bca46bd70d89987fc91e855cdff8  agent.workflow  sample-traces/agent-workflow-rerun.json  2026-11-28 11:29:59 UTC
            + added  - removed  ~ changed

            SPAN                  DURATION A  DURATION B  ΔDURATION  TOKENS A  TOKENS B  ΔTOKENS    COST A    COST B     ΔCOST  CHANGES
            ~ agent.workflow           335ms       406ms    +70.9ms
                agent.plan            45.8ms      49.7ms    +3.91ms
                  llm.generate        45.7ms      49.6ms    +3.90ms  1.2k/300  1.2k/300            $0.0060   $0.0060
                agent.step.0          72.8ms      73.1ms     +330µs
            ~     llm.generate        70.5ms      70.6ms    +80.7µs  2.0k/500  2.0k/500            $0.0135   $0.0100  -$0.0035  claude-sonnet-4→gpt-4o
                agent.step.1           124ms       124ms     +516µs
                  tool.execute         121ms       122ms     +273µs
            ~   agent.step.2          32.7ms      98.4ms    +65.7ms
            +     llm.generate                    14.6ms    +14.6ms                   -                            ?         ?  gpt-4o-mini error
                  llm.generate        30.4ms      30.5ms    +87.3µs  1.0k/400  1.0k/400           $0.00039  $0.00039
                agent.synthesize      59.8ms      60.1ms     +335µs
                  llm.generate        55.5ms      55.5ms    +37.4µs  3.0k/600  3.0k/600            $0.0135   $0.0135

            TOTALS               A          B           Δ
            duration         335ms      406ms     +70.9ms
            spans               11         12          +1
            LLM calls            4          5          +1
            input tokens      7.2k       7.2k           0
            output tokens     1.8k       1.8k           0
            cost           $0.0334  $0.0299+?  -$0.0035+?
            errors               1          2          +1

            spans: 8 same, 3 changed, 1 added, 0 removed

            """)
    }

    func json(_ diff: TraceDiff, _ a: TraceSide, _ b: TraceSide) throws -> [String: Any] {
        let text = DiffReport.json(diff, a: a, b: b, warnings: ["w"])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testJSONSidesTotalsAndWarnings() throws {
        let (a, b, diff) = try Self.sides()
        let doc = try json(diff, a, b)
        XCTAssertEqual(doc.keys.sorted(), ["a", "b", "spans", "totals", "warnings"])
        XCTAssertEqual(
            doc["a"] as? NSDictionary,
            [
                "traceId": "c2b9546e0f0220f3edb7f1d5cbf15150", "file": "sample-traces/agent-workflow.json",
                "rootName": "agent.workflow", "service": "ai-service", "startTime": "2026-11-28 10:59:59",
                "durationMs": 335.287123, "spanCount": 11, "llmCalls": 4, "inputTokens": 7200, "outputTokens": 1800,
                "cachedInputTokens": 0, "costUSD": 0.03339, "costComplete": true, "errorCount": 1,
                "costMismatches": 0, "callsCountedElsewhere": 0,
            ])
        XCTAssertEqual(
            doc["b"] as? NSDictionary,
            [
                "traceId": "e638bca46bd70d89987fc91e855cdff8", "file": "sample-traces/agent-workflow-rerun.json",
                "rootName": "agent.workflow", "service": "ai-service", "startTime": "2026-11-28 11:29:59",
                "durationMs": 406.146598, "spanCount": 12, "llmCalls": 5, "inputTokens": 7200, "outputTokens": 1800,
                "cachedInputTokens": 0, "costUSD": 0.02989, "costComplete": false, "errorCount": 2,
                "costMismatches": 0, "callsCountedElsewhere": 0,
            ])
        XCTAssertEqual(
            doc["totals"] as? NSDictionary,
            [
                "same": 8, "changed": 3, "added": 1, "removed": 0,
                "delta": [
                    "durationMs": 70.859475, "spanCount": 1, "llmCalls": 1, "inputTokens": 0, "outputTokens": 0,
                    "costUSD": -0.0035, "costComplete": false, "errorCount": 1,
                ],
            ])
        XCTAssertEqual(doc["warnings"] as? [String], ["w"])
        let spans = try XCTUnwrap(doc["spans"] as? [[String: Any]])
        XCTAssertEqual(
            spans.map { "\($0["status"]!) \($0["path"]!)" },
            [
                "changed agent.workflow",
                "same agent.workflow / agent.plan",
                "same agent.workflow / agent.plan / llm.generate",
                "same agent.workflow / agent.step.0",
                "changed agent.workflow / agent.step.0 / llm.generate",
                "same agent.workflow / agent.step.1",
                "same agent.workflow / agent.step.1 / tool.execute",
                "changed agent.workflow / agent.step.2",
                "added agent.workflow / agent.step.2 / llm.generate",
                "same agent.workflow / agent.step.2 / llm.generate",
                "same agent.workflow / agent.synthesize",
                "same agent.workflow / agent.synthesize / llm.generate",
            ])
    }

    func testJSONOfTheModelChangeAndTheAddedRetry() throws {
        let (a, b, diff) = try Self.sides()
        let spans = try XCTUnwrap(try json(diff, a, b)["spans"] as? [NSDictionary])
        XCTAssertEqual(
            spans[4],
            [
                "path": "agent.workflow / agent.step.0 / llm.generate", "status": "changed",
                "a": [
                    "spanId": "290464c5c9307bec", "name": "llm.generate", "kind": "llm", "durationMs": 70.473906,
                    "model": "claude-sonnet-4", "llmCalls": 1, "inputTokens": 2000, "outputTokens": 500,
                    "costUSD": 0.0135, "finishReason": "stop", "status": "unset",
                ],
                "b": [
                    "spanId": "17d967b89f01d73d", "name": "llm.generate", "kind": "llm", "durationMs": 70.554652,
                    "model": "gpt-4o", "llmCalls": 1, "inputTokens": 2000, "outputTokens": 500, "costUSD": 0.01,
                    "finishReason": "stop", "status": "unset",
                ],
                "delta": [
                    "durationMs": 0.080746, "llmCalls": 0, "inputTokens": 0, "outputTokens": 0, "costUSD": -0.0035,
                    "costComplete": true, "errorCount": 0, "model": ["a": "claude-sonnet-4", "b": "gpt-4o"],
                    "finishReason": NSNull(), "status": NSNull(),
                ],
            ] as NSDictionary)
        XCTAssertEqual(
            spans[8],
            [
                "path": "agent.workflow / agent.step.2 / llm.generate", "status": "added", "a": NSNull(),
                "b": [
                    "spanId": "ff113a1e39b95d93", "name": "llm.generate", "kind": "llm", "durationMs": 14.646791,
                    "model": "gpt-4o-mini", "llmCalls": 1, "inputTokens": 0, "outputTokens": 0, "costUSD": NSNull(),
                    "finishReason": NSNull(), "status": "error",
                ],
                "delta": [
                    "durationMs": 14.646791, "llmCalls": 1, "inputTokens": 0, "outputTokens": 0, "costUSD": 0,
                    "costComplete": false, "errorCount": 1, "model": NSNull(), "finishReason": NSNull(),
                    "status": NSNull(),
                ],
            ] as NSDictionary)
    }

    /// The signed texts both front ends show.
    func testSignedDeltaTexts() {
        var d = DiffDelta()
        XCTAssertEqual(DiffText.cost(d), "$0")
        XCTAssertEqual(DiffText.rowCost(d), "")
        d.costUSD = 0.01 - 0.0135
        XCTAssertEqual(DiffText.cost(d), "-$0.0035")
        d.unknownCostCalls = 1
        XCTAssertEqual(DiffText.cost(d), "-$0.0035+?")
        d.costUSD = 0
        XCTAssertEqual(DiffText.rowCost(d), "?")
        XCTAssertEqual(DiffText.duration(70_859_475), "+70.9ms")
        XCTAssertEqual(DiffText.duration(-2_400_000), "-2.40ms")
        XCTAssertEqual(DiffText.tokenPair(1000, -400), "+1.0k/-400")
        XCTAssertEqual(DiffText.tokenPair(0, 0), "")
    }
}
