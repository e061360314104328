import Foundation
import TraceFormats
import TraceModel
import XCTest

@testable import TraceAnalysis

/// Conversations of sample-traces/chat-sessions.json (OpenInference `session.id`, OTel GenAI
/// `gen_ai.conversation.id`, Langfuse `langfuse.session.id`), and what each run was asked; figures
/// worked out by hand from the sample's usage and the default prices (gpt-4o $2.50 in, $1.25 cached,
/// $10 out per 1M; gpt-4o-mini $0.15, $0.60).
final class SessionTests: XCTestCase {
    func load(_ files: String...) throws -> (SpanStore, Analysis) {
        var store = SpanStore()
        for f in files {
            _ = try TraceLoader.load(path: SampleTracesTests.dir.appendingPathComponent(f).path, into: &store)
        }
        return (store, Analysis(store: store, prices: .embedded))
    }

    func testTurnsOfThreeConventions() throws {
        let (store, a) = try load("chat-sessions.json", "agent-workflow.json")
        let sessions = a.sessions(in: store)
        XCTAssertEqual(sessions.map(\.id), ["sess-a4f1c2", "conv-b83d07", "lf-sess-c5e91b"])
        XCTAssertEqual(sessions.map(\.turns.count), [4, 2, 1])

        let s = sessions[0]
        XCTAssertEqual(
            s.turns.map { a.runInput(ofTrace: $0.trace, in: store) },
            [
                "Hi! I bought the Aria headphones three weeks ago. Can I still return them?",
                "They were $129. Is there a restocking fee?", "Great, please start the return for order 4417.",
                "Thanks! How long until the refund shows up?",
            ])
        // Input tokens per turn, the third with two calls (1350 + 1400); the context is its larger call.
        XCTAssertEqual(s.turns.map(\.totals.inputTokens), [1100, 1220, 2750, 1490])
        XCTAssertEqual(s.turns.map(\.contextTokens), [1100, 1220, 1400, 1490])
        XCTAssertEqual(s.turns.map(\.totals.cachedInputTokens), [0, 1024, 2432, 1280])
        // 1100×2.5 + 90×10; 196×2.5 + 1024×1.25 + 110×10; (198×2.5 + 1152×1.25 + 25×10) + (120×2.5 +
        // 1280×1.25 + 60×10); 210×2.5 + 1280×1.25 + 70×10 (µ$).
        let costs = s.turns.map(\.totals.costUSD)
        for (c, e) in zip(costs, [0.00365, 0.00287, 0.004685, 0.002825]) { XCTAssertEqual(c, e, accuracy: 1e-12) }
        XCTAssertEqual(s.totals.costUSD, 0.01403, accuracy: 1e-12)
        XCTAssertEqual(s.totals.llmCalls, 5)
        XCTAssertEqual(s.durationNanos / 1_000_000_000, 720)  // 10:30:00 to the end of the 10:42 turn

        // The openai-v2 conversation: the user's message only in gen_ai.input.messages (the history is
        // sent again, so the last user message is the turn's), the second turn a 429 of unknown cost.
        let b = sessions[1]
        XCTAssertEqual(
            b.turns.map { a.runInput(ofTrace: $0.trace, in: store) },
            ["Do you ship to Norway?", "And how much is shipping for two pairs of headphones?"])
        XCTAssertEqual(b.turns[0].totals.costUSD, 0.000144, accuracy: 1e-12)
        XCTAssertEqual(b.totals.errors, 1)
        XCTAssertFalse(b.totals.costComplete)
        XCTAssertEqual(sessions[2].totals.costUSD, 0.000102, accuracy: 1e-12)
    }

    func testRunInputFeatureAndSession() throws {
        let (store, a) = try load("agent-workflow.json", "multi-trace.jsonl")
        // The article's root carries user.query; the multi-trace roots carry it too, and app.feature.
        let article = try XCTUnwrap(a.trace(matching: "c2b9"))
        XCTAssertEqual(
            a.runInput(ofTrace: article, in: store),
            "How should I trace LLM calls and agent steps with OpenTelemetry, and what do the GenAI semantic conventions look like today?"
        )
        XCTAssertEqual(a.runInput(ofTrace: 0, in: store), "What is a span?")
        XCTAssertEqual(a.forest.traces.indices.map { a.feature(ofTrace: $0, in: store) }.compactMap { $0 }.count, 6)
        XCTAssertNil(a.session(ofTrace: article, in: store))
        XCTAssertEqual(oneLine("  two\nlines\t and  spaces "), "two lines and spaces")
        XCTAssertNil(oneLine(" \n "))
        // JSON inputs (LangChain through OpenInference) read as the question they hold.
        XCTAssertEqual(
            readableInput(#"{"inputs": {"chat_history": 3, "question": "Refund  my order?"}}"#), "Refund my order?")
        XCTAssertEqual(readableInput(#"{"messages": [{"role": "user", "content": "Hi"}]}"#), "Hi")
        XCTAssertEqual(readableInput(#"{"k": 1}"#), #"{"k": 1}"#)
        XCTAssertEqual(readableInput("{not json"), "{not json")
    }
}
