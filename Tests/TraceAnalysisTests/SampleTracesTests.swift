import Foundation
import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceAnalysis

/// The bundled sample-traces/, made by real instrumentations, read with the expected facts.
/// Every dollar figure is worked out from the tokens and the embedded per-1M prices.
final class SampleTracesTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-traces")

    func analyse(_ name: String) throws -> (SpanStore, Analysis) {
        var store = SpanStore()
        let r = try TraceLoader.load(path: Self.dir.appendingPathComponent(name).path, into: &store)
        XCTAssertEqual(r.issues, [])
        return (store, Analysis(store: store, prices: .embedded))
    }

    /// The dashboard reads answers without their prompts (`answer(of:in:)`): on every span of every
    /// sample, in every convention, it is what the detail pane reads as the answer.
    func testTheAnswerAloneIsTheConversationsOutput() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path)
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
        XCTAssertEqual(files.count, 17)
        var answered = 0
        for file in files {
            let (store, _) = try analyse(file)
            for span in store.spans {
                let output = conversation(of: span, in: store).output
                XCTAssertEqual(answer(of: span, in: store), output, file)
                if !output.isEmpty { answered += 1 }
            }
        }
        XCTAssertEqual(answered, 32)  // spans with an answer, across the conventions
    }

    /// The dashboard counts answers from bytes where it can (`AnswerLength`): on every span of every
    /// sample, the count is the characters of the answer the detail pane reads.
    func testAnswerLengthsAreTheAnswersCharacters() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path)
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.sorted()
        var fromBytes = 0
        var answered = 0
        for file in files {
            let (store, _) = try analyse(file)
            let length = AnswerLength(strings: store.strings)
            for span in store.spans {
                let expected = answer(of: span, in: store).map(\.text).joined().count
                XCTAssertEqual(length(span, in: store), expected, file)
                if let n = length.countFromBytes(span, store), n > 0 {
                    XCTAssertEqual(n, expected, file)
                    fromBytes += 1
                }
                if expected > 0 { answered += 1 }
            }
        }
        XCTAssertEqual(answered, 24)  // of the 32 spans with an answer, 8 have no text
        XCTAssertEqual(fromBytes, 24)
    }

    func testArticleAgentWorkflow() throws {
        let (_, a) = try analyse("agent-workflow.json")
        XCTAssertEqual(a.forest.traces.count, 1)
        let t = a.traceTotals[0]
        XCTAssertEqual(t.spans, 11)
        XCTAssertEqual(t.llmCalls, 4)
        XCTAssertEqual(t.inputTokens, 1200 + 2000 + 1000 + 3000)
        XCTAssertEqual(t.outputTokens, 300 + 500 + 400 + 600)
        XCTAssertEqual(t.errors, 1)
        // reported 0.006 + 0.00039 + 0.0135, and claude-sonnet-4 computed: 2000×3/1M + 500×15/1M = 0.0135
        XCTAssertEqual(t.costUSD, 0.006 + 0.00039 + 0.0135 + 0.0135, accuracy: 1e-12)
        XCTAssertTrue(t.costComplete)
    }

    func testCollectorJSONLinesWithSkippedSignals() throws {
        var store = SpanStore()
        let r = try TraceLoader.load(path: Self.dir.appendingPathComponent("multi-trace.jsonl").path, into: &store)
        XCTAssertEqual(r.skippedValues, 2)  // one metrics line, one logs line
        let a = Analysis(store: store, prices: .embedded)
        XCTAssertEqual(a.forest.traces.count, 6)
        XCTAssertEqual(store.spans.count, 17)
        // The rate-limited claude call carries no tokens: its cost is unknown and says so.
        XCTAssertEqual(a.traceTotals.filter { !$0.costComplete }.count, 1)
        XCTAssertTrue(a.warnings.contains("1 call(s) to model \"claude-sonnet-4\" carry no token counts: cost unknown"))
    }

    func testAnthropicCacheReadsAndWritesInsideTheInputCount() throws {
        // Call 1: 3200 input incl. a 3000-token cache write: 200×3 + 3000×3.75 + 300×15 = 16350 → $0.01635
        // Call 2: 3600 input incl. 3000 read + 500 written: 100×3 + 3000×0.30 + 500×3.75 + 250×15 = 6825 → $0.006825
        for file in ["anthropic-cache.json", "anthropic-cache-openinference.json", "anthropic-sdk-native.json"] {
            let (_, a) = try analyse(file)
            let costs = a.traceTotals.map(\.costUSD).sorted()
            XCTAssertEqual(costs.count, 2, file)
            XCTAssertEqual(costs[0], 0.006825, accuracy: 1e-12, file)
            XCTAssertEqual(costs[1], 0.01635, accuracy: 1e-12, file)
        }
    }

    func testOpenAIInstrumentationsAgree() throws {
        // gpt-4o, 1200 in (1024 cached) / 300 out: 176×2.5 + 1024×1.25 + 300×10 = 4720 → $0.00472;
        // without a cached figure: 1200×2.5 + 300×10 = 6000 → $0.006; the tool call: 800×2.5 + 40×10 → $0.0024.
        for (file, first) in [
            ("openinference-openai.json", 0.00472), ("openlit-openai.json", 0.00472),
            ("genai-openai-v2.json", 0.006), ("genai-openai-v2-latest.json", 0.006),
        ] {
            let (_, a) = try analyse(file)
            let costs = a.traceTotals.map(\.costUSD)
            XCTAssertEqual(costs.count, 2, file)
            XCTAssertEqual(costs.max()!, first, accuracy: 1e-12, file)
            XCTAssertEqual(costs.min()!, 0.0024, accuracy: 1e-12, file)
        }
        let (_, ll) = try analyse("openllmetry-openai.json")
        XCTAssertEqual(ll.traceTotals[0].llmCalls, 2)
        XCTAssertEqual(ll.traceTotals[0].costUSD, 0.00472 + 0.0024, accuracy: 1e-12)
    }

    func testVercelWrapperAndDoGenerateCountOnce() throws {
        let (store, a) = try analyse("vercel-ai-sdk.json")
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].inputTokens, 500)
        // gpt-4o-mini: 500×0.15 + 120×0.60 = 147 → $0.000147
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.000147, accuracy: 1e-12)
        let counted = store.spans.indices.filter { a.counted[$0] }.map { store.string(store.spans[$0].name) }
        XCTAssertEqual(counted, ["ai.generateText.doGenerate"])
    }

    // MARK: several spans describing one call (made by tools/samples/make_call_groups.py)

    func testAppWrapperWithCacheReadsOverOpenAIV2() throws {
        let (store, a) = try analyse("app-wrapper-openai-v2.json")
        XCTAssertEqual(a.forest.traces.count, 1)
        let t = a.traceTotals[0]
        XCTAssertEqual(t.llmCalls, 2)
        XCTAssertEqual(t.inputTokens, 1_200 + 800)
        XCTAssertEqual(t.cachedInputTokens, 1_024)  // known only to the wrapper (llm.cached_input_tokens)
        // The wrapper reports the app's own price, with the cache discount:
        // call 1: 176 × 2.50 + 1,024 × 1.25 + 300 × 10 = 4,720 → $0.00472 (the openai-v2 span alone: $0.006);
        // call 2: 800 × 2.50 + 40 × 10 = 2,400 → $0.0024. Before call groups: $0.0084, 18 % too high.
        XCTAssertEqual(t.costUSD, 0.00472 + 0.0024, accuracy: 1e-12)
        XCTAssertEqual(t.costMismatches, 0)  // reported = list price from the merged facts
        let counted = store.spans.indices.filter { a.counted[$0] }
        XCTAssertEqual(counted.map { store.string(store.spans[$0].name) }, ["chat gpt-4o", "chat gpt-4o"])
        XCTAssertEqual(
            counted.map { store.string(a.callFacts(of: Int32($0)).model) }, ["gpt-4o-2024-08-06", "gpt-4o-2024-08-06"])
        XCTAssertEqual(counted.map { a.costs[$0].source }, [.reported, .reported])
        XCTAssertEqual(a.warnings, [])
    }

    func testAppWrapperOverOpenInferenceWithAStalePrice() throws {
        let (store, a) = try analyse("app-wrapper-openinference.json")
        let t = a.traceTotals[0]
        XCTAssertEqual(t.llmCalls, 2)
        // call 1 reported at list price: 176 × 2.50 + 1,024 × 1.25 + 300 × 10 → $0.00472;
        // call 2 reported from a table 20 % above list: (800 × 2.50 + 40 × 10) × 1.2 = 2,880 → $0.00288,
        // against $0.0024 at list price: kept, and flagged.
        XCTAssertEqual(t.costUSD, 0.00472 + 0.00288, accuracy: 1e-12)
        XCTAssertEqual(t.costMismatches, 1)
        let flagged = try XCTUnwrap(a.calls.groups.first { $0.costMismatch })
        XCTAssertEqual(flagged.cost.usd, 0.00288, accuracy: 1e-12)
        XCTAssertEqual(flagged.listCostUSD, 0.0024, accuracy: 1e-12)
        XCTAssertEqual(a.ownCostLabel(of: flagged.counted), "$0.0029!")
        XCTAssertEqual(store.string(store.spans[Int(flagged.counted)].name), "ChatCompletion")
        XCTAssertEqual(
            a.warnings, ["1 call(s): reported cost differs from list price by more than 5 %; the reported cost is used"]
        )
    }

    func testOpenLLMetryAndTheAnthropicSDKSideBySide() throws {
        let (store, a) = try analyse("anthropic-openllmetry-and-sdk.json")
        XCTAssertEqual(a.forest.traces.count, 1)
        XCTAssertEqual(store.spans.count, 5)
        let t = a.traceTotals[0]
        // Two calls (four LLM spans): 200 × 3 + 3,000 × 3.75 + 300 × 15 = 16,350 → $0.01635 and
        // 100 × 3 + 3,000 × 0.30 + 500 × 3.75 + 250 × 15 = 6,825 → $0.006825.
        XCTAssertEqual(t.llmCalls, 2)
        XCTAssertEqual(t.inputTokens, 3_200 + 3_600)
        XCTAssertEqual(t.outputTokens, 300 + 250)
        XCTAssertEqual(t.costUSD, 0.01635 + 0.006825, accuracy: 1e-12)
        XCTAssertEqual(a.calls.groups.map(\.memberCount), [2, 2])
    }

    func testTheSameCallsInTwoTracesEach() throws {
        let (store, a) = try analyse("anthropic-openllmetry-and-sdk-split.json")
        XCTAssertEqual(a.forest.traces.count, 4)
        // Each call is in the OpenLLMetry trace and in the SDK's own; counted in the earlier one only.
        XCTAssertEqual(a.traceTotals.map(\.llmCalls).reduce(0, +), 2)
        XCTAssertEqual(a.traceTotals.map(\.costUSD).reduce(0, +), 0.01635 + 0.006825, accuracy: 1e-12)
        for (t, totals) in a.traceTotals.enumerated() {
            let root = a.forest.traces[t].rootSpan
            let name = store.string(store.spans[Int(root)].name)
            XCTAssertEqual(totals.llmCalls, name == "anthropic.chat" ? 1 : 0, name)
            if name == "anthropic.messages.create" { XCTAssertNotNil(a.traceCountingElsewhere(span: root)) }
        }
    }
}
