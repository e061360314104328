import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceAnalysis

/// Every dashboard panel on a hand-made week of calls, expected values worked out by hand below.
///
/// "now" is the end of call a1 (the newest span end). Calls, by end time before now:
/// | call | trace | feature | model           | ends     | latency | in/out    | cost    | finish (mapped)        |
/// | a1   | A     | chat    | gpt-4o          | 0        | 2 s     | 1000/200  | 0.01    | stop                   |
/// | a2   | A     | chat    | claude-sonnet-4 | 5 min    | 0.5 s   | -         | unknown | - (429 RateLimitError) |
/// | a3   | A     | chat    | claude-sonnet-4 | 4 min    | 4 s     | 2000/100  | 0.02    | end_turn → stop        |
/// | b1   | B     | search  | gpt-4o          | 30 h     | 1 s     | 500/50    | 0.005   | max_tokens → length    |
/// | c1   | C     | search  | gpt-4o-mini     | 3 d 1 h  | 0.2 s   | 300/30    | 0.001   | tool_use → tool_calls  |
/// | d1   | D     | chat    | gpt-4o          | 8 d      | 40 s    | 100/10    | 0.1     | content_filter         |
/// a3 repeats a2 (same parent, same model) after a2 failed: a retry. b1 read 400 cached tokens.
/// Trace A also has a failing tool span. B's root carries user.feedback.score 4; C's root a
/// gen_ai.evaluation.result event (score 2, label poor, name helpfulness). No call ends 2–3 days ago.
final class DashboardTests: XCTestCase {
    static let now: Int64 = 1_800_000_000_000_000_000
    static let s: Int64 = 1_000_000_000
    static let minute = 60 * s, hour = 60 * minute, day = 24 * hour
    static let traceA = "000000000000000000000000000000a1", traceB = "000000000000000000000000000000b1"
    static let traceC = "000000000000000000000000000000c1", traceD = "000000000000000000000000000000d1"

    /// A span ending `ago` before now, lasting `latency`.
    static func sp(
        _ trace: String, _ id: UInt64, _ parent: UInt64, _ name: String, ago: Int64, latency: Int64,
        attrs: [(String, A)] = [], status: Int = 0, events: String = ""
    ) -> String {
        let end = now - ago
        var json = span(
            trace: trace, id: id, parent: parent, name: name, start: end - latency, end: end, attrs: attrs,
            status: status)
        if !events.isEmpty { json = String(json.dropLast()) + #","events":[\#(events)]}"# }
        return json
    }

    static func llm(
        _ model: String, _ input: Int64?, _ output: Int64?, cost: Double?, finish: String?, length: Int64? = nil
    ) -> [(String, A)] {
        var a: [(String, A)] = [("llm.model", .s(model))]
        if let input { a.append(("llm.input_tokens", .i(input))) }
        if let output { a.append(("llm.output_tokens", .i(output))) }
        if let cost { a.append(("llm.cost_usd", .d(cost))) }
        if let finish { a.append(("llm.finish_reason", .s(finish))) }
        if let length { a.append(("quality.response_length", .i(length))) }
        return a
    }

    static var spans: [String] {
        let rateLimit =
            #"{"name":"exception","timeUnixNano":"\#(now - 5 * minute)","attributes":[{"key":"exception.type","value":{"stringValue":"anthropic.RateLimitError"}}]}"#
        let evaluation =
            #"{"name":"gen_ai.evaluation.result","timeUnixNano":"\#(now - 3 * day - hour)","attributes":[{"key":"gen_ai.evaluation.name","value":{"stringValue":"helpfulness"}},{"key":"gen_ai.evaluation.score.value","value":{"doubleValue":2}},{"key":"gen_ai.evaluation.score.label","value":{"stringValue":"poor"}}]}"#
        return [
            sp(traceA, 1, 0, "run", ago: 0, latency: 10 * minute, attrs: [("app.feature", .s("chat"))]),
            sp(
                traceA, 2, 1, "llm.generate", ago: 0, latency: 2 * s,
                attrs: llm("gpt-4o", 1000, 200, cost: 0.01, finish: "stop", length: 100)),
            sp(
                traceA, 3, 1, "llm.generate", ago: 5 * minute, latency: s / 2,
                attrs: llm("claude-sonnet-4", nil, nil, cost: nil, finish: nil),
                status: 2, events: rateLimit),
            sp(
                traceA, 4, 1, "llm.generate", ago: 4 * minute, latency: 4 * s,
                attrs: llm("claude-sonnet-4", 2000, 100, cost: 0.02, finish: "end_turn", length: 300)),
            sp(traceA, 5, 1, "tool.search", ago: 3 * minute, latency: s, status: 2),
            sp(
                traceB, 1, 0, "run", ago: 30 * hour, latency: 2 * s,
                attrs: [("app.feature", .s("search")), ("user.feedback.score", .i(4))]),
            sp(
                traceB, 2, 1, "llm.generate", ago: 30 * hour, latency: s,
                attrs: llm("gpt-4o", 500, 50, cost: 0.005, finish: "max_tokens") + [
                    ("gen_ai.usage.cache_read.input_tokens", .i(400))
                ]),
            sp(
                traceC, 1, 0, "run", ago: 3 * day + hour, latency: s, attrs: [("app.feature", .s("search"))],
                events: evaluation),
            sp(
                traceC, 2, 1, "llm.generate", ago: 3 * day + hour, latency: s / 5,
                attrs: llm("gpt-4o-mini", 300, 30, cost: 0.001, finish: "tool_use")),
            sp(traceD, 1, 0, "run", ago: 8 * day, latency: 50 * s, attrs: [("app.feature", .s("chat"))]),
            sp(
                traceD, 2, 1, "llm.generate", ago: 8 * day, latency: 40 * s,
                attrs: llm("gpt-4o", 100, 10, cost: 0.1, finish: "content_filter")),
        ]
    }

    func week() throws -> (SpanStore, Analysis) {
        let st = try store(Self.spans)
        return (st, Analysis(store: st, prices: .embedded))
    }

    func testOverviewOverAllData() throws {
        let (st, a) = try week()
        let d = Dashboard(store: st, analysis: a)
        XCTAssertEqual(d.now, Self.now)
        XCTAssertEqual(d.calls, 6)
        // Last hour: a1, a2, a3 → 3 calls / 60 min; a1 in the last minute, a3 4–5 min ago, a2 5–6 min ago.
        let cpm = d.overview.callsPerMinute
        XCTAssertEqual(cpm.basis.calls, 3)
        XCTAssertEqual(cpm.basis.window, TimeWindow(start: Self.now - Self.hour, end: Self.now))
        XCTAssertEqual(cpm.perMinute!, 0.05, accuracy: 1e-12)
        var minutes = [Int](repeating: 0, count: 60)
        minutes[59] = 1
        minutes[55] = 1
        minutes[54] = 1
        XCTAssertEqual(cpm.minutes, minutes)
        // Last 24 h: 0.01 + 0.02 known, a2 unknown.
        XCTAssertEqual(d.overview.cost24h.knownUSD!, 0.03, accuracy: 1e-12)
        XCTAssertEqual(d.overview.cost24h.unknownCostCalls, 1)
        XCTAssertEqual(d.overview.cost24h.basis.calls, 3)
        // Latencies 0.2, 0.5, 1, 2, 4, 40 s: nearest rank ceil(0.95 × 6) = 6 → 40 s.
        XCTAssertEqual(d.overview.p95Latency.p95, PercentileValue(value: 40 * Self.s, exact: true))
        // 1 of 6 calls failed; 2 of 11 spans (a2 and the tool).
        XCTAssertEqual(d.overview.errorRate.erroredCalls, 1)
        XCTAssertEqual(d.overview.errorRate.rate!, 1.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(d.overview.errorRate.spans, 11)
        XCTAssertEqual(d.overview.errorRate.erroredSpans, 2)
    }

    func testCostRow() throws {
        let (st, a) = try week()
        let c = Dashboard(store: st, analysis: a).cost
        // gpt-4o 0.01 + 0.005 + 0.1; claude 0.02 + unknown; mini 0.001; known total 0.136.
        XCTAssertEqual(c.byModel.items.map(\.name), ["gpt-4o", "claude-sonnet-4", "gpt-4o-mini"])
        XCTAssertEqual(c.byModel.items.map(\.calls), [3, 2, 1])
        XCTAssertEqual(c.byModel.items[0].knownUSD, 0.115, accuracy: 1e-12)
        XCTAssertEqual(c.byModel.items[0].share!, 0.115 / 0.136, accuracy: 1e-12)
        XCTAssertEqual(c.byModel.items[1].unknownCostCalls, 1)
        XCTAssertEqual(c.byModel.knownUSD!, 0.136, accuracy: 1e-12)
        XCTAssertEqual(c.byModel.unknownCostCalls, 1)
        // chat: 0.01 + 0.02 + 0.1 (+ a2 unknown); search: 0.005 + 0.001.
        XCTAssertEqual(c.byFeature.items.map(\.name), ["chat", "search"])
        XCTAssertEqual(c.byFeature.items[0].knownUSD, 0.13, accuracy: 1e-12)
        XCTAssertEqual(c.byFeature.items[1].knownUSD, 0.006, accuracy: 1e-12)
        // The calls span 8 days: 7 daily buckets ending now; d1 (8 days ago) is outside.
        XCTAssertEqual(c.trend.unit, .day)
        XCTAssertEqual(c.trend.basis.calls, 5)
        let values = c.trend.buckets.map(\.value)
        XCTAssertEqual(values[0], nil)
        XCTAssertEqual(values[1], nil)
        XCTAssertEqual(values[2], nil)
        XCTAssertEqual(values[3]!, 0.001, accuracy: 1e-12)  // 3–4 days ago: c1
        XCTAssertNil(values[4])  // 2–3 days ago: a day with no calls, no data, not $0
        XCTAssertEqual(c.trend.buckets[4].calls, 0)
        XCTAssertEqual(values[5]!, 0.005, accuracy: 1e-12)  // 1–2 days ago: b1
        XCTAssertEqual(values[6]!, 0.03, accuracy: 1e-12)  // the last day: a1 + a3, a2 unknown
        XCTAssertEqual(c.trend.buckets[6].unknownCostCalls, 1)
        XCTAssertEqual(c.trend.buckets[6].window, TimeWindow(start: Self.now - Self.day, end: Self.now))
        // The data goes back 8 days: the last 7 days' rate, 0.036 / 7 × 30.
        XCTAssertEqual(c.projection.basis.window, TimeWindow(start: Self.now - 7 * Self.day, end: Self.now))
        XCTAssertEqual(c.projection.dailyUSD!, 0.036 / 7, accuracy: 1e-12)
        XCTAssertEqual(c.projection.monthlyUSD!, 0.036 / 7 * 30, accuracy: 1e-12)
        XCTAssertEqual(c.projection.unknownCostCalls, 1)
        XCTAssertFalse(c.projection.wholeData)
    }

    func testPerformanceRow() throws {
        let (st, a) = try week()
        let p = Dashboard(store: st, analysis: a).performance
        // Buckets from 0, 10, 30, 100, 300, 1000, 3000, 10000, 30000 ms.
        XCTAssertEqual(p.latencyByModel.rows.map(\.model), ["gpt-4o", "claude-sonnet-4", "gpt-4o-mini"])
        XCTAssertEqual(p.latencyByModel.rows[0].counts, [0, 0, 0, 0, 0, 2, 0, 0, 1])  // 2 s, 1 s (≥1000), 40 s
        XCTAssertEqual(p.latencyByModel.rows[1].counts, [0, 0, 0, 0, 1, 0, 1, 0, 0])  // 0.5 s, 4 s
        XCTAssertEqual(p.latencyByModel.rows[2].counts, [0, 0, 0, 1, 0, 0, 0, 0, 0])  // 0.2 s
        XCTAssertEqual(p.latencyByModel.rows[0].p50?.value, 2 * Self.s)  // rank ceil(1.5) = 2 of 1, 2, 40 s
        // Input tokens of the 5 calls that report them: 100, 300, 500, 1000, 2000 (a2 reports none).
        XCTAssertEqual(p.tokens.input.basis.calls, 5)
        XCTAssertEqual(p.tokens.input.counts, [0, 1, 2, 2, 0, 0, 0, 0])
        XCTAssertEqual(p.tokens.input.total, 3900)
        XCTAssertEqual(p.tokens.input.mean!, 780, accuracy: 1e-12)
        XCTAssertEqual(p.tokens.input.p50?.value, 500)
        XCTAssertEqual(p.tokens.input.p95?.value, 2000)
        XCTAssertEqual(p.tokens.output.total, 390)
        XCTAssertEqual(p.tokens.output.counts, [3, 2, 0, 0, 0, 0, 0, 0])  // 10, 30, 50 below 100; 100, 200 from 100
        // b1 read 400 cached of its 500: 1 of 6 calls, 400 of 3900 tokens.
        XCTAssertEqual(p.cacheHitRate.hitCalls, 1)
        XCTAssertEqual(p.cacheHitRate.rate!, 1.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(p.cacheHitRate.tokenRate!, 400.0 / 3900, accuracy: 1e-12)
        // a2's 429, 5 minutes ago: the newest hour of the 24.
        XCTAssertEqual(p.rateLimits.events, 1)
        XCTAssertEqual(p.rateLimits.hourly, [Int](repeating: 0, count: 23) + [1])
        XCTAssertEqual(p.rateLimits.traces, [a.forest.traces.firstIndex { $0.traceID.hex == Self.traceA }!])
    }

    func testQualityRow() throws {
        let (st, a) = try week()
        let q = Dashboard(store: st, analysis: a).quality
        // stop: a1, a3 (end_turn); length: b1 (max_tokens); tool_calls: c1 (tool_use); content_filter: d1.
        XCTAssertEqual(q.finishReasons.counts, [2, 1, 1, 1, 0])
        XCTAssertEqual(q.finishReasons.reported, 5)
        XCTAssertEqual(q.finishReasons.notReported, 1)
        XCTAssertEqual(q.finishReasons.share(.length)!, 0.2, accuracy: 1e-12)
        // Response length: last day a1 100, a3 300 → 200; b1's day has a call but no length: no data.
        XCTAssertEqual(q.responseLength.buckets[6].value!, 200, accuracy: 1e-12)
        XCTAssertEqual(q.responseLength.buckets[6].measured, 2)
        XCTAssertEqual(q.responseLength.buckets[5].calls, 1)
        XCTAssertNil(q.responseLength.buckets[5].value)
        // Feedback: 4 (attribute) and 2 (evaluation event).
        XCTAssertEqual(q.feedback.count, 2)
        XCTAssertEqual(q.feedback.mean!, 3, accuracy: 1e-12)
        XCTAssertEqual(q.feedback.distribution.map(\.low), [2, 4])
        XCTAssertEqual(q.feedback.distribution.map(DashboardFormat.score), ["2", "4"])
        XCTAssertEqual(q.feedback.distribution.map(\.count), [1, 1])
        XCTAssertEqual(q.feedback.labels.map(\.label), ["poor"])
        XCTAssertEqual(q.feedback.names, ["helpfulness"])
        // a3 retried a2.
        XCTAssertEqual(q.retryRate.retried, 1)
        XCTAssertEqual(q.retryRate.rate!, 1.0 / 6, accuracy: 1e-12)
    }

    func testTheLastDayCutsThroughTheData() throws {
        let (st, a) = try week()
        let d = Dashboard(store: st, analysis: a, filter: DashboardFilter(range: .lastDay))
        XCTAssertEqual(d.calls, 3)
        XCTAssertEqual(d.range, TimeWindow(start: Self.now - Self.day, end: Self.now))
        // Latencies 0.5, 2, 4 s: rank ceil(2.85) = 3 → 4 s.
        XCTAssertEqual(d.overview.p95Latency.p95?.value, 4 * Self.s)
        XCTAssertEqual(d.overview.errorRate.rate!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(d.overview.errorRate.spans, 5)  // trace A's spans only
        XCTAssertEqual(d.overview.errorRate.erroredSpans, 2)
        // Calls within 5 minutes: one hourly bucket.
        XCTAssertEqual(d.cost.trend.unit, .hour)
        XCTAssertEqual(d.cost.trend.buckets.count, 1)
        XCTAssertEqual(d.cost.trend.buckets[0].value!, 0.03, accuracy: 1e-12)
        // The range is the whole data considered: 24 h of it, 0.03/day.
        XCTAssertEqual(d.cost.projection.basis.window.nanos, Self.day)
        XCTAssertEqual(d.cost.projection.monthlyUSD!, 0.9, accuracy: 1e-12)
        XCTAssertTrue(d.cost.projection.wholeData)
        XCTAssertEqual(d.quality.feedback.count, 0)
        XCTAssertNil(d.quality.feedback.mean)
    }

    func testTheLastHourWindowCutsAtItsStart() throws {
        // A call ending exactly one hour before now is outside the last hour; one a nanosecond later is in.
        let spans = [
            Self.sp(
                Self.traceA, 1, 0, "llm.generate", ago: 0, latency: Self.s,
                attrs: Self.llm("gpt-4o", 10, 1, cost: 0.001, finish: "stop")),
            Self.sp(
                Self.traceB, 1, 0, "llm.generate", ago: Self.hour, latency: Self.s,
                attrs: Self.llm("gpt-4o", 10, 1, cost: 0.002, finish: "stop")),
            Self.sp(
                Self.traceC, 1, 0, "llm.generate", ago: Self.hour - 1, latency: Self.s,
                attrs: Self.llm("gpt-4o", 10, 1, cost: 0.004, finish: "stop")),
        ]
        let st = try store(spans)
        let d = Dashboard(store: st, analysis: Analysis(store: st, prices: .embedded))
        XCTAssertEqual(d.overview.callsPerMinute.basis.calls, 2)
        XCTAssertEqual(d.overview.callsPerMinute.minutes[0], 1)
        XCTAssertEqual(d.overview.cost24h.knownUSD!, 0.007, accuracy: 1e-12)
        // One hour and 1 ns of data: two hourly buckets; the older holds only the call at exactly −1 h.
        XCTAssertEqual(d.cost.trend.unit, .hour)
        XCTAssertEqual(d.cost.trend.buckets.map(\.calls), [1, 2])
    }

    func testModelFilterNarrowsEveryPanel() throws {
        let (st, a) = try week()
        let d = Dashboard(store: st, analysis: a, filter: DashboardFilter(model: "gpt-4o"))
        XCTAssertEqual(d.calls, 3)  // a1, b1, d1
        XCTAssertEqual(d.cost.byModel.items.map(\.name), ["gpt-4o"])
        XCTAssertEqual(d.overview.errorRate.erroredCalls, 0)
        // Spans: gpt-4o's calls and the model-less spans of traces with a gpt-4o call (roots A, B, D, tool).
        XCTAssertEqual(d.overview.errorRate.spans, 7)
        XCTAssertEqual(d.overview.errorRate.erroredSpans, 1)
        // The 429 was claude's: not a gpt-4o event.
        XCTAssertEqual(d.performance.rateLimits.events, 0)
        XCTAssertEqual(d.quality.retryRate.retried, 0)
        XCTAssertEqual(d.overview.cost24h.knownUSD!, 0.01, accuracy: 1e-12)  // a1 only
    }

    func testFeatureAndServiceFilters() throws {
        let (st, a) = try week()
        let search = Dashboard(store: st, analysis: a, filter: DashboardFilter(feature: "search"))
        XCTAssertEqual(search.calls, 2)
        XCTAssertEqual(search.cost.byFeature.knownUSD!, 0.006, accuracy: 1e-12)
        let none = Dashboard(store: st, analysis: a, filter: DashboardFilter(service: "no-such-service"))
        XCTAssertEqual(none.calls, 0)
        XCTAssertNil(none.overview.p95Latency.p95)
        let svc = Dashboard(store: st, analysis: a, filter: DashboardFilter(service: "svc"))
        XCTAssertEqual(svc.calls, 6)
    }

    func testFeatureAttributeOverride() throws {
        let (st, a) = try week()
        // No span carries "team": every call falls back to its trace's root name.
        let d = Dashboard(store: st, analysis: a, featureKeys: ["team"])
        XCTAssertEqual(d.cost.byFeature.items.map(\.name), ["run"])
        XCTAssertEqual(d.cost.byFeature.items[0].calls, 6)
    }

    func testNoLLMCallsAtAll() throws {
        let st = try store([Self.sp(Self.traceA, 1, 0, "tool.search", ago: 0, latency: Self.s)])
        let d = Dashboard(store: st, analysis: Analysis(store: st, prices: .embedded))
        XCTAssertEqual(d.calls, 0)
        XCTAssertNil(d.overview.callsPerMinute.perMinute)
        XCTAssertNil(d.overview.cost24h.knownUSD)
        XCTAssertEqual(d.overview.cost24h.unknownCostCalls, 0)
        XCTAssertNil(d.overview.p95Latency.p95)
        XCTAssertNil(d.overview.errorRate.rate)
        XCTAssertEqual(d.overview.errorRate.spanRate, 0)  // one span, not failed: a real 0
        XCTAssertTrue(d.cost.byModel.items.isEmpty)
        XCTAssertNil(d.cost.byModel.knownUSD)
        XCTAssertTrue(d.cost.trend.buckets.allSatisfy { $0.value == nil })
        XCTAssertNil(d.cost.projection.monthlyUSD)
        XCTAssertTrue(d.performance.latencyByModel.rows.isEmpty)
        XCTAssertNil(d.performance.tokens.input.mean)
        XCTAssertNil(d.performance.cacheHitRate.rate)
        XCTAssertNil(d.performance.cacheHitRate.tokenRate)
        XCTAssertNil(d.quality.finishReasons.share(.stop))
        XCTAssertNil(d.quality.feedback.mean)
        XCTAssertNil(d.quality.retryRate.rate)
        // The text panels say "no data", never $0.
        let text = DashboardPanels.rows(d, width: 78, ascii: false).flatMap(\.panels).flatMap(\.lines).map {
            $0.map(\.text).joined()
        }
        XCTAssertFalse(text.contains { $0.contains("$0") }, text.joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(text.filter { $0.hasPrefix("no data") }.count, 12, text.joined(separator: "\n"))
    }

    func testAllCallsWithUnknownCost() throws {
        let st = try store([
            Self.sp(
                Self.traceA, 1, 0, "llm.generate", ago: 0, latency: Self.s,
                attrs: Self.llm("mystery-model", 10, 5, cost: nil, finish: "stop"))
        ])
        let d = Dashboard(store: st, analysis: Analysis(store: st, prices: .embedded))
        XCTAssertEqual(d.calls, 1)
        XCTAssertNil(d.overview.cost24h.knownUSD)
        XCTAssertEqual(d.overview.cost24h.unknownCostCalls, 1)
        XCTAssertNil(d.cost.byModel.items[0].share)
        XCTAssertNil(d.cost.projection.monthlyUSD)
        XCTAssertEqual(d.cost.projection.unknownCostCalls, 1)
        XCTAssertEqual(DashboardFormat.cost(d.overview.cost24h.knownUSD, unknownCalls: 1), "?")
    }

    func testFinishReasonSpellings() {
        XCTAssertEqual(FinishCategory.of("end_turn"), .stop)
        XCTAssertEqual(FinishCategory.of("STOP"), .stop)
        XCTAssertEqual(FinishCategory.of("max_tokens"), .length)
        XCTAssertEqual(FinishCategory.of("MAX_TOKENS"), .length)
        XCTAssertEqual(FinishCategory.of("tool_use"), .toolCalls)
        XCTAssertEqual(FinishCategory.of("tool-calls"), .toolCalls)
        XCTAssertEqual(FinishCategory.of("content-filter"), .contentFilter)
        XCTAssertEqual(FinishCategory.of("SAFETY"), .contentFilter)
        XCTAssertEqual(FinishCategory.of("pause_turn"), .other)
    }

    func testPercentilesExactAndFromTheHistogram() {
        let values = (1...20).map(Int64.init)
        // ceil(19) = 19th
        XCTAssertEqual(Percentile.of(values, 95, exactLimit: 100), PercentileValue(value: 19, exact: true))
        XCTAssertEqual(Percentile.of(values, 50, exactLimit: 100), PercentileValue(value: 10, exact: true))
        XCTAssertEqual(Percentile.of([7], 95, exactLimit: 100), PercentileValue(value: 7, exact: true))
        XCTAssertNil(Percentile.of([], 95, exactLimit: 100))
        // Beyond the limit: HdrHistogram, 3 significant digits.
        let big = (1...10_000).map { Int64($0) * 1_000 }
        let approx = Percentile.of(big, 95, exactLimit: 1_000)!
        XCTAssertFalse(approx.exact)
        XCTAssertEqual(Double(approx.value), 9_500_000, accuracy: 9_500)
    }

    func testRateLimitAndRetrySignals() throws {
        let spans = [
            Self.sp(Self.traceA, 1, 0, "run", ago: 0, latency: 10 * Self.s),
            // A 429 on the HTTP span beneath a call: one event, on the call.
            Self.sp(
                Self.traceA, 2, 1, "chat gpt-4o", ago: 5 * Self.s, latency: Self.s,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                    ("error.type", .s("RateLimitError")),
                ]),
            Self.sp(
                Self.traceA, 3, 2, "POST", ago: 5 * Self.s, latency: Self.s / 2,
                attrs: [("http.response.status_code", .i(429))]),
            // A resend on the HTTP span of the next call marks it as a retry.
            Self.sp(
                Self.traceA, 4, 1, "chat gpt-4o", ago: 0, latency: Self.s,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                    ("gen_ai.usage.input_tokens", .i(10)), ("gen_ai.usage.output_tokens", .i(2)),
                ]),
            Self.sp(
                Self.traceA, 5, 4, "POST", ago: 0, latency: Self.s / 2, attrs: [("http.request.resend_count", .i(1))]),
        ]
        let st = try store(spans)
        let d = Dashboard(store: st, analysis: Analysis(store: st, prices: .embedded))
        XCTAssertEqual(d.performance.rateLimits.events, 1)
        XCTAssertEqual(d.quality.retryRate.retried, 1)
        XCTAssertEqual(d.calls, 2)
    }

    func testTracesBehindFigures() throws {
        let (st, a) = try week()
        let data = DashboardData(store: st, analysis: a)
        let trace = { (id: String) in a.forest.traces.firstIndex { $0.traceID.hex == id }! }
        // gpt-4o: D (0.1) before A (0.01) before B (0.005).
        XCTAssertEqual(
            data.traces(behind: .model("gpt-4o"), store: st, filter: DashboardFilter()).traces,
            [trace(Self.traceD), trace(Self.traceA), trace(Self.traceB)])
        XCTAssertEqual(
            data.traces(behind: .rateLimits, store: st, filter: DashboardFilter()).traces, [trace(Self.traceA)])
        let truncated = data.traces(behind: .finish(.length), store: st, filter: DashboardFilter())
        XCTAssertEqual(truncated.traces, [trace(Self.traceB)])
        XCTAssertEqual(names(st, truncated.spans), ["llm.generate"])
        XCTAssertEqual(
            data.traces(behind: .feature("search"), store: st, filter: DashboardFilter()).traces,
            [trace(Self.traceB), trace(Self.traceC)])
        // The shared filter narrows the list too.
        XCTAssertEqual(
            data.traces(passing: DashboardFilter(model: "gpt-4o-mini"), store: st, analysis: a), [trace(Self.traceC)])
    }

    /// The cost row says how many calls report a cost more than 5 % away from list price, and Enter on
    /// that line lists their traces (the bundled sample where an app prices one call 20 % above list).
    func testCostRowNamesCallsWhoseReportedCostDiffersFromListPrice() throws {
        var st = SpanStore()
        let path = SampleTracesTests.dir.appendingPathComponent("app-wrapper-openinference.json").path
        _ = try TraceLoader.load(path: path, into: &st)
        let a = Analysis(store: st, prices: .embedded)
        let d = Dashboard(store: st, analysis: a)
        XCTAssertEqual(d.cost.byModel.costMismatchCalls, 1)
        XCTAssertEqual(d.cost.byFeature.costMismatchCalls, 1)
        let byModel = DashboardPanels.rows(d, width: 78, ascii: false)[1].panels[0]
        XCTAssertEqual(
            byModel.lines.last?.map(\.text).joined(), "1 call: reported cost differs from list price by > 5 %")
        XCTAssertEqual(byModel.lines.last?.first?.target, .costMismatches)
        let data = DashboardData(store: st, analysis: a)
        let behind = data.traces(behind: .costMismatches, store: st, filter: DashboardFilter())
        XCTAssertEqual(behind.traces, [0])
        XCTAssertEqual(behind.spans, [a.calls.groups.first { $0.costMismatch }!.counted])
        // Calls and cost on the dashboard are the call groups': 2 calls, $0.00472 + $0.00288.
        XCTAssertEqual(d.cost.byModel.basis.calls, 2)
        XCTAssertEqual(d.cost.byModel.knownUSD ?? 0, 0.00472 + 0.00288, accuracy: 1e-12)
        XCTAssertEqual(d.cost.byModel.items.map(\.name), ["gpt-4o-2024-08-06"])
    }
}
