import Foundation
import XCTest

/// The `--help` of every command against golden text files in Goldens/, and the parser's answer to a
/// mistake. swift-argument-parser wraps help to `COLUMNS`, else to the width of the terminal on standard
/// output, else to 80 columns; the tests set `COLUMNS=80`, so the goldens hold in a terminal of any
/// width and in CI. Regenerate after an intended change with
/// `UPDATE_GOLDENS=1 swift test --skip-build --filter EndToEndTests.HelpTests`, then read `git diff`.
final class HelpTests: XCTestCase {
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    func help(_ args: [String], columns: String = "80") throws -> Harness.Result {
        try Harness.run(args, environment: ["COLUMNS": columns])
    }

    func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.goldens.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, expected, "\(name) differs:\n\(text)", file: file, line: line)
    }

    func testHelpOfEveryCommand() throws {
        for (args, name) in [
            ([], "help-tracetui"), (["view"], "help-view"), (["listen"], "help-listen"),
            (["search"], "help-search"), (["summary"], "help-summary"), (["diff"], "help-diff"),
            (["prices"], "help-prices"),
        ] {
            let r = try help(args + ["--help"])
            XCTAssertEqual(r.status, 0, name)
            XCTAssertEqual(r.stderr, "", name)
            try assertGolden(r.stdout, name)
        }
    }

    /// Without `COLUMNS` and with standard output not a terminal, help is 80 columns wide: the goldens
    /// are what a user gets from `tracetui view --help > file` too.
    func testHelpIsEightyColumnsWideWithoutATerminal() throws {
        let unset = try help(["view", "--help"], columns: "")
        XCTAssertEqual(unset.stdout, try help(["view", "--help"]).stdout)
        XCTAssertNotEqual(try help(["view", "--help"], columns: "60").stdout, unset.stdout)
    }

    /// `tracetui help [command]`, the parser's help subcommand, prints the same text as `--help`.
    func testHelpSubcommandEqualsDashDashHelp() throws {
        for command in [[], ["view"], ["listen"], ["summary"], ["diff"], ["prices"]] {
            let viaHelp = try help(["help"] + command)
            XCTAssertEqual(viaHelp.status, 0, "\(command)")
            XCTAssertEqual(viaHelp.stdout, try help(command + ["--help"]).stdout, "\(command)")
        }
    }

    func testUnknownOptionFailsWithTheParsersMessage() throws {
        let r = try help(["view", "--no-such-option", Harness.fixture("two-traces.json")])
        XCTAssertEqual(r.status, 64)  // EX_USAGE
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(
            r.stderr,
            """
            Error: Unknown option '--no-such-option'
            Usage: tracetui view [<options>] <FILE|TRACE-ID> ...
              See 'tracetui view --help' for more information.

            """)
    }
}
