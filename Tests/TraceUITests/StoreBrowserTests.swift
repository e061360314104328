import TraceAnalysis
import TraceModel
import XCTest

@testable import TraceUI

/// Searching a store from the TUI, on the pure core: what is asked of the shell, how answers are
/// taken, what stays while a request is on its way, and the screens.
final class StoreBrowserTests: XCTestCase {
    let look = Appearance(glyphs: .unicode, color: true)

    static let results = [
        TraceSummary(
            traceID: TraceID(hex: "5b8efff798038103d269b633813fc700")!, rootService: "support-agent",
            rootName: "agent.workflow", startNanos: Fixture.base, durationNanos: 12_400_000_000, matchedSpans: 3),
        TraceSummary(
            traceID: TraceID(hex: "d6e9329d67b6146a")!, rootService: "frontend", rootName: "/cart",
            startNanos: Fixture.base - 60_000_000_000, durationNanos: 611_000_000, matchedSpans: nil),
    ]

    func empty() -> ViewData {
        let store = SpanStore()
        return ViewData(store: store, analysis: Analysis(store: store, prices: .embedded), title: "", warnings: [])
    }

    func browsing(_ kind: StoreKind, _ data: ViewData, width: Int = 80, height: Int = 24) -> AppState {
        var browser = StoreBrowserState(title: "\(kind.title) at http://store:3200", kind: kind)
        browser.results = Self.results
        browser.query = StoreQuery(startSeconds: 0, endSeconds: 3600)
        return AppState(screen: .storeResults, width: width, height: height, data: data, store: browser)
    }

    func testResults80x24() throws {
        let data = empty()
        try assertGolden(render(browsing(.tempo, data), data, look), "store-results-80x24")
    }

    func testResults120x40() throws {
        let data = empty()
        try assertGolden(render(browsing(.tempo, data, width: 120, height: 40), data, look), "store-results-120x40")
    }

    /// Enter asks for the trace; its data replaces what is shown and opens the tree; q goes back to
    /// the results as they were.
    func testOpenAFetchedTraceAndGoBack() throws {
        var data = empty()
        var s = browsing(.tempo, data)
        update(&s, .key(.down), &data)
        update(&s, .key(.up), &data)
        update(&s, .key(.enter), &data)
        XCTAssertEqual(s.requests, [.fetch(Self.results[0].traceID)])
        XCTAssertEqual(s.message, "fetching trace 5b8efff798038103d269b633813fc700 from Tempo at http://store:3200…")
        s.requests.removeAll()
        let fetched = try Fixture.data()
        update(&s, .storeTrace(Self.results[0].traceID, fetched), &data)
        XCTAssertEqual(s.screen, .tree(trace: 0))
        XCTAssertEqual(data.store.spans.count, fetched.store.spans.count)
        XCTAssertNil(s.store?.fetching)
        update(&s, .key(.char("w")), &data)
        XCTAssertEqual(s.requests, [.save(trace: 0)])
        s.requests.removeAll()
        update(&s, .key(.char("q")), &data)
        XCTAssertEqual(s.screen, .storeResults)
        XCTAssertEqual(s.store?.results, Self.results)
        update(&s, .key(.char("q")), &data)
        XCTAssertTrue(s.quit)
    }

    /// The trace asked for last is the one opened: an earlier answer arriving late is dropped; the
    /// header says what is on its way.
    func testOnlyTheLastFetchOpens() throws {
        var data = empty()
        var s = browsing(.tempo, data)
        update(&s, .key(.enter), &data)
        update(&s, .key(.down), &data)
        update(&s, .key(.enter), &data)
        XCTAssertEqual(s.requests, [.fetch(Self.results[0].traceID), .fetch(Self.results[1].traceID)])
        XCTAssertEqual(
            render(s, data, look).lines.first,
            "tracetui · Tempo at http://store:3200 · 2 traces · fetching d6e9329d…")
        update(&s, .storeTrace(Self.results[0].traceID, try Fixture.data()), &data)
        XCTAssertEqual(s.screen, .storeResults)
        XCTAssertEqual(data.store.spans.count, 0)
        XCTAssertEqual(s.store?.fetching, Self.results[1].traceID)
    }

    /// A failure is a message; the list and the open trace stay.
    func testAFailureKeepsWhatIsOpen() {
        var data = empty()
        var s = browsing(.tempo, data)
        update(&s, .key(.enter), &data)
        update(&s, .storeFailed("Tempo at http://store:3200: HTTP 500: boom"), &data)
        XCTAssertEqual(s.screen, .storeResults)
        XCTAssertEqual(s.store?.results, Self.results)
        XCTAssertNil(s.store?.fetching)
        XCTAssertEqual(s.message, "Tempo at http://store:3200: HTTP 500: boom")
    }

    /// S opens the form (asking for the words it completes), Tab completes a tag name, Enter asks for
    /// the search; the old results stay until the new ones arrive.
    func testTheSearchForm() throws {
        var data = empty()
        var s = browsing(.tempo, data)
        update(&s, .key(.char("S")), &data)
        XCTAssertEqual(s.requests, [.vocabulary])
        s.requests.removeAll()
        update(
            &s, .storeVocabulary(tags: ["span.gen_ai.request.model", "span.http.method", "duration"], services: []),
            &data)
        for _ in 0..<2 { update(&s, .key(.backspace), &data) }
        for c in "{ span.gen" { update(&s, .key(.char(c)), &data) }
        XCTAssertEqual(s.store?.form?.suggestions(s.store!), ["span.gen_ai.request.model"])
        try assertGolden(render(s, data, look), "store-search-form-80x24")
        update(&s, .key(.tab), &data)
        for c in " = \"gpt-4o\" }" { update(&s, .key(.char(c)), &data) }
        update(&s, .key(.down), &data)  // since
        for _ in 0..<2 { update(&s, .key(.backspace), &data) }
        for c in "15m" { update(&s, .key(.char(c)), &data) }
        update(&s, .key(.enter), &data)
        var expected = StoreQuery(startSeconds: 0, endSeconds: 0)
        expected.traceQL = #"{ span.gen_ai.request.model = "gpt-4o" }"#
        XCTAssertEqual(s.requests, [.search(expected, sinceSeconds: 900)])
        XCTAssertNil(s.store?.form)
        XCTAssertEqual(s.store?.searching, true)
        XCTAssertEqual(s.store?.results, Self.results)
        update(&s, .storeResults(expected, [Self.results[1]], warnings: []), &data)
        XCTAssertEqual(s.store?.results, [Self.results[1]])
        XCTAssertEqual(s.store?.searching, false)
        XCTAssertEqual(s.message, "1 trace found")
        // S again starts from what was searched.
        update(&s, .key(.char("S")), &data)
        XCTAssertEqual(s.store?.form?.fields.map(\.value), [expected.traceQL, "15m", "20"])
    }

    func testJaegerFormNeedsAServiceAndAsksForItsOperations() {
        var data = empty()
        var s = browsing(.jaeger, data)
        update(&s, .key(.char("S")), &data)
        s.requests.removeAll()
        XCTAssertEqual(
            s.store?.form?.fields.map(\.label),
            ["service", "operation", "attributes", "min duration", "since", "limit"])
        update(&s, .key(.enter), &data)
        XCTAssertEqual(s.message, "service: Jaeger searches one service")
        update(&s, .storeVocabulary(tags: [], services: ["checkout", "frontend"]), &data)
        update(&s, .key(.char("c")), &data)
        update(&s, .key(.tab), &data)
        XCTAssertEqual(s.store?.form?.fields[0].value, "checkout")
        update(&s, .key(.tab), &data)  // nothing more to complete: the next field
        XCTAssertEqual(s.requests, [.operations(service: "checkout")])
        s.requests.removeAll()
        update(&s, .key(.tab), &data)  // attributes
        for c in "app.feature=refund tier" { update(&s, .key(.char(c)), &data) }
        update(&s, .key(.enter), &data)
        XCTAssertEqual(s.message, "attributes: write key=value pairs separated by spaces")
        for _ in 0..<5 { update(&s, .key(.backspace), &data) }
        update(&s, .key(.enter), &data)
        var expected = StoreQuery(startSeconds: 0, endSeconds: 0)
        expected.service = "checkout"
        expected.attributes = [("app.feature", "refund")]
        XCTAssertEqual(s.requests, [.search(expected, sinceSeconds: 3600)])
    }

    func testWithoutAStoreSSaysHowToGetOne() throws {
        var data = try Fixture.data()
        var s = AppState(screen: .tree(trace: 0), width: 80, height: 24, data: data)
        update(&s, .key(.char("S")), &data)
        XCTAssertEqual(
            s.message,
            "no trace store: start tracetui with --tempo URL or --jaeger URL (or set TEMPO_URL or JAEGER_URL)")
        XCTAssertTrue(s.requests.isEmpty)
        update(&s, .key(.char("w")), &data)
        XCTAssertEqual(s.requests, [.save(trace: 0)])
    }
}
