import TraceAnalysis

/// The sixteen dashboard panels as lines of text, shared by the TUI (which adds styles, selection and
/// scrolling) and `tracetui summary` (which prints them): both show the same figures, the same "no
/// data" and the same notes. Pieces carry a semantic tone, not a terminal style, and optionally the
/// figure they stand for, so the TUI can jump to the traces behind it.
public struct PanelPiece: Sendable, Equatable {
    public enum Tone: Sendable, Equatable { case plain, value, bar, heat, warning, muted }
    public var text: String
    public var tone: Tone
    public var target: DashboardTarget?
    /// Panels show model, feature, service and tool names from span data: sanitized here, once for all.
    public init(_ text: String, _ tone: Tone = .plain, target: DashboardTarget? = nil) {
        self.text = Format.sanitize(text)
        self.tone = tone
        self.target = target
    }
}

public typealias PanelLine = [PanelPiece]

public struct Panel: Sendable, Equatable {
    /// The JSON key of the panel (`overview.callsPerMinute`).
    public var key: String
    public var title: String
    /// What the panel is computed from: `last 1h · 2 calls`.
    public var basis: String
    public var lines: [PanelLine]
}

public struct PanelRow: Sendable, Equatable {
    public var title: String
    public var panels: [Panel]
}

public enum DashboardPanels {
    /// The four rows laid out for panels `width` columns wide (the panel's content, not its frame).
    public static func rows(_ d: Dashboard, width: Int, ascii: Bool) -> [PanelRow] {
        let ctx = PanelContext(
            width: max(20, width), ascii: ascii, allRange: d.filter.range == .all,
            rangeName: d.filter.range == .all ? "the data" : "the last \(d.filter.range.title)")
        return [
            overviewRow(d.overview, ctx), costRow(d.cost, ctx), performanceRow(d.performance, calls: d.calls, ctx),
            qualityRow(d.quality, calls: d.calls, ctx),
        ]
    }

    // MARK: Row 1: overview

    static func overviewRow(_ o: Overview, _ ctx: PanelContext) -> PanelRow {
        PanelRow(
            title: "Overview",
            panels: [
                Panel(
                    key: "overview.callsPerMinute", title: "LLM calls/min", basis: ctx.basis(o.callsPerMinute.basis),
                    lines: callsPerMinuteLines(o.callsPerMinute, ctx)),
                Panel(
                    key: "overview.cost24hUSD", title: "Cost, rolling 24h", basis: ctx.basis(o.cost24h.basis),
                    lines: [cost24hLine(o.cost24h, ctx)]),
                Panel(
                    key: "overview.p95LatencyMs", title: "P95 latency", basis: ctx.rangeBasis(o.p95Latency.basis),
                    lines: [p95Line(o.p95Latency, ctx)]),
                Panel(
                    key: "overview.errorRate", title: "Error rate", basis: ctx.rangeBasis(o.errorRate.basis),
                    lines: errorRateLines(o.errorRate, ctx)),
            ])
    }

    static func callsPerMinuteLines(_ cpm: CallsPerMinute, _ ctx: PanelContext) -> [PanelLine] {
        guard let rate = cpm.perMinute else {
            return [ctx.noData("no LLM call in the last \(DashboardFormat.window(cpm.basis.window))")]
        }
        let label = DashboardFormat.rate(rate)
        let room = max(10, ctx.width - label.count - 2)
        let minutes = resample(cpm.minutes.map(Double.init), to: min(60, room))
        return [
            [
                PanelPiece(label, .value), PanelPiece("  "),
                PanelPiece(DashboardFormat.sparkline(minutes.map { $0 }, ascii: ctx.ascii), .bar),
            ]
        ]
    }

    static func cost24hLine(_ cost: CostFigure, _ ctx: PanelContext) -> PanelLine {
        var line: PanelLine =
            cost.basis.calls == 0
            ? ctx.noData("no LLM call in the last 24h")
            : [PanelPiece(DashboardFormat.cost(cost.knownUSD, unknownCalls: cost.unknownCostCalls), .value)]
        if let note = ctx.unknownNote(cost.unknownCostCalls) { line.append(note) }
        return line
    }

    static func p95Line(_ latency: LatencyFigure, _ ctx: PanelContext) -> PanelLine {
        latency.p95.map {
            [
                PanelPiece(Format.duration($0.value), .value),
                PanelPiece($0.exact ? "" : "  (from a histogram, within 0.1%)", .muted),
            ]
        } ?? ctx.noData("no LLM calls in \(ctx.rangeName)")
    }

    static func errorRateLines(_ e: ErrorRate, _ ctx: PanelContext) -> [PanelLine] {
        var lines: [PanelLine] = []
        if let rate = e.rate {
            let target: DashboardTarget? = e.erroredCalls > 0 ? .erroredCalls : nil
            let tone: PanelPiece.Tone = e.erroredCalls > 0 ? .warning : .value
            lines.append([
                PanelPiece(DashboardFormat.percent(rate), tone, target: target),
                PanelPiece(" of LLM calls (\(e.erroredCalls) of \(e.basis.calls))", .plain, target: target),
            ])
        } else {
            lines.append(ctx.noData("no LLM calls in \(ctx.rangeName)"))
        }
        let spans = e.spanRate.map { DashboardFormat.percent($0) + " (\(e.erroredSpans) of \(e.spans))" }
        lines.append([PanelPiece("all spans: " + (spans ?? DashboardFormat.noData), .muted)])
        return lines
    }

    // MARK: Row 2: cost

    static func costRow(_ c: CostRow, _ ctx: PanelContext) -> PanelRow {
        let trendTitle = c.trend.unit == .day ? "Cost trend, 7 days" : "Cost trend, per hour"
        return PanelRow(
            title: "Cost",
            panels: [
                Panel(
                    key: "cost.byModel", title: "Cost by model", basis: ctx.rangeBasis(c.byModel.basis),
                    lines: costByModelLines(c.byModel, ctx)),
                Panel(
                    key: "cost.byFeature", title: "Cost by feature", basis: ctx.rangeBasis(c.byFeature.basis),
                    lines: breakdownLines(c.byFeature, ctx) { .feature($0) }),
                Panel(
                    key: "cost.trend", title: trendTitle, basis: ctx.basis(c.trend.basis),
                    lines: costTrendLines(c.trend, ctx)),
                Panel(
                    key: "cost.projectedMonthlyUSD", title: "Projected monthly cost",
                    basis: ctx.basis(c.projection.basis), lines: projectionLines(c.projection, ctx)),
            ])
    }

    static func costByModelLines(_ byModel: CostBreakdown, _ ctx: PanelContext) -> [PanelLine] {
        var lines = breakdownLines(byModel, ctx) { .model($0) }
        if byModel.costMismatchCalls > 0 {
            let calls = byModel.costMismatchCalls == 1 ? "1 call" : "\(byModel.costMismatchCalls) calls"
            lines.append([
                PanelPiece(
                    calls + ": reported cost differs from list price by > 5 %", .warning,
                    target: .costMismatches)
            ])
        }
        return lines
    }

    /// Up to eight names, each with a bar of its share, its cost and the share in percent.
    static func breakdownLines(
        _ b: CostBreakdown, _ ctx: PanelContext,
        target: (String) -> DashboardTarget
    ) -> [PanelLine] {
        guard !b.items.isEmpty else { return [ctx.noData("no LLM calls in \(ctx.rangeName)")] }
        let w = ctx.width
        let ascii = ctx.ascii
        let shown = b.items.prefix(8)
        let nameW = min(max(8, shown.map { $0.name.count }.max() ?? 8), max(8, w / 3))
        let costs = shown.map {
            Format.cost($0.knownUSD, unknownCalls: $0.unknownCostCalls, hasCost: $0.calls > $0.unknownCostCalls)
        }
        let costW = costs.map(\.count).max() ?? 1
        let barW = max(4, w - nameW - costW - 12)
        var lines: [PanelLine] = []
        for (i, item) in shown.enumerated() {
            let t = target(item.name)
            lines.append([
                PanelPiece(pad(item.name, nameW), .plain, target: t), PanelPiece(" "),
                PanelPiece(pad(DashboardFormat.bar(item.share ?? 0, width: barW, ascii: ascii), barW), .bar),
                PanelPiece(" " + padLeft(costs[i], costW), .value, target: t),
                PanelPiece(" " + padLeft(item.share.map { DashboardFormat.percent($0) } ?? "-", 6), .muted),
            ])
        }
        if b.items.count > shown.count { lines.append([PanelPiece("+\(b.items.count - shown.count) more", .muted)]) }
        if let note = ctx.unknownNote(b.unknownCostCalls) {
            let total = DashboardFormat.cost(b.knownUSD, unknownCalls: b.unknownCostCalls)
            lines.append([PanelPiece("total " + total, .plain), note])
        }
        return lines
    }

    static func costTrendLines(_ trend: Trend, _ ctx: PanelContext) -> [PanelLine] {
        trendPanel(
            trend, width: ctx.width, ascii: ctx.ascii, format: { DashboardFormat.cost($0, unknownCalls: 0) },
            summary: { t in
                let known = t.buckets.compactMap(\.value)
                let unknown = t.buckets.reduce(0) { $0 + $1.unknownCostCalls }
                let sum = known.isEmpty ? nil : known.reduce(0, +)
                return "total " + DashboardFormat.cost(sum, unknownCalls: unknown)
            })
    }

    static func projectionLines(_ pr: Projection, _ ctx: PanelContext) -> [PanelLine] {
        var lines: [PanelLine] = []
        if let monthly = pr.monthlyUSD, let daily = pr.dailyUSD {
            let over = DashboardFormat.window(pr.basis.window) + (pr.wholeData ? " (all data)" : "")
            lines.append([PanelPiece(Format.cost(monthly, unknownCalls: pr.unknownCostCalls) + " / month", .value)])
            lines.append([PanelPiece("= " + Format.cost(daily) + "/day x 30, over the last " + over, .muted)])
        } else {
            lines.append(
                ctx.noData(
                    pr.basis.calls == 0
                        ? "no LLM call in the last \(DashboardFormat.window(pr.basis.window))"
                        : "no call with a known cost"))
        }
        if let note = ctx.unknownNote(pr.unknownCostCalls) { lines.append([note]) }
        return lines
    }

    // MARK: Row 3: performance

    static func performanceRow(_ p: PerformanceRow, calls: Int, _ ctx: PanelContext) -> PanelRow {
        let cache = p.cacheHitRate
        let rl = p.rateLimits
        return PanelRow(
            title: "Performance",
            panels: [
                Panel(
                    key: "performance.latencyByModel", title: "Latency by model",
                    basis: ctx.rangeBasis(p.latencyByModel.basis), lines: latencyHeatmapLines(p.latencyByModel, ctx)),
                Panel(
                    key: "performance.tokenDistribution", title: "Tokens per call",
                    basis: ctx.basis(
                        p.tokens.input.basis, all: ctx.allRange,
                        what: "\(DashboardFormat.calls(calls)), \(p.tokens.input.basis.calls) with counts"),
                    lines: tokenLines(p.tokens, ctx)),
                Panel(
                    key: "performance.cacheHitRate", title: "Cache hit rate", basis: ctx.rangeBasis(cache.basis),
                    lines: cacheHitLines(cache, ctx)),
                Panel(
                    key: "performance.rateLimitEvents", title: "Rate-limit events", basis: ctx.rangeBasis(rl.basis),
                    lines: rateLimitLines(rl, ctx)),
            ])
    }

    /// Up to eight models, one row of heat cells each over the latency buckets that fit, and their p95.
    static func latencyHeatmapLines(_ heatmap: LatencyHeatmap, _ ctx: PanelContext) -> [PanelLine] {
        let w = ctx.width
        let ascii = ctx.ascii
        let rows = heatmap.rows.prefix(8)
        guard !rows.isEmpty else { return [ctx.noData("no LLM calls in \(ctx.rangeName)")] }
        var heatLines: [PanelLine] = []
        let edges = heatmap.bucketEdgesMs
        let used = (0..<edges.count).filter { i in rows.contains { $0.counts[i] > 0 } }
        let nameW = min(max(6, rows.map { $0.model.count }.max() ?? 6), 18)
        let p95s = rows.map { $0.p95.map { Format.duration($0.value) } ?? "-" }
        let tailW = 5 + (p95s.map(\.count).max() ?? 1)
        let cellW = 6
        let fit = max(1, (w - nameW - tailW) / cellW)
        var lo = used.first!
        var hi = used.last!
        while hi - lo + 1 < fit && (lo > 0 || hi < edges.count - 1) {
            if hi < edges.count - 1 { hi += 1 }
            if hi - lo + 1 < fit && lo > 0 { lo -= 1 }
        }
        while hi - lo + 1 > fit { if hi > used.last! { hi -= 1 } else { lo += 1 } }
        let top = rows.flatMap { Array($0.counts[lo...hi]) }.max() ?? 0
        let header = (lo...hi).map { padLeft(DashboardFormat.latencyBucket($0, edges: edges, ascii: ascii), cellW) }
        heatLines.append([
            PanelPiece(pad("", nameW)), PanelPiece(header.joined(), .muted),
            PanelPiece(padLeft("p95", tailW), .muted),
        ])
        for (i, r) in rows.enumerated() {
            let t = DashboardTarget.slowest(r.model)
            var line: PanelLine = [PanelPiece(pad(r.model, nameW), .plain, target: t)]
            for b in lo...hi {
                let cell = DashboardFormat.heatCell(r.counts[b], max: top, width: cellW, ascii: ascii)
                line.append(PanelPiece(cell, .heat))
            }
            line.append(PanelPiece(padLeft(p95s[i], tailW), .value, target: t))
            heatLines.append(line)
        }
        let hidden = rows.reduce(0) {
            $0 + $1.counts.enumerated().filter { !(lo...hi).contains($0.offset) }.reduce(0) { $0 + $1.element }
        }
        if hidden > 0 { heatLines.append([PanelPiece("\(hidden) call(s) outside the buckets shown", .muted)]) }
        if heatmap.rows.count > rows.count {
            heatLines.append([PanelPiece("+\(heatmap.rows.count - rows.count) more models", .muted)])
        }
        return heatLines
    }

    /// Heat cells of input and output tokens per call over the buckets that fit, then their figures.
    static func tokenLines(_ tokens: TokenDistribution, _ ctx: PanelContext) -> [PanelLine] {
        if tokens.input.basis.calls == 0 && tokens.output.basis.calls == 0 {
            return [ctx.noData("no LLM call reports token counts")]
        }
        let ascii = ctx.ascii
        var lines: [PanelLine] = []
        let edges = Dashboard.tokenEdges
        let used = (0..<edges.count).filter { tokens.input.counts[$0] > 0 || tokens.output.counts[$0] > 0 }
        let cellW = 6
        let labelW = 7
        let fit = max(1, (ctx.width - labelW - 1) / cellW)
        let lo = used.first!
        var hi = used.last!
        while hi - lo + 1 > fit { hi -= 1 }
        let top = max(tokens.input.counts.max() ?? 0, tokens.output.counts.max() ?? 0)
        let header = (lo...hi).map { padLeft(DashboardFormat.tokenBucket($0, edges: edges, ascii: ascii), cellW) }
        lines.append([PanelPiece(pad("tokens", labelW), .muted), PanelPiece(header.joined(), .muted)])
        let histograms = [("input", tokens.input), ("output", tokens.output)]
        for (label, h) in histograms {
            var line: PanelLine = [PanelPiece(pad(label, labelW))]
            for b in lo...hi {
                let cell = DashboardFormat.heatCell(h.counts[b], max: top, width: cellW, ascii: ascii)
                line.append(PanelPiece(cell, .heat))
            }
            lines.append(line)
        }
        for (label, h) in histograms {
            let figures =
                h.basis.calls == 0
                ? DashboardFormat.noData
                : "p50 \(Format.tokens(h.p50!.value))  p95 \(Format.tokens(h.p95!.value))  "
                    + "mean \(Format.tokens(Int64(h.mean!.rounded())))  (\(DashboardFormat.calls(h.basis.calls)))"
            lines.append([PanelPiece(pad(label, labelW), .muted), PanelPiece(figures, .value)])
        }
        return lines
    }

    static func cacheHitLines(_ cache: CacheHitRate, _ ctx: PanelContext) -> [PanelLine] {
        guard cache.rate != nil else { return [ctx.noData("no LLM calls in \(ctx.rangeName)")] }
        let tokens =
            cache.tokenRate == nil
            ? " of input tokens"
            : " of input tokens (\(Format.tokens(cache.cachedTokens)) of \(Format.tokens(cache.inputTokens)))"
        return [
            [
                PanelPiece(DashboardFormat.percent(cache.rate), .value),
                PanelPiece(" of calls (\(cache.hitCalls) of \(cache.basis.calls) read cached input)"),
            ],
            [PanelPiece(DashboardFormat.percent(cache.tokenRate), .value), PanelPiece(tokens)],
        ]
    }

    static func rateLimitLines(_ rl: RateLimitSummary, _ ctx: PanelContext) -> [PanelLine] {
        if rl.basis.calls == 0 && rl.events == 0 { return [ctx.noData("no LLM calls in \(ctx.rangeName)")] }
        let t: DashboardTarget? = rl.events > 0 ? .rateLimits : nil
        let label = rl.events == 1 ? "1 event" : "\(rl.events) events"
        let room = max(8, ctx.width - 19)
        let hourly = resample(rl.hourly.map(Double.init), to: min(24, room)).map { $0 }
        return [
            [
                PanelPiece(label, rl.events > 0 ? .warning : .value, target: t),
                PanelPiece(rl.events > 0 ? " in \(rl.traces.count) trace(s)" : "", .plain, target: t),
            ],
            [
                PanelPiece("per hour, last " + pad(DashboardFormat.window(rl.hourlyWindow), 4) + " ", .muted),
                PanelPiece(DashboardFormat.sparkline(hourly, ascii: ctx.ascii), .bar),
            ],
        ]
    }

    // MARK: Row 4: quality

    static func qualityRow(_ q: QualityRow, calls: Int, _ ctx: PanelContext) -> PanelRow {
        let fb = q.feedback
        let lengthTitle = q.responseLength.unit == .day ? "Response length, 7 days" : "Response length, per hour"
        return PanelRow(
            title: "Quality",
            panels: [
                Panel(
                    key: "quality.finishReasons", title: "Finish reasons",
                    basis: ctx.rangeBasis(q.finishReasons.basis), lines: finishLines(q.finishReasons, calls: calls, ctx)
                ),
                Panel(
                    key: "quality.responseLengthTrend", title: lengthTitle,
                    basis: ctx.basis(q.responseLength.basis), lines: responseLengthLines(q.responseLength, ctx)),
                Panel(
                    key: "quality.feedback", title: "User feedback",
                    basis: ctx.basis(
                        fb.basis, all: ctx.allRange, what: fb.count == 1 ? "1 score" : "\(fb.count) scores"),
                    lines: feedbackLines(fb, ctx)),
                Panel(
                    key: "quality.retryRate", title: "Retry rate", basis: ctx.rangeBasis(q.retryRate.basis),
                    lines: retryLines(q.retryRate, ctx)),
            ])
    }

    static func finishLines(_ f: FinishReasons, calls: Int, _ ctx: PanelContext) -> [PanelLine] {
        if f.reported == 0 {
            return [ctx.noData(calls == 0 ? "no LLM calls in \(ctx.rangeName)" : "no call reports a finish reason")]
        }
        var lines: [PanelLine] = []
        let labelW = 14
        let countW = String(f.reported).count
        let barW = max(4, ctx.width - labelW - countW - 10)
        for cat in FinishCategory.allCases {
            let n = f.count(cat)
            let t: DashboardTarget? = n > 0 ? .finish(cat) : nil
            let bar = DashboardFormat.bar(f.share(cat) ?? 0, width: barW, ascii: ctx.ascii)
            lines.append([
                PanelPiece(pad(cat.rawValue, labelW), cat == .length && n > 0 ? .warning : .plain, target: t),
                PanelPiece(pad(bar, barW), .bar),
                PanelPiece(" " + padLeft(String(n), countW), .value, target: t),
                PanelPiece(" " + padLeft(DashboardFormat.percent(f.share(cat)), 6), .muted),
            ])
        }
        if f.notReported > 0 { lines.append([PanelPiece("not reported: \(f.notReported)", .muted)]) }
        return lines
    }

    static func responseLengthLines(_ trend: Trend, _ ctx: PanelContext) -> [PanelLine] {
        trendPanel(
            trend, width: ctx.width, ascii: ctx.ascii, format: { Format.fixed($0, 0) + " chars" },
            summary: { t in
                let measured = t.buckets.reduce(0) { $0 + $1.measured }
                let sum = t.buckets.reduce(0.0) { $0 + ($1.value ?? 0) * Double($1.measured) }
                guard measured > 0 else { return "" }
                let mean = Format.fixed(sum / Double(measured), 0)
                return "mean " + mean + " chars over \(DashboardFormat.calls(measured))"
            })
    }

    static func feedbackLines(_ fb: FeedbackScores, _ ctx: PanelContext) -> [PanelLine] {
        if fb.count == 0 && fb.labels.isEmpty { return [ctx.noData("no feedback scores")] }
        var lines: [PanelLine] = []
        let names = fb.names.isEmpty ? "" : "  (" + fb.names.prefix(3).joined(separator: ", ") + ")"
        lines.append([
            PanelPiece(fb.count == 1 ? "1 score" : "\(fb.count) scores", .value),
            PanelPiece(fb.mean.map { ", mean " + Format.fixed($0, 2) } ?? ""),
            PanelPiece(names, .muted),
        ])
        let labelW = min(14, max(4, fb.distribution.map { displayWidth(DashboardFormat.score($0)) }.max() ?? 4))
        let top = fb.distribution.map(\.count).max() ?? 1
        let barW = max(4, ctx.width - labelW - 8)
        for (label, n) in fb.distribution.prefix(11).map({ (DashboardFormat.score($0), $0.count) }) {
            let bar = DashboardFormat.bar(Double(n) / Double(top), width: barW, ascii: ctx.ascii)
            lines.append([
                PanelPiece(padLeft(label, labelW) + " "), PanelPiece(pad(bar, barW), .bar),
                PanelPiece(" " + String(n), .value),
            ])
        }
        if !fb.labels.isEmpty {
            let labels = fb.labels.prefix(5).map { "\($0.label) \($0.count)" }.joined(separator: ", ")
            lines.append([PanelPiece("labels: " + labels, .muted)])
        }
        return lines
    }

    static func retryLines(_ r: RetryRate, _ ctx: PanelContext) -> [PanelLine] {
        r.rate.map { rate in
            let t: DashboardTarget? = r.retried > 0 ? .retries : nil
            return [
                [
                    PanelPiece(DashboardFormat.percent(rate), r.retried > 0 ? .warning : .value, target: t),
                    PanelPiece(" of LLM calls were retries (\(r.retried) of \(r.basis.calls))", .plain, target: t),
                ]
            ]
        } ?? [ctx.noData("no LLM calls in \(ctx.rangeName)")]
    }

    /// A trend as a sparkline (each bucket several cells wide when there is room), the bucket labels
    /// under it, and a summary line.
    static func trendPanel(
        _ t: Trend, width w: Int, ascii: Bool, format: (Double) -> String, summary: (Trend) -> String
    ) -> [PanelLine] {
        guard t.buckets.contains(where: { $0.value != nil }) else {
            return [
                [
                    PanelPiece(
                        DashboardFormat.noData + ": no "
                            + (t.buckets.contains { $0.calls > 0 } ? "figure reported" : "LLM call") + " in the last "
                            + DashboardFormat.window(t.basis.window), .muted)
                ]
            ]
        }
        let n = t.buckets.count
        let cell = max(1, min(6, w / max(1, n)))
        let values: [Double?] = t.buckets.map(\.value)
        let line = DashboardFormat.sparkline(values, ascii: ascii).map { String(repeating: String($0), count: cell) }
            .joined()
        var labels = ""
        if n == 1 {
            labels = DashboardFormat.bucketLabel(t.buckets[0], unit: t.unit)
        } else if t.unit == .day && cell >= 6 {
            labels = t.buckets.map { pad(DashboardFormat.bucketLabel($0, unit: t.unit), cell) }.joined()
        } else {
            let first = DashboardFormat.bucketLabel(t.buckets[0], unit: t.unit)
            let last = DashboardFormat.bucketLabel(t.buckets[n - 1], unit: t.unit)
            labels = first + String(repeating: " ", count: max(1, n * cell - first.count - last.count)) + last
        }
        let best = t.buckets.indices.filter { t.buckets[$0].value != nil }.max {
            t.buckets[$0].value! < t.buckets[$1].value!
        }!
        let empty = t.buckets.filter { $0.value == nil }.count
        var notes = [
            summary(t),
            "max " + format(t.buckets[best].value!) + " (" + DashboardFormat.bucketLabel(t.buckets[best], unit: t.unit)
                + ")",
        ]
        if empty > 0 { notes.append("\(empty) empty " + (t.unit == .day ? "day" : "hour") + (empty == 1 ? "" : "s")) }
        return [
            [PanelPiece(line, .bar)], [PanelPiece(labels, .muted)],
            [PanelPiece(notes.filter { !$0.isEmpty }.joined(separator: " · "), .plain)],
        ]
    }

    /// Sums neighbouring values so `values` fits in `n` cells.
    static func resample(_ values: [Double], to n: Int) -> [Double] {
        guard n > 0, values.count > n else { return values }
        var out = [Double](repeating: 0, count: n)
        for (i, v) in values.enumerated() { out[i * n / values.count] += v }
        return out
    }

    /// Exactly `w` columns: padded, or cut with `~` (the same in UTF-8 and ASCII output).
    static func pad(_ s: String, _ w: Int) -> String { fit(s, w, ascii: true) }

    /// At least `w` columns, right-aligned; never cut.
    static func padLeft(_ s: String, _ w: Int) -> String { displayWidth(s) >= w ? s : fit(s, w, right: true) }
}

/// What every panel of one layout shares: its width, the character set and the chosen range.
struct PanelContext {
    var width: Int
    var ascii: Bool
    var allRange: Bool
    /// "the data" or "the last 1h", for the "no data" notes.
    var rangeName: String

    /// The basis of a panel over the chosen range (`all data` when it is everything).
    func rangeBasis(_ b: Basis) -> String { basis(b, all: allRange) }

    /// `last 1h · 2 calls`, or `what` instead of the calls.
    func basis(_ b: Basis, all: Bool = false, what: String = "") -> String {
        DashboardFormat.window(b.window, all: all) + " · " + (what.isEmpty ? DashboardFormat.calls(b.calls) : what)
    }

    func noData(_ why: String) -> PanelLine { [PanelPiece(DashboardFormat.noData + ": " + why, .muted)] }

    func unknownNote(_ n: Int) -> PanelPiece? {
        n > 0 ? PanelPiece("  " + (n == 1 ? "1 call" : "\(n) calls") + " with unknown cost", .warning) : nil
    }
}
