import TraceAnalysis
import TraceModel
import TraceText

/// `tracetui summary`: the four dashboard rows as plain text sized to a width, or as JSON.
public enum SummaryReport {
    /// Panels stack in one column below this width and sit two abreast from it.
    public static let twoColumnWidth = 120

    /// `spanFilter`: the `--filter` the traces were chosen with, named in the first line.
    public static func text(
        _ d: Dashboard, width: Int, ascii: Bool, spanFilter: SpanFilter? = nil, warnings: [String] = []
    ) -> String {
        let width = max(40, width)
        let columns = width >= twoColumnWidth ? 2 : 1
        let columnWidth = columns == 2 ? (width - 3) / 2 : width
        var out: [String] = []
        out.append(
            clip(
                "tracetui summary · now \(Format.timestamp(d.now)) UTC · \(DashboardFormat.calls(d.calls)) · "
                    + (spanFilter.map { "traces matching \($0.text)" + (d.filter.isEmpty ? "" : " · ") } ?? "")
                    + (spanFilter != nil && d.filter.isEmpty ? "" : "filter: \(d.filter.summary)"),
                width))
        for row in DashboardPanels.rows(d, width: columnWidth - 2, ascii: ascii) {
            out.append("")
            out.append(rule("== " + row.title.uppercased() + " ", width, "="))
            let blocks = row.panels.map { panelLines($0, width: columnWidth) }
            var i = 0
            while i < blocks.count {
                if columns == 2 && i + 1 < blocks.count {
                    let left = blocks[i]
                    let right = blocks[i + 1]
                    for k in 0..<max(left.count, right.count) {
                        let l = k < left.count ? left[k] : ""
                        let r = k < right.count ? right[k] : ""
                        out.append(trimRight(l + blank(columnWidth - displayWidth(l)) + " | " + r))
                    }
                    i += 2
                } else {
                    out.append(contentsOf: blocks[i])
                    i += 1
                }
                if i < blocks.count { out.append("") }
            }
        }
        if !warnings.isEmpty {
            out.append("")
            // Wrapped, not cut: a warning names a file and a place, which must be read whole.
            for w in warnings { out += softWrap("warning: " + w, width: width) }
        }
        var text = out.joined(separator: "\n") + "\n"
        if ascii { text = asciiOnly(text) }
        return text
    }

    /// A panel as text: `Title  (basis)` then its lines indented by two columns.
    static func panelLines(_ p: Panel, width: Int) -> [String] {
        [clip(p.title + "  (" + p.basis + ")", width)]
            + p.lines.map { line in clip("  " + line.map(\.text).joined(), width) }
    }

    static func rule(_ title: String, _ width: Int, _ fill: Character) -> String {
        title + String(repeating: fill, count: max(0, width - displayWidth(title)))
    }

    static func clip(_ s: String, _ width: Int) -> String {
        truncate(trimRight(s), to: width, ascii: true)
    }

    static func trimRight(_ s: String) -> String {
        var t = s
        while t.last == " " { t.removeLast() }
        return t
    }

    /// For a terminal without UTF-8: the few symbols the panels use become ASCII.
    static func asciiOnly(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.isASCII {
                out.append(u)
                continue
            }
            switch u.value {
            case 0x00B7: out.append(".")
            case 0x2026: out.append("~")
            default: out.append("?")
            }
        }
        return String(out)
    }

    // MARK: JSON

    /// One object per row whose keys name the panels; each panel carries its `basis`
    /// (`from`, `to`, `calls`). Absent figures are `null`, never 0. Schema in the README.
    public static func json(
        _ d: Dashboard, featureKeys: [String], spanFilter: SpanFilter? = nil, warnings: [String] = []
    ) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("now", Format.timestamp(d.now))
        w.beginObject("filter")
        w.field("model", d.filter.model)
        w.field("feature", d.filter.feature)
        w.field("service", d.filter.service)
        w.field("range", d.filter.range.title)
        w.field("expression", spanFilter?.text)
        w.endObject()
        window(&w, "range", d.range)
        w.field("llmCalls", d.calls)
        overviewJSON(&w, d.overview)
        costJSON(&w, d.cost, featureKeys: featureKeys)
        performanceJSON(&w, d.performance, calls: d.calls)
        qualityJSON(&w, d.quality)

        w.endDocument(warnings: warnings)
        return w.text
    }

    /// Row 1: calls per minute, rolling 24h cost, p95 latency, error rate.
    private static func overviewJSON(_ w: inout JSONWriter, _ o: Overview) {
        w.beginObject("overview")
        w.beginObject("callsPerMinute")
        basis(&w, o.callsPerMinute.basis)
        w.field("value", o.callsPerMinute.perMinute)
        ints(&w, "perMinute", o.callsPerMinute.minutes)
        w.endObject()
        w.beginObject("cost24hUSD")
        basis(&w, o.cost24h.basis)
        w.field("value", o.cost24h.knownUSD)
        w.field("unknownCostCalls", o.cost24h.unknownCostCalls)
        w.endObject()
        w.beginObject("p95LatencyMs")
        basis(&w, o.p95Latency.basis)
        w.field("value", o.p95Latency.p95.map { ms($0.value) })
        w.field("exact", o.p95Latency.p95?.exact ?? true)
        w.endObject()
        w.beginObject("errorRate")
        basis(&w, o.errorRate.basis)
        w.field("value", o.errorRate.rate)
        w.field("erroredCalls", o.errorRate.erroredCalls)
        w.field("spans", o.errorRate.spans)
        w.field("erroredSpans", o.errorRate.erroredSpans)
        w.field("spanRate", o.errorRate.spanRate)
        w.endObject()
        w.endObject()
    }

    /// Row 2: cost by model and by feature, the cost trend, the projection.
    private static func costJSON(_ w: inout JSONWriter, _ c: CostRow, featureKeys: [String]) {
        w.beginObject("cost")
        breakdown(&w, "byModel", c.byModel, nameKey: "model")
        breakdown(&w, "byFeature", c.byFeature, nameKey: "feature", featureKeys: featureKeys)
        trend(&w, "trend", c.trend) { w, b in
            w.field("costUSD", b.value)
            w.field("unknownCostCalls", b.unknownCostCalls)
        }
        w.beginObject("projectedMonthlyUSD")
        basis(&w, c.projection.basis)
        w.field("value", c.projection.monthlyUSD)
        w.field("dailyUSD", c.projection.dailyUSD)
        w.field("unknownCostCalls", c.projection.unknownCostCalls)
        w.field("wholeData", c.projection.wholeData)
        w.endObject()
        w.endObject()
    }

    /// Row 3: the latency heatmap, token distribution, cache hit rate, rate-limit events.
    private static func performanceJSON(_ w: inout JSONWriter, _ p: PerformanceRow, calls: Int) {
        w.beginObject("performance")
        w.beginObject("latencyByModel")
        basis(&w, p.latencyByModel.basis)
        ints(&w, "bucketLowerMs", p.latencyByModel.bucketEdgesMs.map(Int.init))
        w.beginArray("models")
        for r in p.latencyByModel.rows {
            w.beginObject()
            w.field("model", r.model)
            w.field("calls", r.calls)
            ints(&w, "counts", r.counts)
            w.field("p50Ms", r.p50.map { ms($0.value) })
            w.field("p95Ms", r.p95.map { ms($0.value) })
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.beginObject("tokenDistribution")
        basis(&w, Basis(window: p.tokens.input.basis.window, calls: calls))
        ints(&w, "bucketLower", Dashboard.tokenEdges.map(Int.init))
        for (key, h) in [("input", p.tokens.input), ("output", p.tokens.output)] {
            w.beginObject(key)
            w.field("calls", h.basis.calls)
            ints(&w, "counts", h.counts)
            w.field("total", h.total)
            w.field("mean", h.mean)
            w.field("p50", h.p50.map { Double($0.value) })
            w.field("p95", h.p95.map { Double($0.value) })
            w.endObject()
        }
        w.endObject()
        w.beginObject("cacheHitRate")
        basis(&w, p.cacheHitRate.basis)
        w.field("value", p.cacheHitRate.rate)
        w.field("hitCalls", p.cacheHitRate.hitCalls)
        w.field("cachedInputTokens", p.cacheHitRate.cachedTokens)
        w.field("inputTokens", p.cacheHitRate.inputTokens)
        w.field("tokenRate", p.cacheHitRate.tokenRate)
        w.endObject()
        w.beginObject("rateLimitEvents")
        basis(&w, p.rateLimits.basis)
        w.field("value", p.rateLimits.events)
        w.beginObject("hourly")
        window(&w, "window", p.rateLimits.hourlyWindow)
        ints(&w, "counts", p.rateLimits.hourly)
        w.endObject()
        w.endObject()
        w.endObject()
    }

    /// Row 4: finish reasons, the response length trend, feedback, retry rate.
    private static func qualityJSON(_ w: inout JSONWriter, _ q: QualityRow) {
        w.beginObject("quality")
        w.beginObject("finishReasons")
        basis(&w, q.finishReasons.basis)
        w.field("reported", q.finishReasons.reported)
        w.field("notReported", q.finishReasons.notReported)
        w.beginObject("counts")
        for cat in FinishCategory.allCases { w.field(cat.rawValue, q.finishReasons.count(cat)) }
        w.endObject()
        w.beginObject("shares")
        for cat in FinishCategory.allCases { w.field(cat.rawValue, q.finishReasons.share(cat)) }
        w.endObject()
        w.endObject()
        trend(&w, "responseLengthTrend", q.responseLength) { w, b in
            w.field("measured", b.measured)
            w.field("meanChars", b.value)
        }
        w.beginObject("feedback")
        basis(&w, q.feedback.basis)
        w.field("count", q.feedback.count)
        w.field("mean", q.feedback.mean)
        w.beginArray("distribution")
        for bin in q.feedback.distribution {
            w.beginObject()
            w.field("score", DashboardFormat.score(bin))
            w.field("count", bin.count)
            w.endObject()
        }
        w.endArray()
        w.beginArray("labels")
        for (label, n) in q.feedback.labels {
            w.beginObject()
            w.field("label", label)
            w.field("count", n)
            w.endObject()
        }
        w.endArray()
        w.beginArray("names")
        for n in q.feedback.names { w.element(n) }
        w.endArray()
        w.endObject()
        w.beginObject("retryRate")
        basis(&w, q.retryRate.basis)
        w.field("value", q.retryRate.rate)
        w.field("retried", q.retryRate.retried)
        w.endObject()
        w.endObject()
    }

    private static func ms(_ nanos: Int64) -> Double { Double(nanos) / 1e6 }

    private static func window(_ w: inout JSONWriter, _ key: String, _ t: TimeWindow) {
        w.beginObject(key)
        w.field("from", Format.timestamp(t.start))
        w.field("to", Format.timestamp(t.end))
        w.field("hours", Double(t.nanos) / Double(TimeWindow.hour))
        w.endObject()
    }

    /// A trend panel: its basis, unit and buckets; `fields` adds what each bucket measures.
    private static func trend(
        _ w: inout JSONWriter, _ key: String, _ t: Trend, fields: (inout JSONWriter, TrendBucket) -> Void
    ) {
        w.beginObject(key)
        basis(&w, t.basis)
        w.field("unit", t.unit.rawValue)
        w.beginArray("buckets")
        for b in t.buckets {
            w.beginObject()
            w.field("from", Format.timestamp(b.window.start))
            w.field("to", Format.timestamp(b.window.end))
            w.field("calls", b.calls)
            fields(&w, b)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    private static func basis(_ w: inout JSONWriter, _ b: Basis) {
        w.beginObject("basis")
        w.field("from", Format.timestamp(b.window.start))
        w.field("to", Format.timestamp(b.window.end))
        w.field("hours", Double(b.window.nanos) / Double(TimeWindow.hour))
        w.field("calls", b.calls)
        w.endObject()
    }

    private static func ints(_ w: inout JSONWriter, _ key: String, _ values: [Int]) { w.field(key, values) }

    private static func breakdown(
        _ w: inout JSONWriter, _ key: String, _ b: CostBreakdown, nameKey: String, featureKeys: [String]? = nil
    ) {
        w.beginObject(key)
        basis(&w, b.basis)
        if let featureKeys {
            w.beginArray("featureKeys")
            for k in featureKeys { w.element(k) }
            w.endArray()
        }
        w.field("totalUSD", b.knownUSD)
        w.field("unknownCostCalls", b.unknownCostCalls)
        w.field("costMismatchCalls", b.costMismatchCalls)
        w.beginArray("items")
        for item in b.items {
            w.beginObject()
            w.field(nameKey, item.name)
            w.field("calls", item.calls)
            w.field("costUSD", item.calls > item.unknownCostCalls ? item.knownUSD : nil)
            w.field("unknownCostCalls", item.unknownCostCalls)
            w.field("share", item.share)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}
