import TraceAnalysis
import TraceFormats
import TraceModel
import XCTest

@testable import TraceUI

/// Live sessions swap in new data; the user's place must survive it (kept by trace and span id).
final class LiveAdoptTests: XCTestCase {
    let tA = "000000000000000000000000000000aa", tB = "000000000000000000000000000000bb",
        tC = "000000000000000000000000000000cc"

    func span(_ trace: String, _ id: String, _ parent: String, _ name: String, _ start: Int) -> String {
        #"{"traceId":"\#(trace)","spanId":"\#(id)","parentSpanId":"\#(parent)","name":"\#(name)","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(start + 100)"}"#
    }

    func data(_ spans: [String]) throws -> ViewData {
        var store = SpanStore()
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "live", into: &store)
        return ViewData(store: store, analysis: Analysis(store: store, prices: .embedded), title: "live", warnings: [])
    }

    var first: [String] {
        [
            span(tA, "00000000000000a1", "", "a-root", 1000),
            span(tA, "00000000000000a2", "00000000000000a1", "a-step", 1010),
            span(tA, "00000000000000a3", "00000000000000a2", "a-call", 1020),
            span(tB, "00000000000000b1", "", "b-root", 2000),
        ]
    }

    /// The same spans in another order, a new child of a-root, and a new, earlier trace C.
    var second: [String] {
        [
            span(tC, "00000000000000c1", "", "c-root", 500), span(tB, "00000000000000b1", "", "b-root", 2000),
            span(tA, "00000000000000a4", "00000000000000a1", "a-late", 1050),
        ] + first.prefix(3)
    }

    func selectedName(_ s: AppState, _ d: ViewData) -> String {
        d.store.string(d.store.spans[Int(s.tree!.rows[s.tree!.selected])].name)
    }

    func testOpenTreeKeepsTraceFoldsAndSelectionByID() throws {
        let old = try data(first)
        let new = try data(second)
        var shown = old
        var s = AppState(screen: .traceList, width: 80, height: 24, data: shown)
        update(&s, .key(.enter), &shown)  // trace A (earliest)
        update(&s, .key(.down), &shown)  // a-step
        update(&s, .key(.enter), &shown)  // fold it
        XCTAssertEqual(s.tree!.rows.count, 2)
        update(&s, .liveData(new), &shown)
        XCTAssertEqual(shown.store.spans.count, new.store.spans.count, "the message swaps the data in")
        XCTAssertEqual(s.screen, .tree(trace: 1))  // C is now first, A second
        XCTAssertEqual(selectedName(s, new), "a-step")
        XCTAssertEqual(s.tree!.folded.map { new.store.string(new.store.spans[Int($0)].name) }, ["a-step"])
        XCTAssertEqual(
            s.tree!.rows.map { new.store.string(new.store.spans[Int($0)].name) }, ["a-root", "a-step", "a-late"])
    }

    func testListSelectionFollowsTheTraceAndAnEvictedTreeClosesWithAMessage() throws {
        let old = try data(first)
        let new = try data(second)
        var shown = old
        var s = AppState(screen: .traceList, width: 80, height: 24, data: shown)
        update(&s, .key(.down), &shown)  // B selected
        update(&s, .liveData(new), &shown)
        XCTAssertEqual(s.list.rows[s.list.selected], 2)  // B is third now: C, A, B
        update(&s, .key(.up), &shown)
        update(&s, .key(.enter), &shown)  // open A
        let withoutA = try data([span(tB, "00000000000000b1", "", "b-root", 2000)])
        update(&s, .liveData(withoutA), &shown)
        XCTAssertEqual(s.screen, .traceList)
        XCTAssertNil(s.tree)
        XCTAssertEqual(s.message, "the open trace was evicted to stay under --max-spans")
    }

    func testDashboardReturnsToTheSameTreeAfterNewData() throws {
        let old = try data(first)
        let new = try data(second)
        var shown = old
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: shown)
        update(&s, .key(.down), &shown)  // a-step
        update(&s, .key(.char("D")), &shown)
        XCTAssertEqual(s.screen, .dashboard)
        XCTAssertTrue(s.needsDashboardData)
        update(&s, .liveData(new), &shown)
        XCTAssertEqual(s.dashboard?.returnTree?.trace, 1)
        update(&s, .key(.char("q")), &shown)
        XCTAssertEqual(s.screen, .tree(trace: 1))
        XCTAssertFalse(s.needsDashboardData)
        XCTAssertEqual(selectedName(s, new), "a-step")
    }

    /// New data whose figures the analysis thread did not prepare (the filter just changed, or it is
    /// behind): beyond `inlineWorkSpans` the older data's figures stay, marked as updating, while the
    /// shell computes the new ones; prepared figures are taken at once.
    func testNewDataKeepsTheFiguresShownUntilItsOwnAreComputed() throws {
        let new = try data(second)
        var shown = try data(first)
        var s = AppState(screen: .traceList, width: 80, height: 24, data: shown)
        s.inlineWorkSpans = 3
        shown.prepareDashboard(filter: DashboardFilter())
        update(&s, .key(.char("D")), &shown)
        XCTAssertEqual(s.requests, [])
        let before = s.dashboard?.dashboard
        XCTAssertEqual(before?.overview.errorRate.spans, 4)
        update(&s, .liveData(new), &shown)
        XCTAssertEqual(s.requests, [.dashboard(DashboardFilter())])
        XCTAssertEqual(s.dashboard?.dashboard, before)
        XCTAssertTrue(render(s, shown, Appearance()).lines[0].hasSuffix(" · updating…"))
        new.prepareDashboard(filter: DashboardFilter())
        update(&s, .dashboardPrepared, &shown)
        XCTAssertEqual(s.dashboard?.dashboard?.overview.errorRate.spans, 6)
        XCTAssertEqual(s.dashboard?.pending, false)
        XCTAssertTrue(render(s, shown, Appearance()).lines[0].hasSuffix("filter: none"))
    }

    func testTheStatusLineArrivesAsAMessageAndKeepsBackInTheList() throws {
        var shown = try data(first)
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: shown)
        update(&s, .liveStatus("▲ 4 spans received"), &shown)
        XCTAssertEqual(s.liveStatus, "▲ 4 spans received")
        XCTAssertTrue(
            render(s, shown, Appearance(glyphs: .unicode, color: false)).lines.last!.contains("▲ 4 spans received"))
        // Live, q in a tree goes back to the list (where more traces will arrive) instead of quitting.
        update(&s, .key(.char("q")), &shown)
        XCTAssertEqual(s.screen, .traceList)
        XCTAssertFalse(s.quit)
    }
}
