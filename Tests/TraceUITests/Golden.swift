import Foundation
import TraceUI
import XCTest

/// Golden screens: a rendered `CellGrid` against a file in `Goldens/` that records what the user sees,
/// the characters and how every cell looks, so a moved selection bar, a lost error colour or a figure
/// no longer bold fails like a changed character does.
///
/// The file holds the grid's text lines (`CellGrid.lines`: trailing spaces cut, a wide character once),
/// then the separator line, then one line per row that has a cell whose style is not `Style.plain`:
/// its runs of equal style from left to right, as columns (from 0; both ends included; a single column
/// alone; a wide character counts its two columns) and each attribute that differs from plain,
/// `name=value` or, for a flag that is on, `name` (every stored property of `Style` is compared, so a
/// new attribute shows up here without changing this helper):
///
///     tracetui · 2 traces · 12 spans · fixture.json
///     ROOT SPAN                 START (UTC)↑   DURATION  LLM      TOKENS      COST ERR
///     agent.workflow            11-28 12:00:00    5.00s    4   4.5k/2.0k $0.0202+?   1
///     …
///     -- style: row N: columns attributes (columns from 0, both ends included; unlisted cells plain) --
///     row 0: 0-44 bold reverse; 45-79 reverse
///     row 2: 0-79 fg=red reverse
///     row 23: 0-79 fg=yellow
///
/// After an intended change, regenerate the files and read the diff, style lines included:
///
///     swift build --build-tests
///     UPDATE_GOLDENS=1 swift test --skip-build --filter 'TraceUITests.(GoldenScreenTests|DashboardScreenTests)'
///     git diff Tests/TraceUITests/Goldens
enum Golden {
    static let separator =
        "-- style: row N: columns attributes "
        + "(columns from 0, both ends included; unlisted cells plain) --"
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    /// The golden file's text for a grid.
    static func file(_ grid: CellGrid) -> String {
        var out = grid.lines.map { $0 + "\n" }.joined() + separator + "\n"
        for y in 0..<grid.height {
            let runs = styleRuns(grid, row: y)
            if !runs.isEmpty { out += "row \(y): " + runs.joined(separator: "; ") + "\n" }
        }
        return out
    }

    /// The runs of equal, not plain, style of one row, e.g. `0-79 fg=red reverse` or `78 bold`.
    static func styleRuns(_ grid: CellGrid, row y: Int) -> [String] {
        var runs: [String] = []
        var x = 0
        while x < grid.width {
            let style = grid[x, y].style
            var end = x
            while end + 1 < grid.width && grid[end + 1, y].style == style { end += 1 }
            if style != .plain { runs.append((end == x ? "\(x)" : "\(x)-\(end)") + " " + describe(style)) }
            x = end + 1
        }
        return runs
    }

    /// The attributes of a style that differ from `Style.plain`, in declaration order.
    static func describe(_ style: Style) -> String {
        let plain = Mirror(reflecting: Style.plain).children.map { "\($0.value)" }
        return zip(Mirror(reflecting: style).children, plain).compactMap { attribute, plainValue in
            let value = "\(attribute.value)"
            guard value != plainValue, let name = attribute.label else { return nil }
            return value == "true" ? name : "\(name)=\(value)"
        }.joined(separator: " ")
    }
}

/// Compares a grid with `Goldens/<name>.txt` (see `Golden`); with `UPDATE_GOLDENS` set, writes the file instead.
func assertGolden(_ grid: CellGrid, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = Golden.directory.appendingPathComponent("\(name).txt")
    let actual = Golden.file(grid)
    if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        return XCTFail("no golden \(url.path); write it with UPDATE_GOLDENS=1 and review it", file: file, line: line)
    }
    guard actual != expected else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let at = a.indices.first { $0 >= e.count || a[$0] != e[$0] } ?? a.count
    XCTFail(
        """
        screen \(name) differs from its golden at file line \(at + 1):
        expected: \(at < e.count ? e[at] : "(end of file)")
        actual:   \(at < a.count ? a[at] : "(end of file)")
        the whole screen now:
        \(actual)
        """, file: file, line: line)
}

/// The golden format itself, on a grid small enough to read.
final class GoldenFormatTests: XCTestCase {
    func testTextThenTheStyleRunsOfEachRow() {
        var g = CellGrid(width: 8, height: 4)
        g.put("ab", x: 0, y: 0, style: Style(fg: .red, bold: true))
        g.fill(x: 0, y: 1, width: 8, style: Style(reverse: true))
        g.put("中", x: 2, y: 1, style: Style(reverse: true, dim: true))
        g.put("x", x: 7, y: 1, style: Style(fg: .cyan, reverse: true))
        g.put("plain", x: 0, y: 3)
        XCTAssertEqual(
            Golden.file(g),
            """
            ab
              中   x

            plain
            \(Golden.separator)
            row 0: 0-1 fg=red bold
            row 1: 0-1 reverse; 2-3 reverse dim; 4-6 reverse; 7 fg=cyan reverse

            """)
    }
}
