import Foundation
import XCTest

/// The dashboard in the real binary: in tmux from the tree, and `tracetui summary` against `view --json`.
final class DashboardEndToEndTests: XCTestCase {
    static let sample = Harness.repoRoot.appendingPathComponent("sample-traces/multi-trace.jsonl").path

    func testDashboardFromTheTreeFilterJumpAndBack() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let command =
            "env LANG=C.UTF-8 TERM=xterm-256color NO_COLOR= \(Harness.binary) view --trace c810f0ac \(Self.sample)"
        let t = try TmuxSession(command: command, width: 120, height: 40)
        try t.waitFor(text: "trace c810f0ac868f")

        // D opens the dashboard over all six traces, four rows on one screen at 120x40.
        try t.send("D")
        try t.waitFor(text: "dashboard · now 2026-11-28 12:00:00 UTC · 7 calls · filter: none")
        var screen = try t.screen()
        XCTAssertTrue(screen.contains("14.3% of LLM calls (1 of 7)"), screen)
        XCTAssertTrue(screen.contains("1 event in 1 trace(s)"), screen)
        XCTAssertTrue(screen.contains("4 QUALITY"), screen)

        // m filters by the busiest model, then the next: gpt-4o.
        try t.send("m")
        try t.waitFor(text: "filter: model=claude-sonnet-4")
        try t.send("m")
        try t.waitFor(text: "3 calls · filter: model=gpt-4o")
        screen = try t.screen()
        XCTAssertTrue(screen.contains("0% of LLM calls (0 of 3)"), screen)

        // Enter on the selected figure (gpt-4o's cost): its traces, most expensive first.
        try t.send("Enter")
        try t.waitFor(text: "most expensive traces of model gpt-4o · 3 traces")
        screen = try t.screen()
        let rows = screen.split(separator: "\n").filter { $0.hasPrefix("agent.workflow") }
        XCTAssertEqual(rows.count, 3, screen)
        XCTAssertTrue(rows.first?.contains("$0.0100") ?? false, screen)

        // Open the trace: the call behind the figure is selected; back to the list, back to the dashboard.
        try t.send("Enter")
        try t.waitFor(text: "trace 5b70e8af52ed")
        try t.send("q")
        try t.waitFor(text: "most expensive traces of model gpt-4o")
        try t.send("q")
        try t.waitFor(text: "filter: model=gpt-4o")
        // x clears the filter, q goes back to the tree the dashboard was opened from.
        try t.send("x")
        try t.waitFor(text: "7 calls · filter: none")
        try t.send("q")
        try t.waitFor(text: "trace c810f0ac868f")
        // The tree goes back to the (unfiltered) list of six traces, which quits.
        try t.send("q")
        try t.waitFor(text: "tracetui · 6 traces")
        try t.send("q")
        let deadline = Date().addingTimeInterval(5)
        while t.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(t.isRunning, "tracetui did not quit")
    }

    /// Hand-computed calls and known cost of every bundled sample, USD per 1M tokens from the embedded
    /// table (gpt-4o 2.50 / cached 1.25 / 10; gpt-4o-mini 0.15 / 0.60; claude-sonnet-4 3 / read 0.30 /
    /// write 3.75 / 15); each call counted once, however many spans describe it.
    static let expected: [String: (calls: Int, costUSD: Double, mismatches: Int)] = [
        // 0.006 + 0.00039 + 0.0135 reported; claude 2000 × 3 + 500 × 15 = 13,500 → 0.0135 computed.
        "agent-workflow.json": (4, 0.006 + 0.00039 + 0.0135 + 0.0135, 0),
        // 200 × 3 + 3000 × 3.75 + 300 × 15 → 0.01635; 100 × 3 + 3000 × 0.30 + 500 × 3.75 + 250 × 15 → 0.006825.
        "anthropic-cache.json": (2, 0.01635 + 0.006825, 0),
        "anthropic-cache-openinference.json": (2, 0.01635 + 0.006825, 0),
        "anthropic-sdk-native.json": (2, 0.01635 + 0.006825, 0),
        "anthropic-openllmetry-and-sdk.json": (2, 0.01635 + 0.006825, 0),  // 4 LLM spans, 2 calls
        "anthropic-openllmetry-and-sdk-split.json": (2, 0.01635 + 0.006825, 0),  // 4 traces, 2 calls
        // 1200 × 2.50 + 300 × 10 → 0.006 (no cache reads recorded); 800 × 2.50 + 40 × 10 → 0.0024.
        "genai-openai-v2.json": (2, 0.006 + 0.0024, 0),
        "genai-openai-v2-latest.json": (2, 0.006 + 0.0024, 0),
        // 176 × 2.50 + 1024 × 1.25 + 300 × 10 → 0.00472 with the cache reads; 0.0024.
        "openinference-openai.json": (2, 0.00472 + 0.0024, 0),
        "openlit-openai.json": (2, 0.00472 + 0.0024, 0),
        "openllmetry-openai.json": (2, 0.00472 + 0.0024, 0),
        "app-wrapper-openai-v2.json": (2, 0.00472 + 0.0024, 0),  // the wrapper's cache reads and reported costs
        "app-wrapper-openinference.json": (2, 0.00472 + 0.00288, 1),  // 0.00288 reported, 0.0024 at list: +20 %
        "vercel-ai-sdk.json": (1, 0.000147, 0),  // 500 × 0.15 + 120 × 0.60 = 147
        // Reported: 0.0045 + 0.0009 + 0.012 + 0.003 + 0.009 + 0.01; the rate-limited call's cost is unknown.
        "multi-trace.jsonl": (7, 0.0045 + 0.0009 + 0.012 + 0.003 + 0.009 + 0.01, 0),
        // The article's workflow with gpt-4o on step 0 (2000 × 2.5 + 500 × 10 = $0.01) and a 429 retried
        // on step 2: 0.006 + 0.01 + 0.00039 + 0.0135; the rate-limited attempt's cost is unknown.
        "agent-workflow-rerun.json": (5, 0.006 + 0.01 + 0.00039 + 0.0135, 0),
    ]

    /// On every bundled sample, the summary's totals equal the sums of `view --json`'s trace totals,
    /// and both equal the hand-computed figures.
    func testSummaryAgreesWithViewJSONOnTheSamples() throws {
        let dir = Harness.repoRoot.appendingPathComponent("sample-traces")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter {
                $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") || $0.hasSuffix(".json.gz") || $0.hasSuffix(".jsonl.gz")
            }.sorted()
        XCTAssertEqual(files.count, Self.expected.count)
        for file in files {
            let path = dir.appendingPathComponent(file).path
            let summary = try Harness.run(["summary", "--json", path])
            let view = try Harness.run(["view", "--json", path])
            XCTAssertEqual(summary.status, 0, "\(file): \(summary.stderr)")
            let s = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as! [String: Any]
            let v = try JSONSerialization.jsonObject(with: Data(view.stdout.utf8)) as! [String: Any]
            let traces = v["traces"] as! [[String: Any]]
            func sum(_ key: String) -> Double { traces.reduce(0) { $0 + (($1[key] as? NSNumber)?.doubleValue ?? 0) } }
            let cost = s["cost"] as! [String: Any]
            let byModel = cost["byModel"] as! [String: Any]
            let perf = s["performance"] as! [String: Any]
            let tokens = perf["tokenDistribution"] as! [String: Any]
            let overview = s["overview"] as! [String: Any]
            let errors = overview["errorRate"] as! [String: Any]
            XCTAssertEqual(Double(s["llmCalls"] as! Int), sum("llmCalls"), file)
            XCTAssertEqual((byModel["totalUSD"] as? NSNumber)?.doubleValue ?? 0, sum("costUSD"), accuracy: 1e-9, file)
            let complete = traces.allSatisfy { $0["costComplete"] as! Bool }
            XCTAssertEqual(byModel["unknownCostCalls"] as! Int == 0, complete, file)
            XCTAssertEqual(Double((tokens["input"] as! [String: Any])["total"] as! Int), sum("inputTokens"), file)
            XCTAssertEqual(Double((tokens["output"] as! [String: Any])["total"] as! Int), sum("outputTokens"), file)
            XCTAssertEqual(Double(errors["erroredSpans"] as! Int), sum("errorCount"), file)
            XCTAssertEqual(Double(errors["spans"] as! Int), sum("spanCount"), file)
            XCTAssertEqual(Double(byModel["costMismatchCalls"] as! Int), sum("costMismatches"), file)
            let expected = try XCTUnwrap(Self.expected[file], "no hand-computed figures for \(file)")
            XCTAssertEqual(s["llmCalls"] as? Int, expected.calls, file)
            XCTAssertEqual(
                (byModel["totalUSD"] as? NSNumber)?.doubleValue ?? 0, expected.costUSD, accuracy: 1e-12, file)
            XCTAssertEqual(byModel["costMismatchCalls"] as? Int, expected.mismatches, file)
            // Every panel key of the issue is present, each with its basis.
            let keys = [
                "overview.callsPerMinute", "overview.cost24hUSD", "overview.p95LatencyMs", "overview.errorRate",
                "cost.byModel", "cost.byFeature", "cost.trend", "cost.projectedMonthlyUSD",
                "performance.latencyByModel", "performance.tokenDistribution", "performance.cacheHitRate",
                "performance.rateLimitEvents",
                "quality.finishReasons", "quality.responseLengthTrend", "quality.feedback", "quality.retryRate",
            ]
            for key in keys {
                let parts = key.split(separator: ".").map(String.init)
                let panel = (s[parts[0]] as? [String: Any])?[parts[1]] as? [String: Any]
                let basis = panel?["basis"] as? [String: Any]
                XCTAssertNotNil(basis?["calls"], "\(file): \(key)")
                XCTAssertNotNil(basis?["from"], "\(file): \(key)")
            }
        }
    }

    func testSummaryTextAndExitStatus() throws {
        let r = try Harness.run(["summary", Self.sample], environment: ["LANG": "C.UTF-8"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 100 }, r.stdout)
        XCTAssertTrue(r.stdout.contains("== OVERVIEW"), r.stdout)
        XCTAssertTrue(r.stdout.contains("$0.3995+? / month"), r.stdout)
        XCTAssertTrue(r.stdout.contains("14.3% of LLM calls were retries (1 of 7)"), r.stdout)
        let missing = try Harness.run(["summary", "/nonexistent/traces.json"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("tracetui:"), missing.stderr)
        let ascii = try Harness.run(["summary", Self.sample], environment: ["LANG": "C", "LC_ALL": "C"])
        XCTAssertTrue(ascii.stdout.unicodeScalars.allSatisfy(\.isASCII), ascii.stdout)
    }

    /// A recording cut short: the text report lists the warning once, in its own lines, and stderr does not
    /// repeat it (on a terminal both would show); exit 65 says the input was partial.
    func testSummaryTextShowsInputWarningsOnce() throws {
        let whole = try String(contentsOfFile: Self.sample, encoding: .utf8)
        let cut = NSTemporaryDirectory() + "tracetui-cut-\(UUID().uuidString).json"
        try String(whole.prefix(whole.count / 2)).write(toFile: cut, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let r = try Harness.run(["summary", cut], environment: ["LANG": "C.UTF-8"])
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(r.stderr, "")
        // Long warnings are wrapped at the width (100 columns off a terminal), continuation lines indented.
        XCTAssertTrue(r.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 }, r.stdout)
        let unwrapped = r.stdout.replacingOccurrences(of: "\n  ", with: "")
        XCTAssertEqual(unwrapped.components(separatedBy: "warning: \(cut)").count, 2, r.stdout)
        XCTAssertTrue(
            unwrapped.contains(
                "warning: \(cut): line 8 is cut short (the recording was interrupted?); kept the 7 lines before it\n"),
            r.stdout)
    }
}
