import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import XCTest

@testable import TraceReports

/// `--json` and `--plain` on the samples where several spans describe one call.
final class CallGroupReportTests: XCTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-traces")

    private func load(_ name: String) throws -> (SpanStore, Analysis) {
        var store = SpanStore()
        let r = try TraceLoader.load(path: Self.samples.appendingPathComponent(name).path, into: &store)
        XCTAssertEqual(r.issues, [])
        return (store, Analysis(store: store, prices: .embedded))
    }

    private func json(_ name: String) throws -> [String: Any] {
        let (store, a) = try load(name)
        let text = JSONReport.render(
            store: store, analysis: a, traces: Array(a.forest.traces.indices), warnings: a.warnings)
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// Every span of a trace, depth first.
    private func spans(_ trace: [String: Any]) -> [[String: Any]] {
        var out: [[String: Any]] = []
        var stack = (trace["spans"] as! [[String: Any]]).reversed() as [[String: Any]]
        while let s = stack.popLast() {
            out.append(s)
            stack.append(contentsOf: (s["children"] as! [[String: Any]]).reversed())
        }
        return out
    }

    func testMismatchAndGroupFieldsInJSON() throws {
        let d = try json("app-wrapper-openinference.json")
        let trace = (d["traces"] as! [[String: Any]])[0]
        XCTAssertEqual(trace["costMismatches"] as? Int, 1)
        XCTAssertEqual((trace["costUSD"] as! Double), 0.00472 + 0.00288, accuracy: 1e-12)
        let all = spans(trace)
        XCTAssertEqual(
            all.map { $0["name"] as! String },
            ["agent.run", "llm.generate", "ChatCompletion", "llm.generate", "ChatCompletion"])
        // Each wrapper points at the inner span that counts its call.
        XCTAssertEqual(all[1]["callGroup"] as? String, all[2]["spanId"] as? String)
        XCTAssertEqual(all[1]["countedCall"] as? Bool, false)
        XCTAssertEqual(all[2]["callGroup"] as? String, all[2]["spanId"] as? String)
        XCTAssertEqual(all[2]["countedCall"] as? Bool, true)
        XCTAssertNil(all[0]["callGroup"])
        XCTAssertNil(all[2]["costMismatch"])
        // The tool call: $0.00288 reported, (800 × 2.50 + 40 × 10) / 1M = $0.0024 at list price, +20 %.
        let flagged = try XCTUnwrap(all[4]["costMismatch"] as? [String: Any])
        XCTAssertEqual(flagged["reportedUSD"] as! Double, 0.00288, accuracy: 1e-12)
        XCTAssertEqual(flagged["listUSD"] as! Double, 0.0024, accuracy: 1e-12)
        XCTAssertEqual(flagged["differencePercent"] as! Double, 20, accuracy: 1e-9)
        XCTAssertEqual(all[4]["costSource"] as? String, "reported")
        // The counting span carries the call: members innermost first, and where each fact came from.
        let call = try XCTUnwrap(all[4]["call"] as? [String: Any])
        XCTAssertEqual(call["spans"] as? [String], [all[4]["spanId"] as! String, all[3]["spanId"] as! String])
        let sources = call["sources"] as! [String: [String: String]]
        XCTAssertEqual(sources["reportedCostUSD"], ["spanId": all[3]["spanId"] as! String, "key": "llm.cost_usd"])
        XCTAssertEqual(
            sources["inputTokens"], ["spanId": all[4]["spanId"] as! String, "key": "llm.token_count.prompt"])
        XCTAssertEqual(sources["model"], ["spanId": all[4]["spanId"] as! String, "key": "llm.model_name"])
        XCTAssertEqual((call["disagreements"] as! [Any]).count, 0)
        XCTAssertEqual(all[4]["model"] as? String, "gpt-4o-2024-08-06")
        XCTAssertEqual(
            d["warnings"] as? [String],
            ["1 call(s): reported cost differs from list price by more than 5 %; the reported cost is used"])
    }

    func testCallCountedInAnEarlierTraceInJSON() throws {
        let d = try json("anthropic-openllmetry-and-sdk-split.json")
        let traces = d["traces"] as! [[String: Any]]
        XCTAssertEqual(traces.map { $0["llmCalls"] as! Int }.reduce(0, +), 2)
        for t in traces {
            let root = (t["spans"] as! [[String: Any]])[0]
            if root["name"] as? String == "anthropic.messages.create" {
                XCTAssertEqual(root["countedCall"] as? Bool, false)
                let counter = try XCTUnwrap(root["countedInTrace"] as? String)
                let other = traces.first { $0["traceId"] as? String == counter }!
                let counting = (other["spans"] as! [[String: Any]])[0]
                XCTAssertEqual(counting["name"] as? String, "anthropic.chat")
                XCTAssertEqual(root["callGroup"] as? String, counting["spanId"] as? String)
                XCTAssertEqual(t["llmCalls"] as? Int, 0)
                XCTAssertEqual(t["callsCountedElsewhere"] as? Int, 1)
                XCTAssertEqual(t["costUSD"] as? Double, 0)
            } else {
                XCTAssertEqual(root["countedCall"] as? Bool, true)
                XCTAssertNil(root["countedInTrace"])
                XCTAssertEqual(t["callsCountedElsewhere"] as? Int, 0)
            }
        }
    }

    func testPlainTreeMarksTheFlaggedCallAndTheTotal() throws {
        let (store, a) = try load("app-wrapper-openinference.json")
        let text = PlainReport.tree(store: store, analysis: a, trace: 0)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines[0],
            "trace 0683418e84da14e2dd6cc0e48f2942e2  support-app  2026-11-28 04:59:59 UTC  5 spans, 2 LLM calls, $0.0076!"
        )
        XCTAssertEqual(
            Array(lines[2...]),
            [
                "agent.run           agent    60.6ms              -         -  unset",
                "  llm.generate      llm      53.8ms              -  ~$0.0047  unset",
                "    ChatCompletion  llm      17.1ms       1.2k/300   $0.0047  ok",
                "  llm.generate      llm      6.58ms              -  ~$0.0029  unset",
                "    ChatCompletion  llm      5.14ms         800/40  $0.0029!  ok",
            ])
    }

    func testPlainTreeMarksACallCountedInAnotherTrace() throws {
        let (store, a) = try load("anthropic-openllmetry-and-sdk-split.json")
        let t = try XCTUnwrap(a.trace(matching: "595757bb"))
        let lines = PlainReport.tree(store: store, analysis: a, trace: t).split(separator: "\n")
        XCTAssertEqual(
            lines.first,
            "trace 595757bbcee2ead5ccaa567736a2e5ad  support-app  2026-11-28 02:59:59 UTC  "
                + "1 spans, 0 LLM calls, 1 more counted in an earlier trace, -")
        XCTAssertEqual(
            lines.last,
            "anthropic.messages.create [counted in trace 3c9b85ed]  llm     22.1ms              -  ~$0.0164  ok")
    }
}
