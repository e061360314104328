import TraceAnalysis
import TraceFormats
import TraceModel
import XCTest

@testable import TraceUI

/// The dashboard screen: golden screens at 80×24 and 120×40 with and without colour and UTF-8, and
/// the keys that filter, jump to the traces behind a figure and come back.
/// Golden files: see `Golden` for the format and how to regenerate them.
final class DashboardScreenTests: XCTestCase {
    let unicode = Appearance(glyphs: .unicode, color: true)
    let ascii = Appearance(glyphs: .asciiOnly, color: false)

    /// The bundled six-run sample over three days: daily trend, a 429, a retry, a truncated answer.
    static func sample() throws -> ViewData { try Fixture.sample("multi-trace.jsonl", warnings: false) }

    func dashboard(_ data: ViewData, _ w: Int, _ h: Int) -> AppState {
        AppState(screen: .dashboard, width: w, height: h, data: data)
    }

    func testDashboard80x24() throws {
        let data = try Self.sample()
        try assertGolden(render(dashboard(data, 80, 24), data, unicode), "dashboard-80x24")
    }

    func testDashboardScrolled80x24() throws {
        var data = try Self.sample()
        var s = dashboard(data, 80, 24)
        update(&s, .key(.pageDown), &data)
        try assertGolden(render(s, data, unicode), "dashboard-page2-80x24")
        update(&s, .key(.pageDown), &data)
        try assertGolden(render(s, data, unicode), "dashboard-page3-80x24")
    }

    func testDashboard120x40() throws {
        let data = try Self.sample()
        try assertGolden(render(dashboard(data, 120, 40), data, unicode), "dashboard-120x40")
    }

    /// Down twice moves the reversed figure from the error rate to gpt-4o's row of cost by model; the text stays.
    func testSelectedFigureMoves80x24() throws {
        var data = try Self.sample()
        var s = dashboard(data, 80, 24)
        update(&s, .key(.down), &data)
        update(&s, .key(.down), &data)
        try assertGolden(render(s, data, unicode), "dashboard-third-figure-80x24")
    }

    func testDashboardASCII80x24() throws {
        let data = try Self.sample()
        let grid = render(dashboard(data, 80, 24), data, ascii)
        try assertGolden(grid, "dashboard-ascii-80x24")
        XCTAssertTrue(grid.cells.allSatisfy { $0.scalar.isASCII && $0.style.fg == .normal })
    }

    func testDashboardASCII120x40() throws {
        let data = try Self.sample()
        let grid = render(dashboard(data, 120, 40), data, ascii)
        try assertGolden(grid, "dashboard-ascii-120x40")
        XCTAssertTrue(grid.cells.allSatisfy { $0.scalar.isASCII && $0.style.fg == .normal })
    }
}

/// Keys of the dashboard: filters shared with the list, jumping to the traces behind a figure and back.
final class DashboardKeyTests: XCTestCase {
    func testOpenFromTheTreeFilterJumpAndBack() throws {
        var data = try DashboardScreenTests.sample()
        var s = AppState(screen: .tree(trace: 4), width: 80, height: 24, data: data)
        update(&s, .key(.down), &data)
        update(&s, .key(.char("D")), &data)
        XCTAssertEqual(s.screen, .dashboard)
        XCTAssertEqual(s.dashboard?.dashboard?.calls, 7)

        // m steps through the models, busiest first: claude-sonnet-4 (3 calls), then gpt-4o (3), …
        update(&s, .key(.char("m")), &data)
        XCTAssertEqual(s.list.facets.model, "claude-sonnet-4")
        XCTAssertEqual(s.dashboard?.dashboard?.calls, 3)
        update(&s, .key(.char("m")), &data)
        XCTAssertEqual(s.list.facets.model, "gpt-4o")
        XCTAssertEqual(s.dashboard?.dashboard?.calls, 3)

        // The first figure is gpt-4o's row of "cost by model": Enter lists its traces, most expensive first.
        update(&s, .key(.enter), &data)
        XCTAssertEqual(s.screen, .traceList)
        let costs = s.list.rows.map { data.analysis.traceTotals[$0].costUSD }
        XCTAssertEqual(costs, [0.01, 0.0045, 0.003])
        XCTAssertTrue(
            render(s, data, Appearance()).lines[0].hasPrefix(
                "tracetui · most expensive traces of model gpt-4o · 3 traces · q back to the"))

        // Open one: the span behind the figure is selected; q back to the list, q back to the dashboard.
        update(&s, .key(.enter), &data)
        guard case .tree = s.screen, let tree = s.tree else { return XCTFail("no tree") }
        XCTAssertEqual(data.store.string(data.store.spans[Int(tree.rows[tree.selected])].name), "llm.generate")
        update(&s, .key(.char("q")), &data)
        XCTAssertEqual(s.screen, .traceList)
        update(&s, .key(.char("q")), &data)
        XCTAssertEqual(s.screen, .dashboard)
        XCTAssertEqual(s.list.facets.model, "gpt-4o")

        // x clears the filters; q returns to the tree it was opened from, as it was.
        update(&s, .key(.char("x")), &data)
        XCTAssertEqual(s.dashboard?.dashboard?.calls, 7)
        update(&s, .key(.char("q")), &data)
        XCTAssertEqual(s.screen, .tree(trace: 4))
        XCTAssertEqual(s.tree?.selected, 1)
    }

    func testJumpToRateLimitsAndTruncatedAnswers() throws {
        var data = try DashboardScreenTests.sample()
        var s = AppState(screen: .dashboard, width: 120, height: 40, data: data)
        let layout = dashboardLayout(s.dashboard!.dashboard!, width: 120, ascii: false)
        for target in [DashboardTarget.rateLimits, .finish(.length)] {
            s.dashboard?.selected = layout.targets.firstIndex(of: target)!
            update(&s, .key(.enter), &data)
            XCTAssertEqual(s.screen, .traceList)
            XCTAssertEqual(s.list.rows.count, 1, "\(target)")
            let trace = data.analysis.forest.traces[s.list.rows[0]].traceID.hex
            XCTAssertEqual(trace.prefix(8), target == .rateLimits ? "c810f0ac" : "92211aca")
            update(&s, .key(.escape), &data)
            XCTAssertEqual(s.screen, .dashboard)
        }
    }

    func testFiltersNarrowTheTraceList() throws {
        var data = try DashboardScreenTests.sample()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        XCTAssertEqual(s.list.rows.count, 6)
        update(&s, .key(.char("m")), &data)  // claude-sonnet-4
        XCTAssertEqual(s.list.rows.count, 2)
        update(&s, .key(.char("t")), &data)  // last hour
        XCTAssertEqual(s.list.rows.count, 1)
        XCTAssertTrue(
            render(s, data, Appearance()).lines[0].hasPrefix(
                "tracetui · 1 of 6 traces · filter: model=claude-sonnet-4 range=1h"))
        update(&s, .key(.char("x")), &data)
        XCTAssertEqual(s.list.rows.count, 6)
    }

    func testDashboardFirstScreenQuits() throws {
        var data = try DashboardScreenTests.sample()
        var s = AppState(screen: .dashboard, width: 80, height: 24, data: data)
        update(&s, .key(.char("q")), &data)
        XCTAssertTrue(s.quit)
    }

    /// Past `inlineWorkSpans` the figures are not computed in `update`: the dashboard opens at once
    /// saying so, asks the shell for them, refuses the keys that need them, and shows them when
    /// `dashboardPrepared` comes; a filter change asks again, and until the answer nothing stale shows.
    func testFiguresBeyondTheInlineLimitComeAsAMessage() throws {
        var data = try DashboardScreenTests.sample()
        var s = AppState(screen: .traceList, width: 80, height: 24, data: data)
        s.inlineWorkSpans = 10
        update(&s, .key(.char("D")), &data)
        XCTAssertEqual(s.screen, .dashboard)
        XCTAssertNil(s.dashboard?.dashboard)
        XCTAssertEqual(s.requests, [.dashboard(DashboardFilter())])
        var lines = render(s, data, Appearance(glyphs: .unicode, color: true)).lines
        XCTAssertEqual(lines[0].trimmingCharacters(in: .whitespaces), "dashboard · computing…")
        XCTAssertEqual(
            lines[1].trimmingCharacters(in: .whitespaces), "Computing the dashboard from 17 spans: it shows when ready."
        )
        s.requests.removeAll()
        update(&s, .key(.char("m")), &data)
        XCTAssertEqual(s.list.facets, DashboardFilter())
        XCTAssertEqual(s.message, "the dashboard is being computed; it shows as soon as it is ready")
        XCTAssertEqual(s.requests, [])

        data.prepareDashboard(filter: DashboardFilter())  // what the shell does on its thread
        update(&s, .dashboardPrepared, &data)
        XCTAssertEqual(s.dashboard?.dashboard, data.dashboard(filter: DashboardFilter()))
        XCTAssertEqual(s.dashboard?.pending, false)
        var inline = AppState(screen: .traceList, width: 80, height: 24, data: data)
        update(&inline, .key(.char("D")), &data)
        // The same screen as when computed in the frame, but for the footer's message about the refused `m`.
        XCTAssertEqual(
            render(s, data, Appearance()).lines.dropLast(), render(inline, data, Appearance()).lines.dropLast())

        update(&s, .key(.char("m")), &data)  // claude-sonnet-4: not computed yet
        let model = DashboardFilter(model: "claude-sonnet-4")
        XCTAssertEqual(s.requests, [.dashboard(model)])
        XCTAssertNil(s.dashboard?.dashboard)
        data.prepareDashboard(filter: model)
        update(&s, .dashboardPrepared, &data)
        XCTAssertEqual(s.dashboard?.dashboard?.filter, model)
        lines = render(s, data, Appearance(glyphs: .unicode, color: true)).lines
        XCTAssertTrue(lines[0].hasSuffix("· 3 calls · filter: model=claude-sonnet…"), lines[0])
    }

    func testTinyTerminals() throws {
        let data = try DashboardScreenTests.sample()
        for (w, h) in [(0, 0), (1, 1), (20, 5), (30, 8)] {
            let s = AppState(screen: .dashboard, width: w, height: h, data: data)
            XCTAssertEqual(render(s, data, Appearance()).width, max(0, w))
        }
    }
}
