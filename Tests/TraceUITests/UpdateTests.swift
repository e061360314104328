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

    func testFilterKeepsMatchesWithTheirAncestorsAndNWalksThem() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: data)
        press(&s, data, .char("H"), .char("/"))
        for c in "gpt-4o" { press(&s, data, .char(c)) }
        XCTAssertEqual(s.prompt, "gpt-4o")
        press(&s, data, .enter)
        // A bare word: the two calls whose model says gpt-4o (the gpt-4o call under agent.plan and the
        // gpt-4o-mini call under agent.step.2), shown with their ancestors, the folds above them open.
        XCTAssertEqual(s.tree!.matches, [2, 8])
        XCTAssertEqual(s.tree!.rows, [0, 1, 2, 7, 8])
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 2)
        XCTAssertEqual(s.message, "2 span(s) match gpt-4o; n/N next/previous, / Enter clears")
        press(&s, data, .char("n"))
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 8)
        press(&s, data, .char("n"))
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 2)
        XCTAssertEqual(s.message, "search wrapped")
        press(&s, data, .char("N"))
        XCTAssertEqual(s.tree!.rows[s.tree!.selected], 8)
        // `e` only visits the spans shown: the failing tool call is filtered out.
        press(&s, data, .char("e"))
        XCTAssertEqual(s.message, "no errors in this trace shown")

        // A comparison replaces it: the prompt starts from the filter in force.
        press(&s, data, .char("/"))
        XCTAssertEqual(s.prompt, "gpt-4o")
        for _ in 0..<6 { press(&s, data, .backspace) }
        for c in "cost>0.005 or status=error" { press(&s, data, .char(c)) }
        press(&s, data, .enter)
        // $0.006 (gpt-4o) and the claude-sonnet-4 call ($0.0135), and the failing tool.execute.
        XCTAssertEqual(s.tree!.matches, [2, 4, 6])
        XCTAssertEqual(s.tree!.rows, [0, 1, 2, 3, 4, 5, 6])

        // Cleared: every span again, the folds the user made kept.
        press(&s, data, .char("/"))
        for _ in 0..<26 { press(&s, data, .backspace) }
        press(&s, data, .enter)
        XCTAssertNil(s.tree!.filter)
        XCTAssertEqual(s.message, "filter cleared")
        XCTAssertEqual(s.tree!.rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    func testAWrongFilterKeepsThePromptAndNamesTheColumn() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: data)
        press(&s, data, .char("/"))
        for c in "dur>2s and cost>x" { press(&s, data, .char(c)) }
        press(&s, data, .enter)
        XCTAssertEqual(s.prompt, "dur>2s and cost>x")
        XCTAssertEqual(s.promptError?.description, "column 17: 'x' is not a cost (0.05 or $0.05)")
        XCTAssertNil(s.tree!.filter)
        let lines = render(s, data, Appearance(glyphs: .unicode, color: false)).lines
        XCTAssertEqual(String(lines[22]), "                 ^ column 17: 'x' is not a cost (0.05 or $0.05)")
        XCTAssertEqual(String(lines[23]), "/dur>2s and cost>x█")
        // Typing again clears the error; Escape leaves the tree as it was.
        press(&s, data, .backspace)
        XCTAssertNil(s.promptError)
        press(&s, data, .escape)
        XCTAssertNil(s.prompt)
        XCTAssertEqual(s.tree!.rows.count, 11)
    }

    func testListFilterKeepsTracesWithAMatchingSpanAndOpensThemFiltered() throws {
        let data = try Fixture.data()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        press(&s, data, .char("/"))
        for c in "model=gpt-4o*" { press(&s, data, .char(c)) }
        press(&s, data, .enter)
        // The workflow's gpt-4o and gpt-4o-mini calls; the chat's gpt-4o-mini call.
        XCTAssertEqual(s.list.matchCounts, [0: 2, 1: 1])
        XCTAssertEqual(s.message, "2 trace(s), 3 span(s) match model=gpt-4o*")
        press(&s, data, .char("/"))
        for _ in 0..<13 { press(&s, data, .backspace) }
        for c in "tokens.in>=1k" { press(&s, data, .char(c)) }
        press(&s, data, .enter)
        // 1200 and 2000 input tokens in the workflow; the chat's call had 100.
        XCTAssertEqual(s.list.rows, [0])
        XCTAssertEqual(s.list.matchCounts, [0: 2])
        XCTAssertEqual(s.message, "1 trace(s), 2 span(s) match tokens.in>=1k")
        let screen = render(s, data, Appearance(glyphs: .unicode, color: false)).lines.joined(separator: "\n")
        XCTAssertTrue(screen.hasPrefix("tracetui · 1 of 2 traces · filter: tokens.in>=1k · fixture.json"), screen)
        // Opened, the tree is filtered the same way.
        press(&s, data, .enter)
        XCTAssertEqual(s.tree!.matches, [2, 4])
        XCTAssertEqual(s.tree!.rows, [0, 1, 2, 3, 4])
        // A word that is no field's value: no trace.
        press(&s, data, .char("q"), .char("/"))
        for _ in 0..<13 { press(&s, data, .backspace) }
        for c in "paris or 4bf9" { press(&s, data, .char(c)) }
        press(&s, data, .enter)
        // "paris" is in the chat's prompt; 4bf9 starts its trace id.
        XCTAssertEqual(s.list.matchCounts, [1: 1])
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
        XCTAssertEqual(s.message, "1 trace(s), 1 span(s) match chat")
    }

    /// C opens the conversations; the movement keys move in the list, then in a session's turns;
    /// Enter opens a turn's trace and q walks back out.
    func testSessionsKeys() throws {
        let data = try Fixture.sample("chat-sessions.json", warnings: false)
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        press(&s, data, .char("C"))
        XCTAssertEqual(s.screen, .sessions)
        press(&s, data, .char("G"))
        XCTAssertEqual(s.sessions?.selected, 2)
        press(&s, data, .char("k"), .enter)
        XCTAssertEqual(s.screen, .session)
        XCTAssertEqual(s.sessions?.open, 1)  // conv-b83d07, two turns
        press(&s, data, .end)
        XCTAssertEqual(s.sessions?.turnSelected, 1)
        press(&s, data, .enter)
        XCTAssertEqual(s.tree?.trace, s.sessions?.sessions[1].turns[1].trace)
        press(&s, data, .char("q"))
        XCTAssertEqual(s.screen, .session)
        press(&s, data, .char("q"), .char("q"))
        XCTAssertEqual(s.screen, .traceList)
        XCTAssertNil(s.sessions)
    }

    /// Beyond `inlineWorkSpans`, a list filter's matches are counted by the shell: the list stays as it
    /// was, its header saying what is being matched, until their message filters it.
    func testListFilterBeyondTheInlineLimitComesAsAMessage() throws {
        var data = try Fixture.data()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        s.inlineWorkSpans = 0
        press(&s, data, .char("/"), .char("c"), .char("h"), .char("a"), .char("t"), .enter)
        let chat = try SpanFilter("chat")
        XCTAssertEqual(s.list.counting, chat)
        XCTAssertNil(s.list.filter)
        XCTAssertEqual(s.list.rows, [0, 1])
        XCTAssertEqual(s.requests, [.countMatches(chat)])
        let lines = render(s, data, Appearance()).lines
        XCTAssertEqual(
            lines[0].trimmingCharacters(in: .whitespaces),
            "tracetui · matching chat in \(data.store.spans.count) spans: computing… · fixture.json")
        press(&s, data, .char("/"))
        XCTAssertEqual(s.prompt, "chat")
        press(&s, data, .escape)

        data.prepareMatchCounts(chat)  // what the shell does on its thread
        update(&s, .matchesCounted, &data)
        XCTAssertNil(s.list.counting)
        XCTAssertEqual(s.list.filter, chat)
        XCTAssertEqual(s.list.rows, [1])
        XCTAssertEqual(s.message, "1 trace(s), 1 span(s) match chat")
        var inline = AppState(screen: .traceList, width: 80, height: 24, data: data)
        press(&inline, data, .char("/"), .char("c"), .char("h"), .char("a"), .char("t"), .enter)
        XCTAssertEqual(render(s, data, Appearance()).lines, render(inline, data, Appearance()).lines)

        s.requests.removeAll()
        press(&s, data, .char("/"), .backspace, .backspace, .backspace, .backspace, .enter)
        XCTAssertNil(s.list.filter)
        XCTAssertEqual(s.list.rows, [0, 1])
        XCTAssertEqual(s.message, "filter cleared")
        XCTAssertEqual(s.requests, [])
    }

    /// Beyond `inlineWorkSpans`, C opens the sessions saying they are being grouped and asks the shell
    /// to group them; their message shows what grouping in the frame shows, and a second C takes them
    /// at once. Newer live data regroups them the same way, the open session found again by id.
    func testSessionsBeyondTheInlineLimitComeAsAMessage() throws {
        var data = try Fixture.sample("chat-sessions.json", warnings: false)
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        s.inlineWorkSpans = 0
        press(&s, data, .char("C"))
        XCTAssertEqual(s.screen, .sessions)
        XCTAssertEqual(s.sessions?.pending, true)
        XCTAssertEqual(s.requests, [.sessions])
        let lines = render(s, data, Appearance()).lines
        XCTAssertEqual(lines[0].trimmingCharacters(in: .whitespaces), "sessions · computing…")
        XCTAssertEqual(
            lines[1].trimmingCharacters(in: .whitespaces),
            "Grouping the traces of \(data.store.spans.count) spans by conversation: they show when ready.")
        press(&s, data, .enter)
        XCTAssertEqual(s.screen, .sessions)
        XCTAssertEqual(s.message, "the sessions are being grouped; they show as soon as they are ready")

        data.prepareSessions()  // what the shell does on its thread
        update(&s, .sessionsPrepared, &data)
        XCTAssertEqual(s.sessions?.pending, false)
        XCTAssertEqual(s.sessions?.sessions.map(\.id), ["sess-a4f1c2", "conv-b83d07", "lf-sess-c5e91b"])
        var inline = AppState(screen: .traceList, width: 80, height: 24, data: data)
        press(&inline, data, .char("C"))
        // The same screen as when grouped in the frame, but for the footer's message about the refused Enter.
        XCTAssertEqual(
            render(s, data, Appearance()).lines.dropLast(), render(inline, data, Appearance()).lines.dropLast())

        s.requests.removeAll()
        press(&s, data, .char("q"), .char("C"))
        XCTAssertEqual(s.requests, [])
        XCTAssertEqual(s.sessions?.pending, false)

        press(&s, data, .char("j"), .enter)
        XCTAssertEqual(s.screen, .session)
        let newer = ViewData(store: data.store, analysis: data.analysis, title: data.title, warnings: [])
        update(&s, .liveData(newer), &data)
        XCTAssertEqual(s.sessions?.pending, true)
        XCTAssertEqual(s.requests, [.sessions])
        XCTAssertEqual(
            render(s, data, Appearance()).lines[0].trimmingCharacters(in: .whitespaces), "sessions · computing…")
        data.prepareSessions()
        update(&s, .sessionsPrepared, &data)
        XCTAssertEqual(s.screen, .session)
        XCTAssertEqual(s.sessions?.open, 1)
        XCTAssertEqual(s.sessions.map { $0.sessions[1].id }, "conv-b83d07")
    }

    /// Without a session id in any trace, C grouped off the UI thread returns to the list saying so.
    func testNoSessionsBeyondTheInlineLimit() throws {
        var data = try Fixture.data()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        s.inlineWorkSpans = 0
        press(&s, data, .char("C"))
        XCTAssertEqual(s.screen, .sessions)
        data.prepareSessions()
        update(&s, .sessionsPrepared, &data)
        XCTAssertEqual(s.screen, .traceList)
        XCTAssertNil(s.sessions)
        XCTAssertEqual(
            s.message, "no sessions: no trace carries gen_ai.conversation.id, session.id, langfuse.session.id…")
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
