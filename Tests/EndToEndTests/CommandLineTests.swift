import Foundation
import XCTest

/// The binary's plain and JSON output, exit statuses and messages.
final class CommandLineTests: XCTestCase {
    func json(_ r: Harness.Result) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stderr)
    }

    func testJSONTotalsOfTheFixture() throws {
        let r = try Harness.run(["view", "--json", Harness.fixture("two-traces.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let traces = try XCTUnwrap(try json(r)["traces"] as? [[String: Any]])
        XCTAssertEqual(traces.count, 2)
        let t = traces[0]
        XCTAssertEqual(t["traceId"] as? String, "0af7651916cd43dd8448eb211c80319c")
        XCTAssertEqual(t["rootName"] as? String, "agent.workflow")
        XCTAssertEqual(t["spanCount"] as? Int, 11)
        XCTAssertEqual(t["llmCalls"] as? Int, 4)
        XCTAssertEqual(t["inputTokens"] as? Int, 4500)
        XCTAssertEqual(t["outputTokens"] as? Int, 2000)
        XCTAssertEqual(t["errorCount"] as? Int, 1)
        // 0.006 reported + claude-sonnet-4 2000×3/1M + 500×15/1M = 0.0135 + gpt-4o-mini 800×0.15/1M + 1000×0.6/1M
        // = 0.00072 + gpt-4o 500×2.5/1M + 200×10/1M = 0.00325  → 0.02347
        XCTAssertEqual(try XCTUnwrap(t["costUSD"] as? Double), 0.02347, accuracy: 1e-12)
        XCTAssertEqual(t["costComplete"] as? Bool, true)
    }

    func testPlainOutputWhenNotATerminal() throws {
        let r = try Harness.run(["view", "--trace", "4bf9", Harness.fixture("two-traces.json")])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(
            r.stdout,
            """
            trace 4bf92f3577b34da6a3ce929d0e0e4736  chat-api  2025-11-28 12:01:00 UTC  1 spans, 1 LLM calls, $0.000027
            SPAN  KIND  DURATION  TOKENS IN/OUT       COST  STATUS
            chat  llm      1.50s         100/20  $0.000027  unset


            """)
    }

    func testStandardInput() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Harness.fixture("two-traces.json")))
        let r = try Harness.run(["view", "--json", "-"], stdin: data)
        XCTAssertEqual((try json(r)["traces"] as? [Any])?.count, 2)
    }

    func testSharedSamplesCounts() throws {
        guard let otlp = Harness.sharedSample("otlp-proto-examples-trace.json"),
            let jsonl = Harness.sharedSample("otel-tui-test_data.traces.jsonl")
        else { throw XCTSkip("../shared/samples not present") }
        let one = try json(try Harness.run(["view", "--json", otlp]))["traces"] as? [[String: Any]]
        XCTAssertEqual(one?.count, 1)
        XCTAssertEqual(one?.first?["spanCount"] as? Int, 1)
        let many = try XCTUnwrap(try json(try Harness.run(["view", "--json", jsonl]))["traces"] as? [[String: Any]])
        XCTAssertEqual(many.count, 141)
        XCTAssertEqual(many.reduce(0) { $0 + ($1["spanCount"] as? Int ?? 0) }, 547)
    }

    func testForeignFormatsAreNamed() throws {
        guard let langfuse = Harness.sharedSample("langfuse-microsoft-agent-2025-12-17.trace.json") else {
            throw XCTSkip("../shared/samples not present")
        }
        let l = try Harness.run(["view", langfuse])
        XCTAssertEqual(l.status, 1)
        XCTAssertTrue(
            l.stderr.hasPrefix("tracetui: \(langfuse): this is a Langfuse trace export, not OTLP JSON;"), l.stderr)
    }

    func testBrokenLineIsReportedAndTheRestKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("broken.jsonl")
        let good =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"0a","name":"ok","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#
        try (good + "\n" + #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"02","spanId":}]}]}]}"# + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["view", "--plain", file.path])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stdout.contains("ok    other"), r.stdout)
        XCTAssertEqual(r.stderr, "tracetui: warning: \(file.path):2:69: expected a string, found '}' (byte 206)\n")
    }

    func testMissingFile() throws {
        let r = try Harness.run(["view", "/nonexistent/trace.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "tracetui: /nonexistent/trace.json: cannot read: No such file or directory\n")
    }
}
