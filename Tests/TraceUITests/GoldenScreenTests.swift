import TraceAnalysis
import XCTest

@testable import TraceUI

/// Whole screens of the pure renderer, text and style, against golden files in Goldens/ (see `Golden`
/// for the format and how to regenerate them).
final class GoldenScreenTests: XCTestCase {
    let unicode = Appearance(glyphs: .unicode, color: true)
    let ascii = Appearance(glyphs: .asciiOnly, color: false)

    func state(_ data: ViewData, _ w: Int, _ h: Int, tree: Int? = nil) -> AppState {
        AppState(screen: tree.map { .tree(trace: $0) } ?? .traceList, width: w, height: h, data: data)
    }

    func testTraceList80x24() throws {
        let data = try Fixture.data()
        try assertGolden(render(state(data, 80, 24), data, unicode), "trace-list-80x24")
    }

    func testTraceList120x40() throws {
        let data = try Fixture.data()
        try assertGolden(render(state(data, 120, 40), data, unicode), "trace-list-120x40")
    }

    func testTree80x24() throws {
        let data = try Fixture.data()
        try assertGolden(render(state(data, 80, 24, tree: 0), data, unicode), "tree-80x24")
    }

    func testTree120x40() throws {
        let data = try Fixture.data()
        try assertGolden(render(state(data, 120, 40, tree: 0), data, unicode), "tree-120x40")
    }

    func testFoldedTreeShowsSubtreeTotals() throws {
        var data = try Fixture.data()
        var s = state(data, 80, 24, tree: 0)
        update(&s, .key(.down), &data)  // agent.plan
        update(&s, .key(.char("j")), &data)  // llm.generate
        update(&s, .key(.char("j")), &data)  // agent.step.0
        update(&s, .key(.enter), &data)  // fold it
        try assertGolden(render(s, data, unicode), "tree-folded-80x24")
    }

    func testDetailPaneBelow80x24() throws {
        var data = try Fixture.data()
        var s = state(data, 80, 24, tree: 0)
        update(&s, .key(.char("e")), &data)  // the failing tool span
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "detail-80x24")
    }

    func testDetailPaneBeside120x40() throws {
        var data = try Fixture.data()
        var s = state(data, 120, 40, tree: 0)
        for _ in 0..<4 { update(&s, .key(.down), &data) }  // the claude-sonnet-4 call
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "detail-120x40")
    }

    func testConversationDetail120x40() throws {
        var data = try Fixture.data()
        var s = state(data, 120, 40, tree: 1)
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "conversation-120x40")
    }

    func testHelp80x24() throws {
        var data = try Fixture.data()
        var s = state(data, 80, 24, tree: 0)
        update(&s, .key(.char("?")), &data)
        try assertGolden(render(s, data, unicode), "help-80x24")
    }

    func testASCIIFallbackTree80x24() throws {
        let data = try Fixture.data()
        try assertGolden(render(state(data, 80, 24, tree: 0), data, ascii), "tree-ascii-80x24")
        XCTAssertTrue(
            render(state(data, 80, 24, tree: 0), data, ascii).cells.allSatisfy {
                $0.scalar.isASCII && $0.style.fg == .normal
            })
    }

    // MARK: how rows look: the style sections of these goldens are what they check

    /// The selection on the second row: the error row above it red without the bar, the selected row reversed.
    func testSelectionBelowAnErrorRow80x24() throws {
        var data = try Fixture.data()
        var s = state(data, 80, 24)
        update(&s, .key(.down), &data)
        try assertGolden(render(s, data, unicode), "trace-list-second-selected-80x24")
    }

    /// ASCII and NO_COLOR: no colour anywhere, the selection still reversed, header and titles still bold.
    func testASCIIFallbackTraceList80x24() throws {
        let data = try Fixture.data()
        try assertGolden(render(state(data, 80, 24), data, ascii), "trace-list-ascii-80x24")
    }

    /// The selected error span beside its detail: its row reversed and red, its ✗ bold, the exception event red.
    func testErrorSpanDetailBeside120x40() throws {
        var data = try Fixture.data()
        var s = state(data, 120, 40, tree: 0)
        update(&s, .key(.char("e")), &data)
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "detail-error-120x40")
    }

    /// The filter prompt on the last line, bold with its cursor; after Enter the match with its
    /// ancestors dimmed, the count in the column header, the answer in the message colour.
    func testFilterPromptAndAnswer80x24() throws {
        var data = try Fixture.data()
        var s = state(data, 80, 24, tree: 0)
        for c in "/mini" { update(&s, .key(.char(c)), &data) }
        try assertGolden(render(s, data, unicode), "tree-filter-prompt-80x24")
        update(&s, .key(.enter), &data)
        try assertGolden(render(s, data, unicode), "tree-filter-match-80x24")
    }

    /// A comparison filter on a wide terminal with the detail pane of the selected match beside it.
    func testFilteredTreeWithDetail120x40() throws {
        var data = try Fixture.data()
        var s = state(data, 120, 40, tree: 0)
        for c in "/tokens.in>=1k and not provider=anthropic" { update(&s, .key(.char(c)), &data) }
        update(&s, .key(.enter), &data)
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "tree-filter-detail-120x40")
    }

    /// `c` on the article's workflow: every span waits for the one before, so all are on the path
    /// (◆, ✗ where the span failed); the root's detail lists where the time and the money went.
    func testCriticalPathAndTheRootsTopSpans120x40() throws {
        var data = try Fixture.sample("agent-workflow.json", warnings: false)
        var s = state(data, 120, 40, tree: 0)
        update(&s, .key(.char("c")), &data)
        XCTAssertEqual(s.message, "critical path: 11 spans; most time of its own in tool.execute (121ms); c hides it")
        update(&s, .key(.tab), &data)
        try assertGolden(render(s, data, unicode), "tree-critical-path-120x40")
        update(&s, .key(.char("c")), &data)
        XCTAssertNil(s.tree!.criticalPath)
    }

    /// The conversations of chat-sessions.json, then the first one's turns: input tokens, the context
    /// growing (a bar from 100 columns), the cached share and what the user asked.
    func testSessionListAndTurns80x24And120x40() throws {
        var data = try Fixture.sample("chat-sessions.json", warnings: false)
        for (w, h) in [(80, 24), (120, 40)] {
            var s = AppState(screen: .sessions, width: w, height: h, data: data)
            try assertGolden(render(s, data, unicode), "sessions-\(w)x\(h)")
            update(&s, .key(.enter), &data)
            try assertGolden(render(s, data, unicode), "session-turns-\(w)x\(h)")
        }
    }

    /// Runs that share one root name told apart by what each was asked.
    func testTraceListWithTheInputColumn80x24And120x40() throws {
        let data = try Fixture.sample("chat-sessions.json", warnings: false)
        for (w, h) in [(80, 24), (120, 40)] {
            let s = AppState(screen: .traceList, width: w, height: h, data: data)
            try assertGolden(render(s, data, unicode), "list-input-\(w)x\(h)")
        }
    }

    /// The trace list filtered: the header says how many traces of all, MATCH counts the spans.
    func testFilteredTraceList80x24And120x40() throws {
        var data = try Fixture.data()
        for (w, h) in [(80, 24), (120, 40)] {
            var s = AppState(screen: .traceList, width: w, height: h, data: data)
            for c in "/model=gpt-4o*" { update(&s, .key(.char(c)), &data) }
            update(&s, .key(.enter), &data)
            try assertGolden(render(s, data, unicode), "list-filter-\(w)x\(h)")
        }
    }

    // MARK: several spans describing one call

    /// A bundled sample: an application wrapper over OpenInference, one call priced 20 % above list.
    static func callGroupSample() throws -> ViewData { try Fixture.sample("app-wrapper-openinference.json") }

    func testMismatchMarkInTheTree80x24() throws {
        let data = try Self.callGroupSample()
        try assertGolden(render(state(data, 80, 24, tree: 0), data, unicode), "call-group-tree-80x24")
    }

    func testCallGroupDetailOfTheFlaggedCall120x40() throws {
        var data = try Self.callGroupSample()
        var s = state(data, 120, 40, tree: 0)
        for _ in 0..<4 { update(&s, .key(.down), &data) }  // the second ChatCompletion: counted, flagged
        update(&s, .key(.tab), &data)  // open the pane
        update(&s, .key(.tab), &data)  // focus it
        for _ in 0..<10 { update(&s, .key(.down), &data) }  // scroll to the call
        try assertGolden(render(s, data, unicode), "call-group-detail-120x40")
    }

    func testCallGroupDetailOfAWrapper80x24() throws {
        var data = try Self.callGroupSample()
        var s = state(data, 80, 24, tree: 0)
        update(&s, .key(.down), &data)  // the first llm.generate: described with the call it wraps
        update(&s, .key(.tab), &data)
        update(&s, .key(.tab), &data)
        for _ in 0..<17 { update(&s, .key(.down), &data) }  // scroll the pane to the call
        try assertGolden(render(s, data, unicode), "call-group-detail-80x24")
    }

    /// A trace whose only call is counted in an earlier trace says so in its header, where 80 columns
    /// still show it (the span's own `[counted in …]` mark is cut at that width).
    func testTreeHeaderCountsCallsCountedElsewhere() throws {
        let data = try Fixture.sample("anthropic-openllmetry-and-sdk-split.json")
        let t = try XCTUnwrap(data.analysis.trace(matching: "595757bb"))
        let lines = render(state(data, 80, 24, tree: t), data, unicode).lines
        XCTAssertEqual(lines[0], "trace 595757bbcee2 · support-app · 1 spans · 0 LLM +1 elsewhere · - tok · - · 0…")
    }
}
