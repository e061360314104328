import TraceAnalysis
import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceUI

/// Key handling through `update`: each test drives keys and checks the exact resulting state.
final class UpdateTests: XCTestCase {
    func name(_ s: AppState, _ data: ViewData) -> String {
        let tree = s.tree!
        return data.store.string(data.store.spans[Int(tree.rows[tree.selected])].name)
    }

    func press(_ s: inout AppState, _ data: ViewData, _ keys: Key...) {
        var data = data
        for k in keys { update(&s, .key(k), &data) }
    }

    func testFoldUnfoldAndCollapseAll() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: data)
        XCTAssertEqual(s.tree!.rows.count, 11)
        press(&s, data, .char("j"), .enter)  // fold agent.plan
        XCTAssertEqual(s.tree!.rows.count, 10)
        press(&s, data, .char(" "))  // unfold again
        XCTAssertEqual(s.tree!.rows.count, 11)
        press(&s, data, .char("H"))  // collapse all: only the root shows
        XCTAssertEqual(s.tree!.rows.count, 1)
        XCTAssertEqual(name(s, data), "agent.workflow")
        press(&s, data, .char("l"))  // expand the root: its 5 children
        XCTAssertEqual(s.tree!.rows.count, 6)
        press(&s, data, .char("l"), .char("l"))  // go to the first child, expand it
        XCTAssertEqual(name(s, data), "agent.plan")
        XCTAssertEqual(s.tree!.rows.count, 7)
        press(&s, data, .char("h"), .char("h"))  // collapse it, then go to the parent
        XCTAssertEqual(name(s, data), "agent.workflow")
        press(&s, data, .char("L"))
        XCTAssertEqual(s.tree!.rows.count, 11)
    }

    func testSearchWithNextAndPreviousUnfoldsMatches() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: data)
        press(&s, data, .char("H"), .char("/"))
        for c in "gpt-4o" { press(&s, data, .char(c)) }
        XCTAssertEqual(s.prompt, "gpt-4o")
        press(&s, data, .enter)
        // Matches by model: the gpt-4o call under agent.plan, then the gpt-4o-mini call under agent.step.2.
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 2)
        XCTAssertEqual(s.message, "/gpt-4o: 2 match(es); n/N next/previous")
        press(&s, data, .char("n"))
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 8)
        press(&s, data, .char("n"))
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 2)
        XCTAssertEqual(s.message, "search wrapped")
        press(&s, data, .char("N"))
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 8)
    }

    func testNextErrorAndBackToTheList() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        press(&s, data, .enter, .char("e"))
        XCTAssertEqual(name(s, data), "tool.execute")
        press(&s, data, .tab)
        XCTAssertTrue(s.detailOpen)
        press(&s, data, .tab)
        XCTAssertEqual(s.context, .detail)
        press(&s, data, .char("j"), .char("j"))
        XCTAssertEqual(s.detailScroll, 2)
        press(&s, data, .escape)  // closes the pane
        XCTAssertFalse(s.detailOpen)
        press(&s, data, .char("q"))  // back to the list
        XCTAssertEqual(s.screen, .traceList)
        press(&s, data, .char("q"))
        XCTAssertTrue(s.quit)
    }

    func testTraceListSortAndFilter() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        XCTAssertEqual(s.list.rows, [0, 1])
        press(&s, data, .char("s"))  // duration, longest first
        XCTAssertEqual(s.list.sort, .duration)
        XCTAssertEqual(s.list.rows, [0, 1])
        press(&s, data, .char("r"))
        XCTAssertEqual(s.list.rows, [1, 0])
        press(&s, data, .char("/"), .char("c"), .char("h"), .char("a"), .char("t"), .enter)
        XCTAssertEqual(s.list.rows, [1])
        XCTAssertEqual(s.message, "1 trace(s) match \"chat\"")
    }

    func testResizeKeepsSelectionVisible() throws {
        var data = try Fixture.data()
        var s = AppState(screen: .tree(trace: 0), width: 120, height: 40, data: data)
        press(&s, data, .char("G"))
        update(&s, .resize(width: 80, height: 8), &data)
        XCTAssertEqual(s.tree!.selected, 10)
        XCTAssertEqual(s.tree!.top, 6)  // 8 rows - header - footer - column header = 5 visible
        let grid = render(s, data, Appearance())
        XCTAssertEqual(grid.lines[6], "  └─· llm.generate            LLM      1.40s ·······████     500/200         ?")
    }

    func testHelpIsGeneratedFromTheKeyTable() {
        let lines = helpLines()
        for binding in keyBindings {
            XCTAssertTrue(lines.contains("  " + fit(binding.label, 13) + binding.help), binding.help)
        }
    }

    func testSpanTextCannotDriveTheTerminal() throws {
        var store = SpanStore()
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"evil\u001b[2J\u001b]0;pwned\u0007name\ttab","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "evil.json", into: &store)
        let analysis = Analysis(store: store, prices: .embedded)
        let data = ViewData(store: store, analysis: analysis, title: "x", warnings: [])
        let s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: data)
        let grid = render(s, data, Appearance())
        XCTAssertTrue(grid.lines[2].hasPrefix("· evilname tab "))
        XCTAssertFalse(grid.cells.contains { $0.scalar.value < 0x20 || $0.scalar.value == 0x1B })
    }

    /// The model call's section of the detail pane shows other spans' values and keys: sanitized too.
    func testCallSectionTextCannotDriveTheTerminal() throws {
        var store = SpanStore()
        let evil = #"gpt-4o\u001b]0;pwned\u0007"#
        let json =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":["#
            + #"{"traceId":"01","spanId":"01","name":"w","startTimeUnixNano":"1","endTimeUnixNano":"9","attributes":[{"key":"llm.model","value":{"stringValue":"\#(evil)"}},{"key":"note","value":{"stringValue":"x"}}]},"#
            + #"{"traceId":"01","spanId":"02","parentSpanId":"01","name":"c","startTimeUnixNano":"2","endTimeUnixNano":"8","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}}]}"#
            + #"]}]}]}"#
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "evil.json", into: &store)
        let analysis = Analysis(store: store, prices: .embedded)
        let data = ViewData(store: store, analysis: analysis, title: "x", warnings: [])
        let lines = detailLines(span: 1, data: data, glyphs: .unicode)
        // The escape sequence (OSC: set the window title) is removed whole.
        XCTAssertTrue(
            lines.contains { $0.text == "model          gpt-4o  (w · llm.model)" },
            lines.map(\.text).joined(separator: "\n"))
        XCTAssertFalse(lines.contains { $0.text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 } })
    }
}
