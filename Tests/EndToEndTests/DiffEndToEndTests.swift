import Foundation
import XCTest

/// `tracetui diff` on the article's workflow (A, c2b9546e) and its rerun (B, e638bca4: step.0 on gpt-4o
/// instead of claude-sonnet-4, step.2's call refused with a 429 and retried): both argument forms,
/// JSON, the errors, and the TUI in tmux. The figures are worked out by hand in `DiffReportTests`.
final class DiffEndToEndTests: XCTestCase {
    static let first = Harness.repoRoot.appendingPathComponent("sample-traces/agent-workflow.json").path
    static let rerun = Harness.repoRoot.appendingPathComponent("sample-traces/agent-workflow-rerun.json").path
    static let multi = Harness.repoRoot.appendingPathComponent("sample-traces/multi-trace.jsonl").path
    static let unknownCost = "1 call(s) to model \"gpt-4o-mini\" carry no token counts: cost unknown"

    func json(_ r: Harness.Result) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stderr)
    }

    /// Two files of one trace each, standard output not a terminal: the plain text (whole in
    /// `DiffReportTests`) naming each file; the analysis' warning names the file it is about.
    func testTwoFilesPrintThePlainDiff() throws {
        let r = try Harness.run(["diff", Self.first, Self.rerun])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "tracetui: warning: \(Self.rerun): \(Self.unknownCost)\n")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(
            Array(lines[0...2]),
            [
                "diff c2b9546e → e638bca4",
                "A  c2b9546e0f0220f3edb7f1d5cbf15150  agent.workflow  \(Self.first)  2026-11-28 10:59:59 UTC",
                "B  e638bca46bd70d89987fc91e855cdff8  agent.workflow  \(Self.rerun)  2026-11-28 11:29:59 UTC",
            ])
        // The markers of the merged tree's rows, then the totals' cost line and the counts.
        XCTAssertEqual(
            lines[6...17].map { String($0.prefix(1)) }, ["~", " ", " ", " ", "~", " ", " ", "~", "+", " ", " ", " "])
        XCTAssertTrue(lines.contains("cost           $0.0334  $0.0299+?  -$0.0035+?"), r.stdout)
        XCTAssertEqual(lines.suffix(2), ["spans: 8 same, 3 changed, 1 added, 0 removed", ""])
    }

    /// Trace id prefixes in files loaded together (one store): the same diff, as JSON, with the
    /// warnings of all the files (multi-trace.jsonl has a claude-sonnet-4 call without token counts).
    func testTraceIDsInFilesAsJSON() throws {
        let r = try Harness.run(["diff", "C2B9", "e638b", Self.multi, Self.first, Self.rerun, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let warnings = [
            Self.unknownCost.replacingOccurrences(of: "gpt-4o-mini", with: "claude-sonnet-4"), Self.unknownCost,
        ]
        XCTAssertEqual(r.stderr, warnings.map { "tracetui: warning: " + $0 + "\n" }.joined())
        let doc = try json(r)
        let a = try XCTUnwrap(doc["a"] as? [String: Any])
        let b = try XCTUnwrap(doc["b"] as? [String: Any])
        XCTAssertEqual(a["traceId"] as? String, "c2b9546e0f0220f3edb7f1d5cbf15150")
        XCTAssertEqual(a["file"] as? String, Self.first)
        XCTAssertEqual(b["traceId"] as? String, "e638bca46bd70d89987fc91e855cdff8")
        XCTAssertEqual(b["file"] as? String, Self.rerun)
        XCTAssertEqual(a["costUSD"] as? Double, 0.03339)
        XCTAssertEqual(b["costUSD"] as? Double, 0.02989)
        XCTAssertEqual(b["costComplete"] as? Bool, false)
        XCTAssertEqual(
            doc["totals"] as? NSDictionary,
            [
                "same": 8, "changed": 3, "added": 1, "removed": 0,
                "delta": [
                    "durationMs": 70.859475, "spanCount": 1, "llmCalls": 1, "inputTokens": 0, "outputTokens": 0,
                    "costUSD": -0.0035, "costComplete": false, "errorCount": 1,
                ],
            ])
        let spans = try XCTUnwrap(doc["spans"] as? [[String: Any]])
        XCTAssertEqual(
            spans.map { $0["status"] as? String ?? "" },
            ["changed", "same", "same", "same", "changed", "same", "same", "changed", "added", "same", "same", "same"])
        let delta = try XCTUnwrap(spans[4]["delta"] as? [String: Any])
        XCTAssertEqual(delta["model"] as? [String: String], ["a": "claude-sonnet-4", "b": "gpt-4o"])
        XCTAssertEqual(delta["costUSD"] as? Double, -0.0035)
        XCTAssertEqual(doc["warnings"] as? [String], warnings)
    }

    func testWrongTraceIDsAndFilesAreOneLineAndExit1() throws {
        let missing = try Harness.run(["diff", "ffff", "e638", Self.rerun])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stdout, "")
        XCTAssertEqual(missing.stderr, "tracetui: no trace id starts with \"ffff\" in \(Self.rerun)\n")

        // "c" starts the first run's id and one in multi-trace.jsonl.
        let ambiguous = try Harness.run(["diff", "c", "e638", Self.first, Self.rerun, Self.multi])
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertEqual(
            ambiguous.stderr, "tracetui: \"c\" starts 2 trace ids (c2b9546e0f02, c810f0ac868f): give more digits\n")

        let several = try Harness.run(["diff", Self.multi, Self.first])
        XCTAssertEqual(several.status, 1)
        XCTAssertEqual(
            several.stderr,
            "tracetui: \(Self.multi) holds 6 traces; diff FILE_A FILE_B needs one in each "
                + "(to pick them by id: tracetui diff A B FILE...)\n")

        let unreadable = try Harness.run(["diff", "/nonexistent/a.json", Self.first])
        XCTAssertEqual(unreadable.status, 1)
        XCTAssertEqual(unreadable.stderr, "tracetui: /nonexistent/a.json: cannot read: No such file or directory\n")
    }

    /// Mistakes in the arguments are the parser's: exit 64 with the usage.
    func testArgumentMistakesAreUsageErrors() throws {
        let idsWithoutFiles = try Harness.run(["diff", "c2b9", Self.first])
        XCTAssertEqual(idsWithoutFiles.status, 64)
        XCTAssertTrue(
            idsWithoutFiles.stderr.hasPrefix(
                "Error: Two arguments are two files of one trace each; to compare trace ids, name the files after "
                    + "them: tracetui diff A B FILE...\n"), idsWithoutFiles.stderr)
        let both = try Harness.run(["diff", "--plain", "--json", Self.first, Self.rerun])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.hasPrefix("Error: --plain and --json exclude each other.\n"), both.stderr)
    }

    /// An unreadable extra file does not stop the diff when both traces are found: shown, then 65.
    func testAnUnreadableExtraFileGivesExitStatus65() throws {
        let r = try Harness.run(["diff", "c2b9", "e638", Self.first, Self.rerun, "/nonexistent/more.json", "--json"])
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(
            try json(r)["warnings"] as? [String],
            ["/nonexistent/more.json: cannot read: No such file or directory", Self.unknownCost])
    }

    /// The diff TUI in tmux, opened by `tracetui diff`: the next change, its detail, back, quit.
    func testTheDiffInTmux() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let command =
            "env LANG=C.UTF-8 TERM=xterm-256color \(Harness.binary) diff \(Self.first) \(Self.rerun)"
        let t = try TmuxSession(command: command, width: 120, height: 40)
        try t.waitFor(text: "diff c2b9546e → e638bca4  A $0.0334 335ms  B $0.0299+? 406ms  Δ -$0.0035+? +70.9ms")
        var screen = try t.screen()
        XCTAssertTrue(screen.contains("+ │ ├─· llm.generate                14.6ms   +14.6ms"), screen)
        try t.send("n", "Tab")
        try t.waitFor(text: "model          claude-sonnet-4 → gpt-4o")
        screen = try t.screen()
        XCTAssertTrue(screen.contains("cost           $0.0135 → $0.0100  (-$0.0035)"), screen)
        try t.send("q")
        try t.waitFor("the pane to close") { !$0.contains("── A · trace") }
        try t.send("q")
        XCTAssertTrue(t.waitForExit(), "tracetui did not quit")
    }

    /// Inside `view`: d marks the first run, d on the rerun opens the diff, q returns to the list.
    func testMarkAndCompareInTheTraceList() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let command =
            "env LANG=C.UTF-8 TERM=xterm-256color \(Harness.binary) view \(Self.first) \(Self.rerun)"
        let t = try TmuxSession(command: command, width: 80, height: 24)
        try t.waitFor(text: "tracetui · 2 traces · 23 spans")
        try t.send("d")
        try t.waitFor(text: "marked c2b9546e as A: d on another trace compares")
        try t.send("j", "d")
        try t.waitFor(text: "diff c2b9546e → e638bca4")
        try t.send("q")
        try t.waitFor(text: "tracetui · 2 traces · 23 spans")
        try t.send("q")
        XCTAssertTrue(t.waitForExit(), "tracetui did not quit")
    }

    /// The on-call path through the features: filter the list, open a match (filtered the same way),
    /// mark it, compare it with the other run of the workflow, and come back to the filtered list.
    func testFilterOpenDiffAndBackInTmux() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let samples = ["agent-workflow.json", "agent-workflow-rerun.json", "multi-trace.jsonl"].map {
            Harness.repoRoot.appendingPathComponent("sample-traces/" + $0).path
        }
        let command =
            "env LANG=C.UTF-8 TERM=xterm-256color NO_COLOR= \(Harness.binary) view \(samples.joined(separator: " "))"
        let t = try TmuxSession(command: command, width: 80, height: 24)
        try t.waitFor(text: "tracetui · 8 traces · 40 spans")
        // The truncated answer of the article's step 2 (1000 tokens in) in both runs; the multi-trace
        // file's `length` finish had 4000 tokens in.
        try t.send("/")
        try t.send("-l", "finish=length tokens.in<2k")
        try t.send("Enter")
        try t.waitFor(text: "2 trace(s), 2 span(s) match finish=length tokens.in<2k")
        var screen = try t.screen()
        XCTAssertTrue(screen.contains("tracetui · 2 of 8 traces · filter: finish=length tokens.in<2k"), screen)
        // Opened, the tree shows the match under its dimmed ancestors.
        try t.send("Enter")
        try t.waitFor(text: "SPAN · 1 match finish=length…")
        screen = try t.screen()
        XCTAssertTrue(screen.contains("└─▾ agent.step.2"), screen)
        XCTAssertFalse(screen.contains("agent.plan"), screen)
        try t.send("d")
        try t.waitFor(text: "marked c2b9546e as A: d on another trace compares")
        try t.send("q")
        try t.waitFor(text: "tracetui · 2 of 8 traces")
        try t.send("j", "d")
        try t.waitFor(text: "diff c2b9546e → e638bca4")
        screen = try t.screen()
        XCTAssertTrue(screen.contains("+ │ ├─· llm.generate"), screen)
        try t.send("q")
        try t.waitFor(text: "tracetui · 2 of 8 traces · filter: finish=length tokens.in<2k")
        try t.send("q")
        XCTAssertTrue(t.waitForExit(), "tracetui did not quit")
    }
}
