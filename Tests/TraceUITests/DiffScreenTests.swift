import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import XCTest

@testable import TraceUI

/// The diff screen: goldens of the article's workflow against its rerun (step.0 on gpt-4o instead of
/// claude-sonnet-4, a 429 on step.2 retried once), its detail pane, and `d` / `q` through `update`.
final class DiffScreenTests: XCTestCase {
    let unicode = Appearance(glyphs: .unicode, color: true)

    /// Both sample runs in one store, as `tracetui view agent-workflow.json agent-workflow-rerun.json`
    /// opens them: trace 0 is the first run (c2b9546e), trace 1 the rerun (e638bca4).
    static func bothRuns() throws -> ViewData {
        var store = SpanStore()
        for file in ["agent-workflow.json", "agent-workflow-rerun.json"] {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("sample-traces/" + file).path
            _ = try TraceLoader.load(path: path, into: &store)
        }
        let analysis = Analysis(store: store, prices: .embedded)
        return ViewData(store: store, analysis: analysis, title: "runs", warnings: [])
    }

    /// The diff of the two runs as `tracetui diff A B FILE…` opens it: the first screen.
    func diffState(_ data: ViewData, _ w: Int, _ h: Int) -> AppState {
        var s = AppState(screen: .traceList, width: w, height: h, data: data)
        let sides = DiffSides(
            a: TraceSide(store: data.store, analysis: data.analysis, trace: 0),
            b: TraceSide(store: data.store, analysis: data.analysis, trace: 1))
        s.openDiff(DiffState(sides: sides), returnTo: nil)
        return s
    }

    func testDiffOfTheRerun80x24() throws {
        let data = try Self.bothRuns()
        try assertGolden(render(diffState(data, 80, 24), data, unicode), "diff-80x24")
    }

    func testDiffOfTheRerun120x40() throws {
        let data = try Self.bothRuns()
        try assertGolden(render(diffState(data, 120, 40), data, unicode), "diff-120x40")
    }

    /// Without a UTF-8 locale: the markers are ASCII already, Δ becomes d and the arrow >.
    func testASCIIFallback() throws {
        let data = try Self.bothRuns()
        let lines = render(diffState(data, 80, 24), data, Appearance(glyphs: .asciiOnly, color: false)).lines
        XCTAssertEqual(lines[0], "diff c2b9546e > e638bca4 A $0.0334 335ms B $0.0299+? 406ms d -$0.0035+? +70.9ms~")
        XCTAssertEqual(lines[1], "  SPAN                        dDUR     dTOKENS     dCOST CHANGE")
        XCTAssertEqual(lines[6], "~ | `-  llm.generate       +80.7us              -$0.0035 claude-sonnet-4>gpt-4o")
        XCTAssertEqual(lines[10], "+ | |-  llm.generate       +14.6ms                     ? gpt-4o-mini error")
    }

    /// `n` selects the first change below the root (the model change on step.0), Tab opens its detail.
    func testDetailOfTheModelChange120x40() throws {
        var data = try Self.bothRuns()
        var s = diffState(data, 120, 40)
        update(&s, .key(.char("n")), &data)
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "diff-detail-120x40")
    }

    /// The retry folded away under its step, below 120 columns the pane under the tree, the added
    /// attempt's detail: only in B.
    func testAddedRetryDetailBelow80x24() throws {
        var data = try Self.bothRuns()
        var s = diffState(data, 80, 24)
        for _ in 0..<3 { update(&s, .key(.char("n")), &data) }  // step.0's call, step.2, the failed attempt
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "diff-added-detail-80x24")
    }

    /// A chat compared with itself: both sides' prompt and answer, A's above B's.
    func testDetailShowsBothSidesConversations() throws {
        let data = try Fixture.data()
        let side = TraceSide(store: data.store, analysis: data.analysis, trace: 1)
        let lines = diffDetailLines(DiffSides(a: side, b: side), row: 0, glyphs: .unicode).map(\.text)
        let conversation = [
            "",
            "── Conversation (gen_ai.input.messages / gen_ai.output.messages)",
            "[user]",
            "  What is the weather in Paris?",
            "[assistant]",
            "  → tool call get_weather({\"city\":\"Paris\"})",
        ]
        XCTAssertEqual(
            lines,
            [
                "chat gpt-4o-mini",
                "diff           same in both runs",
                "path           chat gpt-4o-mini",
                "duration       1.50s",
                "kind           llm",
                "model          gpt-4o-mini",
                "tokens         100/20",
                "cost           $0.000024",
                "finish reason  -",
                "status         unset",
                "",
                "── A · trace 4bf92f35 · span 00000000000000a1",
            ] + conversation + ["", "── B · trace 4bf92f35 · span 00000000000000a1"] + conversation)
    }

    /// `d` marks the selected trace as A, `d` on another opens the diff A → B, `q` returns to the
    /// screen it came from: the list with its selection, or the tree as it was; `d` on A unmarks it.
    func testMarkOpenAndBack() throws {
        var data = try Self.bothRuns()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        func press(_ keys: Key...) { for k in keys { update(&s, .key(k), &data) } }
        press(.char("d"))
        XCTAssertEqual(s.diffMark?.hex, "c2b9546e0f0220f3edb7f1d5cbf15150")
        XCTAssertEqual(s.message, "marked c2b9546e as A: d on another trace compares")
        XCTAssertEqual(s.screen, .traceList)
        press(.char("j"), .char("d"))
        XCTAssertEqual(s.screen, .diff)
        XCTAssertEqual(s.context, .diff)
        XCTAssertEqual(s.diff?.sides.diff.traceA.hex, "c2b9546e0f0220f3edb7f1d5cbf15150")
        XCTAssertEqual(s.diff?.sides.diff.traceB.hex, "e638bca46bd70d89987fc91e855cdff8")
        XCTAssertEqual(s.diff?.returnTo, .traceList)
        press(.char("n"))
        XCTAssertEqual(s.diff?.selectedRow, 4)
        press(.enter)  // a leaf: nothing to fold
        XCTAssertEqual(s.diff?.visible.count, 12)
        press(.char("g"), .enter)  // the root folded: one row
        XCTAssertEqual(s.diff?.visible, [0])
        press(.char("q"))
        XCTAssertEqual(s.screen, .traceList)
        XCTAssertNil(s.diff)
        XCTAssertEqual(s.list.selected, 1)

        // From the tree of the rerun: back to that tree, its selection kept.
        press(.enter, .char("j"), .char("j"))
        let tree = s.tree
        press(.char("d"))
        XCTAssertEqual(s.screen, .diff)
        XCTAssertNil(s.tree)
        XCTAssertEqual(s.diff?.returnTo, .tree(trace: 1))
        press(.tab, .char("q"))  // the first q closes the pane
        XCTAssertEqual(s.screen, .diff)
        XCTAssertFalse(s.detailOpen)
        press(.char("q"))
        XCTAssertEqual(s.screen, .tree(trace: 1))
        XCTAssertEqual(s.tree, tree)

        // d on A itself unmarks it; then d marks anew.
        press(.char("q"), .char("k"), .char("d"))
        XCTAssertNil(s.diffMark)
        XCTAssertEqual(s.message, "unmarked c2b9546e")
    }

    /// Opened by `tracetui diff`, the diff is the first screen: `q` quits.
    func testQuitFromTheFirstScreen() throws {
        var data = try Self.bothRuns()
        var s = diffState(data, 80, 24)
        update(&s, .key(.char("q")), &data)
        XCTAssertTrue(s.quit)
    }
}
