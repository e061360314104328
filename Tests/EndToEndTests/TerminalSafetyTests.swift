import Foundation
import XCTest

/// The terminal of the person on call is not the span data's to drive: escape sequences and bidi
/// controls in a span never reach it, every common encoding of the paging keys works whatever `TERM`
/// says, other sequences are swallowed, and the terminal is given back on a signal or a crash.
final class TerminalSafetyTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
    }

    /// One trace whose span name, model and attribute value carry a window-title OSC, a clear-screen
    /// CSI, an 8-bit CSI, a bell and a right-to-left override.
    private func hostileTraceFile() throws -> String {
        let evil = #"evil\u001b]0;pwned\u0007\u001b[2J name\u202egnp"#
        let json = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc\\u001b[31m"}}]},
            "scopeSpans":[{"spans":[
            {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"\(evil)",
             "startTimeUnixNano":"1764331200000000000","endTimeUnixNano":"1764331201000000000","kind":3,
             "attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o\\u009b31m\\u0007"}},
                           {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
                           {"key":"gen_ai.usage.output_tokens","value":{"intValue":"100"}},
                           {"key":"note","value":{"stringValue":"see\\u001b]8;;http://x\\u001b\\\\link\\u001b]8;;\\u001b\\\\ here"}}]}
            ]}]}]}
            """
        let path = NSTemporaryDirectory() + "tracetui-hostile-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testSpanDataCannotDriveTheTerminal() throws {
        let file = try hostileTraceFile()
        let t = try TmuxSession(
            command: "env LANG=C.UTF-8 TERM=xterm-256color \(Harness.binary) view \(file)", width: 100, height: 60)
        let title = try t.tmux(["display", "-p", "-t", t.name, "#{pane_title}"]).stdout
        try t.waitFor(text: "evil namegnp")
        try t.send("Tab")
        try t.waitFor(text: "seelink here")
        var screen = try t.screen()
        XCTAssertTrue(screen.contains("gpt-4o"), screen)
        XCTAssertFalse(screen.contains("31m"), screen)
        try t.send("D")
        try t.waitFor(text: "Cost by model")
        screen = try t.screen()
        XCTAssertFalse(screen.contains("31m"), screen)
        for scalar in ["\u{1B}", "\u{9B}", "\u{202E}", "\u{07}"] { XCTAssertFalse(screen.contains(scalar), screen) }
        // The OSC in the name would have set the window title; tmux reports it unchanged.
        XCTAssertEqual(try t.tmux(["display", "-p", "-t", t.name, "#{pane_title}"]).stdout, title)
        try t.send("q")
    }

    func testPlainOutputAndWarningsAreSanitizedToo() throws {
        let file = try hostileTraceFile()
        let r = try Harness.run(["view", "--plain", file])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("evil namegnp"), r.stdout)
        for scalar in ["\u{1B}", "\u{9B}", "\u{202E}", "\u{07}"] { XCTAssertFalse(r.stdout.contains(scalar)) }
        let summary = try Harness.run(["summary", file])
        XCTAssertTrue(summary.stdout.contains("gpt-4o"), summary.stdout)
        for scalar in ["\u{1B}", "\u{9B}", "\u{202E}", "\u{07}"] { XCTAssertFalse(summary.stdout.contains(scalar)) }
    }

    /// tmux under `TERM=linux` is told nothing of xterm's keys; every encoding still moves the
    /// selection, and function keys, mouse and focus reports, an OSC answer and Alt+x do nothing
    /// (before, an unknown sequence was Esc + letters: Esc closed the screen, `q` quit).
    func testKeysInEveryEncodingAndUnknownSequencesWhateverTERMSays() throws {
        let t = try TmuxSession(
            command: "env LANG=C.UTF-8 TERM=linux \(Harness.binary) view \(Harness.fixture("two-traces.json"))",
            width: 80, height: 24)
        try t.waitFor(text: "tracetui · 2 traces · 12 spans")
        let ends = ["1b5b347e", "1b5b387e", "1b5b46", "1b4f46"]
        let homes = ["1b5b317e", "1b5b377e", "1b5b48", "1b4f48"]
        for (end, home) in zip(ends, homes) {
            try sendBytes(t, end)
            try t.send("Enter")
            try t.waitFor(text: "trace 4bf92f3577b3")
            try t.send("q")
            try t.waitFor(text: "tracetui · 2 traces")
            try sendBytes(t, home)
            try t.send("Enter")
            try t.waitFor(text: "trace 0af7651916cd")
            try t.send("q")
            try t.waitFor(text: "tracetui · 2 traces")
        }
        // F1, F5, the Linux console's F1, Delete, SGR and X10 mouse, focus in, an OSC colour answer
        // ended by ST, Alt+q: none of them quits or moves.
        let unknown = [
            "1b4f50", "1b5b31357e", "1b5b5b41", "1b5b337e", "1b5b3c303b31303b354d", "1b5b4d202121", "1b5b49",
            "1b5d31313b7267623a303030302f303030302f303030301b5c", "1b71",
        ]
        for sequence in unknown { try sendBytes(t, sequence) }
        try t.send("Enter")
        try t.waitFor(text: "trace 0af7651916cd")
        XCTAssertTrue(t.isRunning)
        try t.send("q", "q")
    }

    private func sendBytes(_ t: TmuxSession, _ hex: String) throws {
        var bytes: [String] = []
        var rest = Substring(hex)
        while !rest.isEmpty {
            bytes.append(String(rest.prefix(2)))
            rest = rest.dropFirst(2)
        }
        try t.tmux(["send-keys", "-t", t.name, "-H"] + bytes)
    }

    /// `q` ends the UI with status 0; SIGINT, SIGTERM and SIGHUP end it the same way, with the shell's
    /// status for the signal; a crash (SIGSEGV, SIGABRT) restores the terminal before the process
    /// dies. Each time the shell after it finds the line discipline back (icanon, echo) and the
    /// normal screen. (Signal 0 stands for the `q` key.)
    func testTheTerminalIsGivenBackOnQuitSignalsAndCrashes() throws {
        let cases: [(Int32, Int)] = [
            (0, 0), (SIGTERM, 143), (SIGHUP, 129), (SIGINT, 130), (SIGSEGV, 139), (SIGABRT, 134),
        ]
        for (signal, status) in cases {
            let view =
                "env LANG=C.UTF-8 TERM=xterm-256color SWIFT_BACKTRACE=enable=no \(Harness.binary) view "
                + Harness.fixture("two-traces.json")
            let report = "echo status=\\$?; stty -a | grep -o -- '-*icanon\\|-*echo ' | tr '\\n' ' '; echo; sleep 30"
            let t = try TmuxSession(command: "bash --norc -c \"\(view) 2>/dev/null; \(report)\"", width: 80, height: 24)
            try t.waitFor(text: "tracetui · 2 traces · 12 spans")
            XCTAssertEqual(try t.tmux(["display", "-p", "-t", t.name, "#{alternate_on}"]).stdout, "1\n")
            if signal == 0 { try t.send("q") } else { kill(try viewerPID(t), signal) }
            try t.waitFor(text: "status=\(status)")
            try t.waitFor(text: "icanon")
            let screen = try t.screen()
            XCTAssertTrue(screen.contains("icanon echo"), "signal \(signal): \(screen)")
            XCTAssertEqual(try t.tmux(["display", "-p", "-t", t.name, "#{alternate_on}"]).stdout, "0\n")
        }
    }

    /// The SSH connection dropped: the terminal itself goes away. The viewer ends instead of spinning
    /// on a dead terminal.
    func testTheViewerEndsWhenItsTerminalGoesAway() throws {
        let t = try TmuxSession(
            command:
                "env LANG=C.UTF-8 TERM=xterm-256color \(Harness.binary) view \(Harness.fixture("two-traces.json"))",
            width: 80, height: 24)
        try t.waitFor(text: "tracetui · 2 traces · 12 spans")
        let pid = try viewerPID(t)
        try t.tmux(["kill-server"])
        let deadline = Date().addingTimeInterval(5)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
        XCTAssertNotEqual(kill(pid, 0), 0, "tracetui \(pid) still runs after its terminal closed")
    }

    /// The tracetui process in the session's pane (the pane's own process, or its child under bash).
    private func viewerPID(_ t: TmuxSession) throws -> pid_t {
        let pane = try t.tmux(["list-panes", "-t", t.name, "-F", "#{pane_pid}"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(pane)/task/\(pane)/children", encoding: .utf8)) ?? ""
        let found = children.split(separator: " ").first.map(String.init) ?? pane
        return try XCTUnwrap(pid_t(found))
    }
}
