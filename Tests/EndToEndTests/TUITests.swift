import Foundation
import XCTest

/// The real binary in a real terminal (tmux): open, fold, search, detail pane, resize, quit.
final class TUITests: XCTestCase {
    func testExploreATraceInTmux() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let command =
            "env LANG=C.UTF-8 TERM=xterm-256color NO_COLOR= \(Harness.binary) view \(Harness.fixture("two-traces.json"))"
        let t = try TmuxSession(command: command, width: 80, height: 24)

        // Two traces: the list opens first.
        try t.waitFor(text: "tracetui · 2 traces · 12 spans")
        var screen = try t.screen()
        XCTAssertTrue(
            screen.contains("agent.workflow compare flights              5.00s    4   4.5k/2.0k   $0.0235   1"), screen)

        // Open the first trace: the tree with its header totals.
        try t.send("Enter")
        try t.waitFor(text: "├─▾ agent.plan")
        screen = try t.screen()
        XCTAssertTrue(
            screen.contains("trace 0af7651916cd · ai-service · 11 spans · 4 LLM · 4.5k/2.0k tok · $0.0235 ·"), screen)
        XCTAssertTrue(
            screen.contains("│ └─· llm.generate            LLM      700ms ██·········    1.2k/300   $0.0060"), screen)

        // Fold agent.plan: its subtree totals move onto it.
        try t.send("j", "Enter")
        try t.waitFor(text: "├─▸ agent.plan (+1)           AGENT    800ms ██·········    1.2k/300   $0.0060")
        // Unfold again.
        try t.send("Space")
        try t.waitFor(text: "├─▾ agent.plan")

        // Search by model.
        try t.send("/", "m", "i", "n", "i", "Enter")
        try t.waitFor(text: "1 span(s) match mini; n/N next/previous, / Enter clears")

        // Detail pane below the tree at 80 columns.
        try t.send("Tab")
        try t.waitFor(text: "model          gpt-4o-mini  (llm.model)")

        // Wider: the pane moves beside the tree.
        try t.tmux(["resize-window", "-t", t.name, "-x", "130", "-y", "40"])
        try t.waitFor("the detail pane beside the tree") { $0.contains("│ llm.generate") && $0.contains("WATERFALL") }
        screen = try t.screen()
        XCTAssertTrue(screen.contains("│ finish reason  length  (truncated answer)"), screen)

        // Esc closes the pane, q goes back to the list, q quits and the terminal is given back.
        try t.send("Escape")
        try t.waitFor("the pane to close") { !$0.contains("── LLM facts") }
        try t.send("q")
        try t.waitFor(text: "tracetui · 2 traces")
        try t.send("q")
        let deadline = Date().addingTimeInterval(5)
        while t.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(t.isRunning, "tracetui did not quit")
    }

    /// Home and End as tmux sends them (`ESC [ 1 ~`, `ESC [ 4 ~`, which TERM=xterm-256color does not
    /// describe) move the selection instead of arriving as Esc and quitting; the frame log records
    /// each batch of messages with its time.
    func testHomeAndEndFromTmuxAndTheFrameLog() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let log = NSTemporaryDirectory() + "tracetui-frames-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let command =
            "env LANG=C.UTF-8 TERM=xterm-256color TRACETUI_FRAME_LOG=\(log) \(Harness.binary) view "
            + Harness.fixture("two-traces.json")
        let t = try TmuxSession(command: command, width: 80, height: 24)
        try t.waitFor(text: "tracetui · 2 traces · 12 spans")
        try t.send("End", "Enter")
        try t.waitFor(text: "trace 4bf92f3577b3")
        try t.send("q", "Home", "Enter")
        try t.waitFor(text: "trace 0af7651916cd")
        try t.send("q", "q")
        let deadline = Date().addingTimeInterval(5)
        while t.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(t.isRunning, "tracetui did not quit")
        // Keys that arrive together (tmux sends "End" and "Enter" in one write) are one batch.
        let batches = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        var keys = 0
        for batch in batches {
            let fields = batch.split(separator: " ")
            XCTAssertEqual(fields.count, 2, String(batch))
            let kinds = fields.first?.split(separator: ",") ?? []
            XCTAssertEqual(Set(kinds), ["key"], String(batch))
            keys += kinds.count
            XCTAssertNotNil(Double(fields.last ?? ""), String(batch))
        }
        XCTAssertEqual(keys, 7, batches.joined(separator: "\n"))
    }

    func testASCIIFallbackUnderTheCLocale() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let command =
            "env LANG=C LC_ALL=C TERM=xterm \(Harness.binary) view --trace 0af7 \(Harness.fixture("two-traces.json"))"
        let t = try TmuxSession(command: command, width: 80, height: 24)
        try t.waitFor(text: "|-- agent.plan")
        let screen = try t.screen()
        XCTAssertTrue(screen.contains("`-- agent.synthesize          AGENT    1.50s .......####"), screen)
        try t.send("q")
    }
}
