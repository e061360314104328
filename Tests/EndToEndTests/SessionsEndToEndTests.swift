import Foundation
import XCTest

/// `view --sessions` on sample-traces/chat-sessions.json (three conversations made with OpenInference,
/// the OTel GenAI instrumentation and a Langfuse session key): JSON and text.
final class SessionsEndToEndTests: XCTestCase {
    let sample = Harness.repoRoot.appendingPathComponent("sample-traces/chat-sessions.json").path

    func testSessionsJSON() throws {
        let r = try Harness.run(["view", "--sessions", "--json", sample])
        // One call of the openai-v2 conversation is a 429 without usage: a warning, every input read.
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sessions = try XCTUnwrap(doc["sessions"] as? [[String: Any]])
        XCTAssertEqual(sessions.map { $0["sessionId"] as? String }, ["sess-a4f1c2", "conv-b83d07", "lf-sess-c5e91b"])
        let a = sessions[0]
        XCTAssertEqual(a["turnCount"] as? Int, 4)
        XCTAssertEqual(a["llmCalls"] as? Int, 5)
        XCTAssertEqual(a["inputTokens"] as? Int, 6560)
        XCTAssertEqual(a["outputTokens"] as? Int, 355)
        XCTAssertEqual(a["cachedInputTokens"] as? Int, 4736)
        XCTAssertEqual(try XCTUnwrap(a["costUSD"] as? Double), 0.01403, accuracy: 1e-12)
        XCTAssertEqual(a["errorCount"] as? Int, 0)
        let turns = try XCTUnwrap(a["turns"] as? [[String: Any]])
        XCTAssertEqual(
            turns.map { $0["traceId"] as? String },
            [
                "1176869d40c9cf4b4d3e62de097f0ca9", "0dd9f4378356deb4fc523e7c9b2b9f1c",
                "a255c1bb89c6a3f7a1c2b38e9d91b94f", "ba82e7ea71b10abd8a3ed1d61301ba3e",
            ])
        XCTAssertEqual(turns.map { $0["inputTokens"] as? Int }, [1100, 1220, 2750, 1490])
        XCTAssertEqual(turns.map { $0["contextTokens"] as? Int }, [1100, 1220, 1400, 1490])
        // 1024 of 1220 cached.
        XCTAssertEqual(try XCTUnwrap(turns[1]["cachedShare"] as? Double), 1024.0 / 1220.0, accuracy: 1e-9)
        XCTAssertEqual(turns[2]["input"] as? String, "Great, please start the return for order 4417.")
        XCTAssertEqual(try XCTUnwrap(turns[2]["costUSD"] as? Double), 0.004685, accuracy: 1e-12)
        let b = sessions[1]
        XCTAssertEqual(b["errorCount"] as? Int, 1)
        XCTAssertEqual(b["costComplete"] as? Bool, false)
        XCTAssertEqual(
            ((b["turns"] as? [[String: Any]])?.last)?["input"] as? String,
            "And how much is shipping for two pairs of headphones?")
        XCTAssertEqual(
            doc["warnings"] as? [String], ["1 call(s) to model \"gpt-4o-mini\" carry no token counts: cost unknown"])
    }

    func testSessionsText() throws {
        let r = try Harness.run(["view", "--sessions", "--plain", sample])
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(
            Array(lines[0...5]),
            [
                "session sess-a4f1c2  4 turns  2026-11-28 10:30:00 UTC  12m00s  5 LLM calls  6.6k/355 tok  $0.0140  0 errors",
                "TURN  START (UTC)  TRACE     INPUT TOK  CACHED  LATENCY     COST  ERR  INPUT",
                "   1  10:30:00     1176869d       1100      0%    721ms  $0.0037    0  Hi! I bought the Aria headphones three weeks ago. Can I sti…",
                "   2  10:33:00     0dd9f437       1220     84%    761ms  $0.0029    0  They were $129. Is there a restocking fee?",
                "   3  10:37:30     a255c1bb       2750     88%    993ms  $0.0047    0  Great, please start the return for order 4417.",
                "   4  10:42:00     ba82e7ea       1490     86%    566ms  $0.0028    0  Thanks! How long until the refund shows up?",
            ])
        let none = try Harness.run([
            "view", "--sessions", "--plain",
            Harness.repoRoot.appendingPathComponent("sample-traces/agent-workflow.json").path,
        ])
        XCTAssertEqual(
            none.stdout,
            "no sessions: no trace carries gen_ai.conversation.id, session.id, langfuse.session.id, langsmith.metadata.thread_id, langsmith.metadata.conversation_id, langsmith.metadata.session_id, thread_id, conversation_id\n"
        )
    }
}
