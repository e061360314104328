import Foundation
import XCTest

/// The binary on the small hostile corpus (`scripts/hostile/make-corpus.py --small`): every case
/// gives its exact stderr and exit status in `view --plain`, `view --json` and `summary --json`.
/// The big cases (50 MB values, gzip bombs, a 100,000-deep chain) are for `scripts/hostile/run-corpus.sh`.
final class HostileInputTests: XCTestCase {
    static let corpus: String? = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-hostile-\(getpid())").path
        let script = Harness.repoRoot.appendingPathComponent("scripts/hostile/make-corpus.py").path
        let r = try? Harness.run("/usr/bin/python3", [script, "--small", dir])
        return r?.status == 0 ? dir : nil
    }()

    static let commands = [["view", "--plain"], ["view", "--json"], ["summary", "--json"]]

    /// Runs the three commands on one case: `stderr` is their whole stderr with `FILE` for the path
    /// (`summaryStderr` where `summary`, which prints no analysis warnings, differs).
    private func check(
        _ name: String, status: Int32, stderr: String, summaryStderr: String? = nil, line: UInt = #line
    ) throws {
        let corpus = try XCTUnwrap(Self.corpus, "make-corpus.py failed")
        let path = corpus + "/" + name
        for command in Self.commands {
            let r = try Harness.run(command + [path])
            let expected = command[0] == "summary" ? summaryStderr ?? stderr : stderr
            XCTAssertEqual(r.status, status, "\(command) \(name): \(r.stderr)", line: line)
            XCTAssertEqual(r.stderr, expected.replacingOccurrences(of: "FILE", with: path), "\(command)", line: line)
            XCTAssertEqual(
                r.stdout.isEmpty, status == 1, "\(command) \(name): output \(r.stdout.prefix(200))", line: line)
        }
    }

    func testFilesWithoutSpansSayWhatTheyHoldAndExit1() throws {
        try check("empty.json", status: 1, stderr: "tracetui: FILE: empty file: no spans\n")
        try check("whitespace.json", status: 1, stderr: "tracetui: FILE: only whitespace: no spans\n")
        try check("empty-object.json", status: 1, stderr: "tracetui: FILE: an empty JSON object ({}): no spans\n")
        try check(
            "otlp-logs.json", status: 1, stderr: "tracetui: FILE: OTLP logs (resourceLogs), not traces: no spans\n")
        try check(
            "otlp-metrics.json", status: 1,
            stderr: "tracetui: FILE: OTLP metrics (resourceMetrics), not traces: no spans\n")
        try check(
            "html-error.json", status: 1,
            stderr:
                "tracetui: FILE: this is an HTML page, not OTLP JSON; no spans; an error page saved in place of the trace? fetch it again\n"
        )
        try check(
            "top-level-array.json", status: 1,
            stderr: "tracetui: FILE:1:2: expected an OTLP request object in the top-level array (byte 1)\n")
    }

    func testByteOrderMarkIsRead() throws {
        try check("bom.json", status: 0, stderr: "")
        try check("bom.jsonl", status: 0, stderr: "")
    }

    func testBrokenJSONLinesKeepTheWholeLines() throws {
        try check(
            "jsonl-cut-last.jsonl", status: 65,
            stderr:
                "tracetui: warning: FILE: line 5 is cut short (the recording was interrupted?); kept the 4 lines before it\n"
        )
        try check(
            "jsonl-bad-middle.jsonl", status: 65,
            stderr:
                "tracetui: warning: FILE:3:305: expected an integer, found \"1700000}]}\\n{\" (byte 970)\n")
        let r = try Harness.run(["view", "--plain", try XCTUnwrap(Self.corpus) + "/jsonl-bad-middle.jsonl"])
        // Lines 1, 2, 4 and 5 kept: one trace of four spans.
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("trace ") }.count, 1, r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "span-").count - 1, 4, r.stdout)
    }

    func testMalformedValuesAreToleratedOrNamed() throws {
        for name in [
            "invalid-utf8.json", "lone-surrogate.json", "nul-bytes.json", "numbers-and-strings.json",
            "nested-array.json", "nested-kvlist.json", "attributes-many.json", "attribute-huge.json",
            "gzip-bomb-whitespace.json.gz", "gzip-bomb-lines.jsonl.gz",
        ] {
            try check(name, status: 0, stderr: "")
        }
        try check(
            "bad-timestamps.jsonl", status: 65,
            stderr:
                "tracetui: warning: FILE:2:265: expected an integer, found \"99999999999999999999\" (byte 563)\n")
        try check(
            "trailing-garbage.json", status: 65,
            stderr: "tracetui: warning: FILE:41:1: expected '{', found 'g' (byte 992)\n")
        try check(
            "cycles.json", status: 0,
            stderr: """
                tracetui: warning: 1 span(s) name themselves as parent; shown as roots
                tracetui: warning: 1 parent cycle(s) cut; the cut span is shown as a root

                """, summaryStderr: "")
    }

    func testBrokenProtobufFilesSayWhere() throws {
        let prefix = "tracetui: FILE: cannot read: binary data, not OTLP protobuf: the input ends inside a "
        try check("truncated.pb", status: 1, stderr: prefix + "196-byte resourceSpans field (byte 0)\n")
        try check("length-2gb.pb", status: 1, stderr: prefix + "2147483654-byte resourceSpans field (byte 0)\n")
        try check("wrong-wire-types.pb", status: 1, stderr: prefix + "9-byte request (byte 0)\n")
    }

    /// With several files, one without spans is a warning and the others are shown.
    func testASpanlessFileBesideAGoodOneIsAWarning() throws {
        let corpus = try XCTUnwrap(Self.corpus)
        let r = try Harness.run(["view", "--plain", corpus + "/otlp-logs.json", corpus + "/bom.json"])
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(
            r.stderr, "tracetui: warning: \(corpus)/otlp-logs.json: OTLP logs (resourceLogs), not traces: no spans\n")
        XCTAssertTrue(r.stdout.hasPrefix("trace 0af7651916cd43dd8448eb211c80319c"), r.stdout)
    }

    /// `--plain` indents up to 24 levels, then shows the depth as a number: every row of a 200-deep
    /// chain stays short.
    func testDeepChainIndentationIsCapped() throws {
        let r = try Harness.run(["view", "--plain", try XCTUnwrap(Self.corpus) + "/chain-deep.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = r.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 202)
        // The widest row is the deepest: 48 columns of indentation, "[depth 199] span-200", its figures.
        XCTAssertEqual(rows[2...].map(\.count).max(), 113)
        XCTAssertTrue(rows[25].hasPrefix(String(repeating: "  ", count: 23) + "span-24 "), String(rows[25]))
        XCTAssertTrue(rows[26].hasPrefix(String(repeating: "  ", count: 24) + "span-25 "), String(rows[26]))
        XCTAssertTrue(rows[27].hasPrefix(String(repeating: "  ", count: 24) + "[depth 25] span-26 "), String(rows[27]))
        XCTAssertTrue(
            rows[201].hasPrefix(String(repeating: "  ", count: 24) + "[depth 199] span-200 "), String(rows[201]))
    }
}
