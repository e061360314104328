import Foundation
import XCTest

/// `view --filter` and `summary --filter` on the bundled samples: which traces and spans an
/// expression selects, worked out by hand from the samples' attributes, and a wrong expression.
final class FilterEndToEndTests: XCTestCase {
    let workflow = Harness.repoRoot.appendingPathComponent("sample-traces/agent-workflow.json").path
    let multi = Harness.repoRoot.appendingPathComponent("sample-traces/multi-trace.jsonl").path

    func testViewPlainShowsTheMatchesWithTheirAncestors() throws {
        // The article's calls cost $0.0060, $0.0135 (claude-sonnet-4, priced here), $0.00039 and $0.0135.
        let r = try Harness.run(["view", "--plain", "--filter", "cost>0.01", workflow])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(
            r.stdout,
            """
            trace c2b9546e0f0220f3edb7f1d5cbf15150  ai-service  2026-11-28 10:59:59 UTC  11 spans, 4 LLM calls, $0.0334
            SPAN                  KIND      DURATION  TOKENS IN/OUT     COST  STATUS
              agent.workflow      workflow     335ms              -        -  unset
                agent.step.0      llm         72.8ms              -        -  unset
            *     llm.generate    llm         70.5ms       2.0k/500  $0.0135  unset
                agent.synthesize  agent       59.8ms              -        -  unset
            *     llm.generate    llm         55.5ms       3.0k/600  $0.0135  unset


            """)
    }

    func testViewListCountsTheMatchesOfEachTrace() throws {
        // multi-trace.jsonl: the failed search (tool.execute and its search.query), the 429 call, and
        // the `length` finish of the 4000-token summary; the claude-sonnet-4 trace has neither.
        let r = try Harness.run(["view", "--plain", "--filter", "status=error or finish=length", multi])
        XCTAssertEqual(r.status, 0, r.stderr)
        let list = r.stdout.components(separatedBy: "\n\n")[0].split(separator: "\n")
        XCTAssertEqual(list[0].hasSuffix("ERR  MATCH"), true, String(list[0]))
        XCTAssertEqual(list.map { String($0.prefix(8)) }, ["TRACE   ", "92211aca", "b30eab32", "c810f0ac"])
        XCTAssertEqual(list.dropFirst().map { String($0.suffix(1)) }, ["1", "2", "1"])
    }

    func testViewJSONMarksTheMatches() throws {
        let r = try Harness.run(["view", "--json", "--filter", "tokens.in>=2k and model=gpt-4o", workflow])
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let trace = try XCTUnwrap((doc["traces"] as? [[String: Any]])?.first)
        XCTAssertEqual(trace["matchedSpans"] as? Int, 1)
        // The whole tree is there; only the synthesis call (3000 tokens in, gpt-4o) says it matches.
        var matched: [String] = []
        var spans = 0
        func walk(_ nodes: [[String: Any]]) {
            for n in nodes {
                spans += 1
                if n["match"] as? Bool == true { matched.append("\(n["name"]!) \(n["inputTokens"]!)") }
                walk(n["children"] as? [[String: Any]] ?? [])
            }
        }
        walk(trace["spans"] as? [[String: Any]] ?? [])
        XCTAssertEqual(spans, 11)
        XCTAssertEqual(matched, ["llm.generate 3000"])
    }

    func testNoMatchAndAWrongExpression() throws {
        let none = try Harness.run(["view", "--plain", "--filter", "model=gpt-5*", workflow])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stdout, "")
        XCTAssertEqual(none.stderr, "tracetui: no span matches model=gpt-5*\n")

        let wrong = try Harness.run(["summary", "--filter", "dur>2s and (cost>x", workflow])
        XCTAssertEqual(wrong.status, 64)
        XCTAssertEqual(wrong.stdout, "")
        XCTAssertEqual(
            wrong.stderr,
            """
            tracetui: --filter: column 18: 'x' is not a cost (0.05 or $0.05)
              dur>2s and (cost>x
                               ^

            """)
        let unknown = try Harness.run(["view", "--filter", "colour=red", workflow])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.hasPrefix("tracetui: --filter: column 1: unknown field 'colour' (fields: cost,"))
    }

    func testSummaryCountsOnlyTheMatchingTraces() throws {
        // Only the trace of the gpt-4o-mini call: 1 call of 7, $0.00090 (4000×0.15/1M + 500×0.6/1M);
        // "now" stays the newest span end of the whole file.
        let r = try Harness.run(["summary", "--json", "--filter", "model=gpt-4o-mini", multi])
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(doc["llmCalls"] as? Int, 1)
        XCTAssertEqual(doc["now"] as? String, "2026-11-28 12:00:00")
        XCTAssertEqual((doc["filter"] as? [String: Any])?["expression"] as? String, "model=gpt-4o-mini")
        let all = try Harness.run(["summary", "--json", multi])
        let allDoc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(allDoc["llmCalls"] as? Int, 7)
        XCTAssertTrue((allDoc["filter"] as? [String: Any])?["expression"] is NSNull)

        let text = try Harness.run(["summary", "--filter", "model=gpt-4o-mini", multi])
        XCTAssertEqual(
            text.stdout.split(separator: "\n")[0],
            "tracetui summary · now 2026-11-28 12:00:00 UTC · 1 call · traces matching model=gpt-4o-mini")
    }
}
