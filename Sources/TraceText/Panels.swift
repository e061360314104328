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
    public init(_ text: String, _ tone: Tone = .plain, target: DashboardTarget? = nil) {
        self.text = text; self.tone = tone; self.target = target
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
        let w = max(20, width)
        let allRange = d.filter.range == .all
        func basis(_ b: Basis, all: Bool = false, what: String = "") -> String {
            DashboardFormat.window(b.window, all: all) + " · " + (what.isEmpty ? DashboardFormat.calls(b.calls) : what)
        }
        func noData(_ why: String) -> PanelLine { [PanelPiece(DashboardFormat.noData + ": " + why, .muted)] }
        func unknownNote(_ n: Int) -> PanelPiece? {
            n > 0 ? PanelPiece("  " + (n == 1 ? "1 call" : "\(n) calls") + " with unknown cost", .warning) : nil
        }
        let rangeName = allRange ? "the data" : "the last \(d.filter.range.title)"

        // Row 1: overview.
        let o = d.overview
        var cpmLines: [PanelLine] = []
        if let rate = o.callsPerMinute.perMinute {
            let label = DashboardFormat.rate(rate)
            let room = max(10, w - label.count - 2)
            let minutes = resample(o.callsPerMinute.minutes.map(Double.init), to: min(60, room))
            cpmLines.append([PanelPiece(label, .value), PanelPiece("  "), PanelPiece(DashboardFormat.sparkline(minutes.map { $0 }, ascii: ascii), .bar)])
        } else {
            cpmLines.append(noData("no LLM call in the last \(DashboardFormat.window(o.callsPerMinute.basis.window))"))
        }
        var costLine: PanelLine = o.cost24h.basis.calls == 0 ? noData("no LLM call in the last 24h")
            : [PanelPiece(DashboardFormat.cost(o.cost24h.knownUSD, unknownCalls: o.cost24h.unknownCostCalls), .value)]
        if let note = unknownNote(o.cost24h.unknownCostCalls) { costLine.append(note) }
        let p95Line: PanelLine = o.p95Latency.p95.map {
            [PanelPiece(Format.duration($0.value), .value), PanelPiece($0.exact ? "" : "  (from a histogram, within 0.1%)", .muted)]
        } ?? noData("no LLM calls in \(rangeName)")
        var errLines: [PanelLine] = []
        if let rate = o.errorRate.rate {
            let target: DashboardTarget? = o.errorRate.erroredCalls > 0 ? .erroredCalls : nil
            errLines.append([PanelPiece(DashboardFormat.percent(rate), o.errorRate.erroredCalls > 0 ? .warning : .value, target: target),
                             PanelPiece(" of LLM calls (\(o.errorRate.erroredCalls) of \(o.errorRate.basis.calls))", .plain, target: target)])
        } else {
            errLines.append(noData("no LLM calls in \(rangeName)"))
        }
        errLines.append([PanelPiece("all spans: " + (o.errorRate.spanRate.map { DashboardFormat.percent($0) + " (\(o.errorRate.erroredSpans) of \(o.errorRate.spans))" } ?? DashboardFormat.noData), .muted)])
        let overview = PanelRow(title: "Overview", panels: [
            Panel(key: "overview.callsPerMinute", title: "LLM calls/min", basis: basis(o.callsPerMinute.basis), lines: cpmLines),
            Panel(key: "overview.cost24hUSD", title: "Cost, rolling 24h", basis: basis(o.cost24h.basis), lines: [costLine]),
            Panel(key: "overview.p95LatencyMs", title: "P95 latency", basis: basis(o.p95Latency.basis, all: allRange), lines: [p95Line]),
            Panel(key: "overview.errorRate", title: "Error rate", basis: basis(o.errorRate.basis, all: allRange), lines: errLines),
        ])

        // Row 2: cost.
        let c = d.cost
        func breakdownLines(_ b: CostBreakdown, target: (String) -> DashboardTarget) -> [PanelLine] {
            guard !b.items.isEmpty else { return [noData("no LLM calls in \(rangeName)")] }
            let shown = b.items.prefix(8)
            let nameW = min(max(8, shown.map { $0.name.count }.max() ?? 8), max(8, w / 3))
            let costs = shown.map { Format.cost($0.knownUSD, unknownCalls: $0.unknownCostCalls, hasCost: $0.calls > $0.unknownCostCalls) }
            let costW = costs.map(\.count).max() ?? 1
            let barW = max(4, w - nameW - costW - 12)
            var lines: [PanelLine] = []
            for (i, item) in shown.enumerated() {
                let t = target(item.name)
                lines.append([PanelPiece(pad(item.name, nameW), .plain, target: t), PanelPiece(" "),
                              PanelPiece(pad(DashboardFormat.bar(item.share ?? 0, width: barW, ascii: ascii), barW), .bar),
                              PanelPiece(" " + padLeft(costs[i], costW), .value, target: t),
                              PanelPiece(" " + padLeft(item.share.map { DashboardFormat.percent($0) } ?? "-", 6), .muted)])
            }
            if b.items.count > shown.count { lines.append([PanelPiece("+\(b.items.count - shown.count) more", .muted)]) }
            if let note = unknownNote(b.unknownCostCalls) { lines.append([PanelPiece("total " + DashboardFormat.cost(b.knownUSD, unknownCalls: b.unknownCostCalls), .plain), note]) }
            return lines
        }
        let trendLines = trendPanel(c.trend, width: w, ascii: ascii, format: { DashboardFormat.cost($0, unknownCalls: 0) },
                                    summary: { t in
                                        let known = t.buckets.compactMap(\.value)
                                        let unknown = t.buckets.reduce(0) { $0 + $1.unknownCostCalls }
                                        return "total " + DashboardFormat.cost(known.isEmpty ? nil : known.reduce(0, +), unknownCalls: unknown)
                                    })
        var projLines: [PanelLine] = []
        if let monthly = c.projection.monthlyUSD, let daily = c.projection.dailyUSD {
            let over = DashboardFormat.window(c.projection.basis.window) + (c.projection.wholeData ? " (all data)" : "")
            projLines.append([PanelPiece(Format.cost(monthly, unknownCalls: c.projection.unknownCostCalls) + " / month", .value)])
            projLines.append([PanelPiece("= " + Format.cost(daily) + "/day x 30, over the last " + over, .muted)])
        } else {
            projLines.append(noData(c.projection.basis.calls == 0 ? "no LLM call in the last \(DashboardFormat.window(c.projection.basis.window))"
                                                                 : "no call with a known cost"))
        }
        if let note = unknownNote(c.projection.unknownCostCalls) { projLines.append([note]) }
        var byModelLines = breakdownLines(c.byModel) { .model($0) }
        if c.byModel.costMismatchCalls > 0 {
            let calls = c.byModel.costMismatchCalls == 1 ? "1 call" : "\(c.byModel.costMismatchCalls) calls"
            byModelLines.append([PanelPiece(calls + ": reported cost differs from list price by > 5 %", .warning, target: .costMismatches)])
        }
        let cost = PanelRow(title: "Cost", panels: [
            Panel(key: "cost.byModel", title: "Cost by model", basis: basis(c.byModel.basis, all: allRange), lines: byModelLines),
            Panel(key: "cost.byFeature", title: "Cost by feature", basis: basis(c.byFeature.basis, all: allRange), lines: breakdownLines(c.byFeature) { .feature($0) }),
            Panel(key: "cost.trend", title: c.trend.unit == .day ? "Cost trend, 7 days" : "Cost trend, per hour", basis: basis(c.trend.basis), lines: trendLines),
            Panel(key: "cost.projectedMonthlyUSD", title: "Projected monthly cost", basis: basis(c.projection.basis), lines: projLines),
        ])

        // Row 3: performance.
        let p = d.performance
        var heatLines: [PanelLine] = []
        let rows = p.latencyByModel.rows.prefix(8)
        if rows.isEmpty {
            heatLines.append(noData("no LLM calls in \(rangeName)"))
        } else {
            let edges = p.latencyByModel.bucketEdgesMs
            let used = (0..<edges.count).filter { i in rows.contains { $0.counts[i] > 0 } }
            let nameW = min(max(6, rows.map { $0.model.count }.max() ?? 6), 18)
            let p95s = rows.map { $0.p95.map { Format.duration($0.value) } ?? "-" }
            let tailW = 5 + (p95s.map(\.count).max() ?? 1)
            let cellW = 6
            let fit = max(1, (w - nameW - tailW) / cellW)
            var lo = used.first!, hi = used.last!
            while hi - lo + 1 < fit && (lo > 0 || hi < edges.count - 1) {
                if hi < edges.count - 1 { hi += 1 }
                if hi - lo + 1 < fit && lo > 0 { lo -= 1 }
            }
            while hi - lo + 1 > fit { if hi > used.last! { hi -= 1 } else { lo += 1 } }
            let top = rows.flatMap { Array($0.counts[lo...hi]) }.max() ?? 0
            heatLines.append([PanelPiece(pad("", nameW)), PanelPiece((lo...hi).map { padLeft(DashboardFormat.latencyBucket($0, edges: edges, ascii: ascii), cellW) }.joined(), .muted),
                              PanelPiece(padLeft("p95", tailW), .muted)])
            for (i, r) in rows.enumerated() {
                let t = DashboardTarget.slowest(r.model)
                var line: PanelLine = [PanelPiece(pad(r.model, nameW), .plain, target: t)]
                for b in lo...hi { line.append(PanelPiece(DashboardFormat.heatCell(r.counts[b], max: top, width: cellW, ascii: ascii), .heat)) }
                line.append(PanelPiece(padLeft(p95s[i], tailW), .value, target: t))
                heatLines.append(line)
            }
            let hidden = rows.reduce(0) { $0 + $1.counts.enumerated().filter { !(lo...hi).contains($0.offset) }.reduce(0) { $0 + $1.element } }
            if hidden > 0 { heatLines.append([PanelPiece("\(hidden) call(s) outside the buckets shown", .muted)]) }
            if p.latencyByModel.rows.count > rows.count { heatLines.append([PanelPiece("+\(p.latencyByModel.rows.count - rows.count) more models", .muted)]) }
        }
        var tokenLines: [PanelLine] = []
        if p.tokens.input.basis.calls == 0 && p.tokens.output.basis.calls == 0 {
            tokenLines.append(noData("no LLM call reports token counts"))
        } else {
            let edges = Dashboard.tokenEdges
            let used = (0..<edges.count).filter { p.tokens.input.counts[$0] > 0 || p.tokens.output.counts[$0] > 0 }
            let cellW = 6, labelW = 7
            let fit = max(1, (w - labelW - 1) / cellW)
            var lo = used.first!, hi = used.last!
            while hi - lo + 1 > fit { hi -= 1 }
            _ = lo
            let top = max(p.tokens.input.counts.max() ?? 0, p.tokens.output.counts.max() ?? 0)
            tokenLines.append([PanelPiece(pad("tokens", labelW), .muted),
                               PanelPiece((lo...hi).map { padLeft(DashboardFormat.tokenBucket($0, edges: edges, ascii: ascii), cellW) }.joined(), .muted)])
            for (label, h) in [("input", p.tokens.input), ("output", p.tokens.output)] {
                var line: PanelLine = [PanelPiece(pad(label, labelW))]
                for b in lo...hi { line.append(PanelPiece(DashboardFormat.heatCell(h.counts[b], max: top, width: cellW, ascii: ascii), .heat)) }
                tokenLines.append(line)
            }
            for (label, h) in [("input", p.tokens.input), ("output", p.tokens.output)] {
                let figures = h.basis.calls == 0 ? DashboardFormat.noData
                    : "p50 \(Format.tokens(h.p50!.value))  p95 \(Format.tokens(h.p95!.value))  mean \(Format.tokens(Int64(h.mean!.rounded())))  (\(DashboardFormat.calls(h.basis.calls)))"
                tokenLines.append([PanelPiece(pad(label, labelW), .muted), PanelPiece(figures, .value)])
            }
            lo = 0
        }
        let cache = p.cacheHitRate
        let cacheLines: [PanelLine] = cache.rate == nil ? [noData("no LLM calls in \(rangeName)")] : [
            [PanelPiece(DashboardFormat.percent(cache.rate), .value), PanelPiece(" of calls (\(cache.hitCalls) of \(cache.basis.calls) read cached input)")],
            [PanelPiece(DashboardFormat.percent(cache.tokenRate), .value),
             PanelPiece(cache.tokenRate == nil ? " of input tokens" : " of input tokens (\(Format.tokens(cache.cachedTokens)) of \(Format.tokens(cache.inputTokens)))")],
        ]
        let rl = p.rateLimits
        var rlLines: [PanelLine] = []
        if rl.basis.calls == 0 && rl.events == 0 {
            rlLines.append(noData("no LLM calls in \(rangeName)"))
        } else {
            let t: DashboardTarget? = rl.events > 0 ? .rateLimits : nil
            let label = rl.events == 1 ? "1 event" : "\(rl.events) events"
            rlLines.append([PanelPiece(label, rl.events > 0 ? .warning : .value, target: t),
                            PanelPiece(rl.events > 0 ? " in \(rl.traces.count) trace(s)" : "", .plain, target: t)])
            let room = max(8, w - 19)
            rlLines.append([PanelPiece("per hour, last " + pad(DashboardFormat.window(rl.hourlyWindow), 4) + " ", .muted),
                            PanelPiece(DashboardFormat.sparkline(resample(rl.hourly.map(Double.init), to: min(24, room)).map { $0 }, ascii: ascii), .bar)])
        }
        let performance = PanelRow(title: "Performance", panels: [
            Panel(key: "performance.latencyByModel", title: "Latency by model", basis: basis(p.latencyByModel.basis, all: allRange), lines: heatLines),
            Panel(key: "performance.tokenDistribution", title: "Tokens per call", basis: basis(p.tokens.input.basis, all: allRange,
                  what: "\(DashboardFormat.calls(d.calls)), \(p.tokens.input.basis.calls) with counts"), lines: tokenLines),
            Panel(key: "performance.cacheHitRate", title: "Cache hit rate", basis: basis(cache.basis, all: allRange), lines: cacheLines),
            Panel(key: "performance.rateLimitEvents", title: "Rate-limit events", basis: basis(rl.basis, all: allRange), lines: rlLines),
        ])

        // Row 4: quality.
        let q = d.quality
        var finishLines: [PanelLine] = []
        if q.finishReasons.reported == 0 {
            finishLines.append(noData(d.calls == 0 ? "no LLM calls in \(rangeName)" : "no call reports a finish reason"))
        } else {
            let labelW = 14
            let countW = String(q.finishReasons.reported).count
            let barW = max(4, w - labelW - countW - 10)
            for cat in FinishCategory.allCases {
                let n = q.finishReasons.count(cat)
                let t: DashboardTarget? = n > 0 ? .finish(cat) : nil
                finishLines.append([PanelPiece(pad(cat.rawValue, labelW), cat == .length && n > 0 ? .warning : .plain, target: t),
                                    PanelPiece(pad(DashboardFormat.bar(q.finishReasons.share(cat) ?? 0, width: barW, ascii: ascii), barW), .bar),
                                    PanelPiece(" " + padLeft(String(n), countW), .value, target: t),
                                    PanelPiece(" " + padLeft(DashboardFormat.percent(q.finishReasons.share(cat)), 6), .muted)])
            }
            if q.finishReasons.notReported > 0 { finishLines.append([PanelPiece("not reported: \(q.finishReasons.notReported)", .muted)]) }
        }
        let lengthLines = trendPanel(q.responseLength, width: w, ascii: ascii, format: { Format.fixed($0, 0) + " chars" },
                                     summary: { t in
                                         let measured = t.buckets.reduce(0) { $0 + $1.measured }
                                         let sum = t.buckets.reduce(0.0) { $0 + ($1.value ?? 0) * Double($1.measured) }
                                         return measured == 0 ? "" : "mean " + Format.fixed(sum / Double(measured), 0) + " chars over \(DashboardFormat.calls(measured))"
                                     })
        var fbLines: [PanelLine] = []
        let fb = q.feedback
        if fb.count == 0 && fb.labels.isEmpty {
            fbLines.append(noData("no feedback scores"))
        } else {
            fbLines.append([PanelPiece(fb.count == 1 ? "1 score" : "\(fb.count) scores", .value),
                            PanelPiece(fb.mean.map { ", mean " + Format.fixed($0, 2) } ?? ""),
                            PanelPiece(fb.names.isEmpty ? "" : "  (" + fb.names.prefix(3).joined(separator: ", ") + ")", .muted)])
            let labelW = min(14, max(4, fb.distribution.map { displayWidth(DashboardFormat.score($0)) }.max() ?? 4))
            let top = fb.distribution.map(\.count).max() ?? 1
            let barW = max(4, w - labelW - 8)
            for (label, n) in fb.distribution.prefix(11).map({ (DashboardFormat.score($0), $0.count) }) {
                fbLines.append([PanelPiece(padLeft(label, labelW) + " "), PanelPiece(pad(DashboardFormat.bar(Double(n) / Double(top), width: barW, ascii: ascii), barW), .bar),
                                PanelPiece(" " + String(n), .value)])
            }
            if !fb.labels.isEmpty {
                fbLines.append([PanelPiece("labels: " + fb.labels.prefix(5).map { "\($0.label) \($0.count)" }.joined(separator: ", "), .muted)])
            }
        }
        let r = q.retryRate
        let retryLines: [PanelLine] = r.rate.map { rate in
            let t: DashboardTarget? = r.retried > 0 ? .retries : nil
            return [[PanelPiece(DashboardFormat.percent(rate), r.retried > 0 ? .warning : .value, target: t),
                     PanelPiece(" of LLM calls were retries (\(r.retried) of \(r.basis.calls))", .plain, target: t)]]
        } ?? [noData("no LLM calls in \(rangeName)")]
        let quality = PanelRow(title: "Quality", panels: [
            Panel(key: "quality.finishReasons", title: "Finish reasons", basis: basis(q.finishReasons.basis, all: allRange), lines: finishLines),
            Panel(key: "quality.responseLengthTrend", title: q.responseLength.unit == .day ? "Response length, 7 days" : "Response length, per hour",
                  basis: basis(q.responseLength.basis), lines: lengthLines),
            Panel(key: "quality.feedback", title: "User feedback", basis: basis(fb.basis, all: allRange, what: fb.count == 1 ? "1 score" : "\(fb.count) scores"), lines: fbLines),
            Panel(key: "quality.retryRate", title: "Retry rate", basis: basis(r.basis, all: allRange), lines: retryLines),
        ])
        return [overview, cost, performance, quality]
    }

    /// A trend as a sparkline (each bucket several cells wide when there is room), the bucket labels
    /// under it, and a summary line.
    static func trendPanel(_ t: Trend, width w: Int, ascii: Bool, format: (Double) -> String, summary: (Trend) -> String) -> [PanelLine] {
        guard t.buckets.contains(where: { $0.value != nil }) else {
            return [[PanelPiece(DashboardFormat.noData + ": no " + (t.buckets.contains { $0.calls > 0 } ? "figure reported" : "LLM call") + " in the last "
                                + DashboardFormat.window(t.basis.window), .muted)]]
        }
        let n = t.buckets.count
        let cell = max(1, min(6, w / max(1, n)))
        let values: [Double?] = t.buckets.map(\.value)
        let line = DashboardFormat.sparkline(values, ascii: ascii).map { String(repeating: String($0), count: cell) }.joined()
        var labels = ""
        if n == 1 {
            labels = DashboardFormat.bucketLabel(t.buckets[0], unit: t.unit)
        } else if t.unit == .day && cell >= 6 {
            labels = t.buckets.map { pad(DashboardFormat.bucketLabel($0, unit: t.unit), cell) }.joined()
        } else {
            let first = DashboardFormat.bucketLabel(t.buckets[0], unit: t.unit), last = DashboardFormat.bucketLabel(t.buckets[n - 1], unit: t.unit)
            labels = first + String(repeating: " ", count: max(1, n * cell - first.count - last.count)) + last
        }
        let best = t.buckets.indices.filter { t.buckets[$0].value != nil }.max { t.buckets[$0].value! < t.buckets[$1].value! }!
        let empty = t.buckets.filter { $0.value == nil }.count
        var notes = [summary(t), "max " + format(t.buckets[best].value!) + " (" + DashboardFormat.bucketLabel(t.buckets[best], unit: t.unit) + ")"]
        if empty > 0 { notes.append("\(empty) empty " + (t.unit == .day ? "day" : "hour") + (empty == 1 ? "" : "s")) }
        return [[PanelPiece(line, .bar)], [PanelPiece(labels, .muted)], [PanelPiece(notes.filter { !$0.isEmpty }.joined(separator: " · "), .plain)]]
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
