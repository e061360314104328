import TraceModel

/// What a figure was computed from: its time window and how many LLM calls fell in it (and, where
/// the figure needs something the call may not report, how many of them reported it).
public struct Basis: Sendable, Equatable {
    public var window: TimeWindow
    public var calls: Int
    public init(window: TimeWindow, calls: Int) { self.window = window; self.calls = calls }
}

// MARK: row 1, overview

public struct CallsPerMinute: Sendable, Equatable {
    public var basis: Basis
    /// Calls in the window ÷ its minutes; nil when no call fell in the window.
    public var perMinute: Double?
    /// Calls per minute, oldest first, the last one ending at "now".
    public var minutes: [Int]
}

/// Known cost of the calls in a window; `unknownCostCalls` of them have no known cost.
public struct CostFigure: Sendable, Equatable {
    public var basis: Basis
    /// nil when no call in the window has a known cost.
    public var knownUSD: Double?
    public var unknownCostCalls: Int
}

public struct LatencyFigure: Sendable, Equatable {
    public var basis: Basis
    public var p95: PercentileValue?
}

public struct ErrorRate: Sendable, Equatable {
    public var basis: Basis
    public var erroredCalls: Int
    /// Errored LLM calls ÷ LLM calls; nil without calls.
    public var rate: Double?
    public var spans: Int
    public var erroredSpans: Int
    /// Errored spans ÷ spans (every span, not only LLM calls); nil without spans.
    public var spanRate: Double?
}

public struct Overview: Sendable, Equatable {
    public var callsPerMinute: CallsPerMinute
    public var cost24h: CostFigure
    public var p95Latency: LatencyFigure
    public var errorRate: ErrorRate
}

// MARK: row 2, cost

public struct CostShare: Sendable, Equatable {
    public var name: String
    public var calls: Int
    public var knownUSD: Double
    public var unknownCostCalls: Int
    /// Of the known total; nil when the known total is 0 or none of its calls has a known cost.
    public var share: Double?
}

public struct CostBreakdown: Sendable, Equatable {
    public var basis: Basis
    /// Largest known cost first.
    public var items: [CostShare]
    public var knownUSD: Double?
    public var unknownCostCalls: Int
    /// Calls whose reported cost differs from the list price by more than 5 %.
    public var costMismatchCalls: Int
}

public enum TrendUnit: String, Sendable, Equatable { case day, hour }

public struct TrendBucket: Sendable, Equatable {
    public var window: TimeWindow
    public var calls: Int
    /// Cost trend: known cost; response-length trend: mean length. nil when nothing to average or sum.
    public var value: Double?
    public var unknownCostCalls: Int
    /// Calls that carried the figure (for the response length: calls that report one).
    public var measured: Int
}

public struct Trend: Sendable, Equatable {
    public var basis: Basis
    public var unit: TrendUnit
    public var buckets: [TrendBucket]
}

public struct Projection: Sendable, Equatable {
    /// The window whose daily rate is projected.
    public var basis: Basis
    public var dailyUSD: Double?
    /// dailyUSD × 30.
    public var monthlyUSD: Double?
    public var unknownCostCalls: Int
    /// True when the window is the whole of the data because it goes back less than 7 days.
    public var wholeData: Bool
}

public struct CostRow: Sendable, Equatable {
    public var byModel: CostBreakdown
    public var byFeature: CostBreakdown
    public var trend: Trend
    public var projection: Projection
}

// MARK: row 3, performance

public struct ModelLatency: Sendable, Equatable {
    public var model: String
    public var calls: Int
    /// One count per bucket of `LatencyHeatmap.bucketEdgesMs`.
    public var counts: [Int]
    public var p50: PercentileValue?
    public var p95: PercentileValue?
}

public struct LatencyHeatmap: Sendable, Equatable {
    public var basis: Basis
    /// Lower edges of the latency buckets in milliseconds; the last bucket is open-ended.
    public var bucketEdgesMs: [Int64]
    /// Busiest model first.
    public var rows: [ModelLatency]
}

public struct TokenHistogram: Sendable, Equatable {
    /// Calls that reported the count.
    public var basis: Basis
    /// Lower edges of the buckets; the last is open-ended.
    public var bucketEdges: [Int64]
    public var counts: [Int]
    public var mean: Double?
    public var p50: PercentileValue?
    public var p95: PercentileValue?
    public var total: Int64
}

public struct TokenDistribution: Sendable, Equatable {
    public var input: TokenHistogram
    public var output: TokenHistogram
}

public struct CacheHitRate: Sendable, Equatable {
    public var basis: Basis
    public var hitCalls: Int
    /// Calls with cached input (or a cache-hit flag) ÷ calls; nil without calls.
    public var rate: Double?
    public var cachedTokens: Int64
    public var inputTokens: Int64
    /// Cached ÷ all input tokens; nil when no call reported input tokens.
    public var tokenRate: Double?
}

public struct RateLimitSummary: Sendable, Equatable {
    public var basis: Basis
    public var events: Int
    /// Events per hour over the last 24 h (clipped to the range), oldest first.
    public var hourly: [Int]
    public var hourlyWindow: TimeWindow
    /// Traces holding the events, newest event first.
    public var traces: [Int]
}

public struct PerformanceRow: Sendable, Equatable {
    public var latencyByModel: LatencyHeatmap
    public var tokens: TokenDistribution
    public var cacheHitRate: CacheHitRate
    public var rateLimits: RateLimitSummary
}

// MARK: row 4, quality

public struct FinishReasons: Sendable, Equatable {
    public var basis: Basis
    /// In `FinishCategory.allCases` order.
    public var counts: [Int]
    /// Calls that reported a finish reason (the denominator of the shares).
    public var reported: Int
    public var notReported: Int
    public func count(_ c: FinishCategory) -> Int { counts[FinishCategory.allCases.firstIndex(of: c)!] }
    public func share(_ c: FinishCategory) -> Double? { reported == 0 ? nil : Double(count(c)) / Double(reported) }
}

/// One bar of the score distribution: a single score (`high` nil) or the bin from `low` to `high`.
public struct ScoreBin: Sendable, Equatable {
    public var low: Double
    public var high: Double?
    public var count: Int
    public init(low: Double, high: Double?, count: Int) {
        self.low = low
        self.high = high
        self.count = count
    }
}

public struct FeedbackScores: Sendable, Equatable {
    /// `calls` is the number of LLM calls in the window, for scale; `count` the scores found.
    public var basis: Basis
    public var count: Int
    public var mean: Double?
    /// Score → how many times it was given, lowest score first (integer scores), or equal-width bins
    /// (fractional scores).
    public var distribution: [ScoreBin]
    /// Labels given without or beside a score.
    public var labels: [(label: String, count: Int)]
    /// Names of the evaluations the scores came from (`gen_ai.evaluation.name`, annotation names).
    public var names: [String]

    public static func == (a: FeedbackScores, b: FeedbackScores) -> Bool {
        a.basis == b.basis && a.count == b.count && a.mean == b.mean && a.names == b.names
            && a.distribution == b.distribution
            && a.labels.map(\.label) == b.labels.map(\.label) && a.labels.map(\.count) == b.labels.map(\.count)
    }
}

public struct RetryRate: Sendable, Equatable {
    public var basis: Basis
    public var retried: Int
    /// Retried calls ÷ calls; nil without calls.
    public var rate: Double?
}

public struct QualityRow: Sendable, Equatable {
    public var finishReasons: FinishReasons
    public var responseLength: Trend
    public var feedback: FeedbackScores
    public var retryRate: RetryRate
}

/// The four dashboard rows, as plain values: no drawing here. Built by `Dashboard(data:…)`.
public struct Dashboard: Sendable, Equatable {
    public var now: Int64
    public var filter: DashboardFilter
    /// The chosen time range (all of the data, or the last hour/day/week), clipped to the data.
    public var range: TimeWindow
    /// LLM calls in the range passing the filter.
    public var calls: Int
    public var overview: Overview
    public var cost: CostRow
    public var performance: PerformanceRow
    public var quality: QualityRow

    /// Lower edges of the latency heatmap buckets (ms): log-scaled, about ×3 apart (half decades).
    public static let latencyEdgesMs: [Int64] = [0, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000]
    /// Lower edges of the token histogram buckets: half decades from 100.
    public static let tokenEdges: [Int64] = [0, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000]

    /// Computes every panel from a store, its analysis, a filter and "now" (nil: the newest span end).
    public init(store: SpanStore, analysis: Analysis, filter: DashboardFilter = DashboardFilter(), now: Int64? = nil,
                featureKeys: [String] = Conventions.featureKeys, options: DashboardOptions = DashboardOptions()) {
        let data = DashboardData(store: store, analysis: analysis, featureKeys: featureKeys)
        self.init(data: data, store: store, analysis: analysis, filter: filter, now: now, options: options)
    }

    /// Computes every panel from already extracted `DashboardData` (cheap: one scan of the calls).
    public init(data: DashboardData, store: SpanStore, analysis: Analysis, filter: DashboardFilter = DashboardFilter(),
                now nowOrNil: Int64? = nil, options: DashboardOptions = DashboardOptions()) {
        let now = nowOrNil ?? data.newestEnd
        let all = TimeWindow(start: min(data.oldestStart, now) - 1, end: now)
        let range = filter.range.nanos.map { TimeWindow(last: $0, endingAt: now) } ?? all
        // Panels with a window of their own (1h, 24h, 7 days) keep it unless the chosen range is shorter.
        let clip = filter.range.nanos.map { TimeWindow(last: $0, endingAt: now) } ?? TimeWindow(start: Int64.min, end: now)
        let rf = ResolvedFilter(filter, strings: store.strings, window: range)
        let calls = data.calls.filter { rf.call($0) }
        let limit = options.exactPercentileLimit
        func name(_ id: StrID, none: String) -> String { id == 0 ? none : store.string(id) }
        func inWindow(_ w: TimeWindow) -> [DashboardCall] { calls.filter { w.contains($0.end) } }
        func costFigure(_ cs: [DashboardCall], _ w: TimeWindow) -> CostFigure {
            let known = cs.compactMap(\.costUSD)
            return CostFigure(basis: Basis(window: w, calls: cs.count), knownUSD: known.isEmpty ? nil : known.reduce(0, +),
                              unknownCostCalls: cs.count - known.count)
        }

        self.now = now
        self.filter = filter
        self.range = range
        self.calls = calls.count

        // Row 1.
        let hourWindow = TimeWindow(last: TimeWindow.hour, endingAt: now).clipped(to: clip)
        let lastHour = inWindow(hourWindow)
        var minutes = [Int](repeating: 0, count: 60)
        for c in lastHour {
            let fromEnd = Int((now - c.end) / TimeWindow.minute)
            if fromEnd < 60 { minutes[59 - fromEnd] += 1 }
        }
        let hourMinutes = Double(hourWindow.nanos) / Double(TimeWindow.minute)
        let cpm = CallsPerMinute(basis: Basis(window: hourWindow, calls: lastHour.count),
                                 perMinute: lastHour.isEmpty || hourMinutes <= 0 ? nil : Double(lastHour.count) / hourMinutes,
                                 minutes: minutes)
        let dayWindow = TimeWindow(last: TimeWindow.day, endingAt: now).clipped(to: clip)
        let cost24h = costFigure(inWindow(dayWindow), dayWindow)
        let latencies = calls.map(\.latencyNanos)
        let p95 = LatencyFigure(basis: Basis(window: range, calls: calls.count), p95: Percentile.of(latencies, 95, exactLimit: limit))
        var spans = 0, erroredSpans = 0
        for (i, span) in store.spans.enumerated() {
            let svc = store.resources.isEmpty ? 0 : store.resources[Int(span.resource)].serviceName
            guard rf.record(time: span.endNanos, service: svc, feature: data.featureOf[i], model: analysis.facts[i].model, trace: analysis.forest.traceOf[i], data: data) else { continue }
            spans += 1
            if analysis.isError[i] { erroredSpans += 1 }
        }
        let erroredCalls = calls.filter(\.isError).count
        let errorRate = ErrorRate(basis: Basis(window: range, calls: calls.count), erroredCalls: erroredCalls,
                                  rate: calls.isEmpty ? nil : Double(erroredCalls) / Double(calls.count),
                                  spans: spans, erroredSpans: erroredSpans, spanRate: spans == 0 ? nil : Double(erroredSpans) / Double(spans))
        overview = Overview(callsPerMinute: cpm, cost24h: cost24h, p95Latency: p95, errorRate: errorRate)

        // Row 2.
        func breakdown(_ key: (DashboardCall) -> StrID, none: String) -> CostBreakdown {
            var groups: [StrID: CostShare] = [:]
            for c in calls {
                var g = groups[key(c)] ?? CostShare(name: name(key(c), none: none), calls: 0, knownUSD: 0, unknownCostCalls: 0, share: nil)
                g.calls += 1
                if let usd = c.costUSD { g.knownUSD += usd } else { g.unknownCostCalls += 1 }
                groups[key(c)] = g
            }
            let known = calls.compactMap(\.costUSD)
            let total = known.reduce(0, +)
            var items = Array(groups.values)
            for i in items.indices where items[i].calls > items[i].unknownCostCalls { items[i].share = total > 0 ? items[i].knownUSD / total : nil }
            items.sort { ($0.knownUSD, $0.calls, $1.name) > ($1.knownUSD, $1.calls, $0.name) }
            return CostBreakdown(basis: Basis(window: range, calls: calls.count), items: items,
                                 knownUSD: known.isEmpty ? nil : total, unknownCostCalls: calls.count - known.count,
                                 costMismatchCalls: calls.filter(\.costMismatch).count)
        }
        let byModel = breakdown(\.model, none: "(no model)")
        let byFeature = breakdown(\.feature, none: "(none)")

        // Trend buckets: 7 days, or hours when the calls span less than two days.
        let first = calls.first?.end ?? now
        let unit: TrendUnit = now - first < 2 * TimeWindow.day ? .hour : .day
        let bucketNanos = unit == .day ? TimeWindow.day : TimeWindow.hour
        // Hours: enough buckets that the oldest call is inside them (a call exactly 1 h old needs two).
        let bucketCount = unit == .day ? 7 : max(1, min(48, Int((now - first) / TimeWindow.hour) + 1))
        let trendWindow = TimeWindow(last: bucketNanos * Int64(bucketCount), endingAt: now).clipped(to: clip)
        func buckets(_ measure: (DashboardCall) -> Double?, sum: Bool) -> [TrendBucket] {
            (0..<bucketCount).map { b in
                let w = TimeWindow(start: now - bucketNanos * Int64(bucketCount - b), end: now - bucketNanos * Int64(bucketCount - b - 1))
                let cs = inWindow(w)
                let values = cs.compactMap(measure)
                let value: Double? = values.isEmpty ? nil : sum ? values.reduce(0, +) : values.reduce(0, +) / Double(values.count)
                return TrendBucket(window: w, calls: cs.count, value: value,
                                   unknownCostCalls: sum ? cs.count - values.count : 0, measured: values.count)
            }
        }
        let trend = Trend(basis: Basis(window: trendWindow, calls: inWindow(trendWindow).count), unit: unit,
                          buckets: buckets({ $0.costUSD }, sum: true))

        // Projection: the last 7 days, or the whole data rounded up to hours when it is shorter.
        let coverageStart = max(data.oldestStart, range.start)
        let covered = max(TimeWindow.hour, (now - coverageStart + TimeWindow.hour - 1) / TimeWindow.hour * TimeWindow.hour)
        let projectionWindow = TimeWindow(last: min(7 * TimeWindow.day, covered), endingAt: now)
        let pf = costFigure(inWindow(projectionWindow), projectionWindow)
        let daily = pf.knownUSD.map { $0 / (Double(projectionWindow.nanos) / Double(TimeWindow.day)) }
        let projection = Projection(basis: pf.basis, dailyUSD: daily, monthlyUSD: daily.map { $0 * 30 },
                                    unknownCostCalls: pf.unknownCostCalls, wholeData: covered < 7 * TimeWindow.day)
        cost = CostRow(byModel: byModel, byFeature: byFeature, trend: trend, projection: projection)

        // Row 3.
        let edges = Self.latencyEdgesMs
        // Grouped through an index so each model's arrays grow in place (no copy per call).
        var modelIndex: [StrID: Int] = [:]
        var modelIDs: [StrID] = [], modelLatencies: [[Int64]] = [], modelCounts: [[Int]] = []
        for c in calls {
            let m: Int
            if let known = modelIndex[c.model] { m = known } else {
                m = modelIDs.count
                modelIndex[c.model] = m
                modelIDs.append(c.model); modelLatencies.append([]); modelCounts.append([Int](repeating: 0, count: edges.count))
            }
            modelLatencies[m].append(c.latencyNanos)
            modelCounts[m][Self.bucket(c.latencyNanos / 1_000_000, edges)] += 1
        }
        var rows = modelIDs.indices.map { m -> ModelLatency in
            let ps = Percentile.of(modelLatencies[m], [50, 95], exactLimit: limit)
            return ModelLatency(model: name(modelIDs[m], none: "(no model)"), calls: modelLatencies[m].count, counts: modelCounts[m],
                                p50: ps?[0], p95: ps?[1])
        }
        rows.sort { ($0.calls, $1.model) > ($1.calls, $0.model) }
        let heatmap = LatencyHeatmap(basis: Basis(window: range, calls: calls.count), bucketEdgesMs: edges, rows: rows)
        func histogram(_ values: [Int64]) -> TokenHistogram {
            var counts = [Int](repeating: 0, count: Self.tokenEdges.count)
            for v in values { counts[Self.bucket(v, Self.tokenEdges)] += 1 }
            let ps = Percentile.of(values, [50, 95], exactLimit: limit)
            let total = values.reduce(0, +)
            return TokenHistogram(basis: Basis(window: range, calls: values.count), bucketEdges: Self.tokenEdges, counts: counts,
                                  mean: values.isEmpty ? nil : Double(total) / Double(values.count), p50: ps?[0], p95: ps?[1], total: total)
        }
        let tokens = TokenDistribution(input: histogram(calls.compactMap(\.inputTokens)), output: histogram(calls.compactMap(\.outputTokens)))
        let hits = calls.filter(\.cacheHit).count
        let inputTotal = calls.compactMap(\.inputTokens).reduce(0, +)
        let reportingInput = calls.contains { $0.inputTokens != nil }
        let cached = calls.reduce(Int64(0)) { $0 + $1.cachedInputTokens }
        let cache = CacheHitRate(basis: Basis(window: range, calls: calls.count), hitCalls: hits,
                                 rate: calls.isEmpty ? nil : Double(hits) / Double(calls.count), cachedTokens: cached,
                                 inputTokens: inputTotal, tokenRate: reportingInput && inputTotal > 0 ? Double(cached) / Double(inputTotal) : nil)
        let events = data.rateLimits.filter { rf.record(time: $0.end, service: $0.service, feature: $0.feature, model: $0.model, trace: $0.trace, data: data) }
        let rlWindow = TimeWindow(last: TimeWindow.day, endingAt: now).clipped(to: clip)
        var hourly = [Int](repeating: 0, count: 24)
        for e in events where rlWindow.contains(e.end) {
            let fromEnd = Int((now - e.end) / TimeWindow.hour)
            if fromEnd < 24 { hourly[23 - fromEnd] += 1 }
        }
        var rlTraces: [Int] = [], seen = Set<Int32>()
        for e in events.reversed() where seen.insert(e.trace).inserted { rlTraces.append(Int(e.trace)) }
        let rateLimits = RateLimitSummary(basis: Basis(window: range, calls: calls.count), events: events.count, hourly: hourly,
                                          hourlyWindow: rlWindow, traces: rlTraces)
        performance = PerformanceRow(latencyByModel: heatmap, tokens: tokens, cacheHitRate: cache, rateLimits: rateLimits)

        // Row 4.
        var finishCounts = [Int](repeating: 0, count: FinishCategory.allCases.count)
        for c in calls { if let f = c.finish { finishCounts[FinishCategory.allCases.firstIndex(of: f)!] += 1 } }
        let reported = finishCounts.reduce(0, +)
        let finish = FinishReasons(basis: Basis(window: range, calls: calls.count), counts: finishCounts, reported: reported,
                                   notReported: calls.count - reported)
        let lengthTrend = Trend(basis: Basis(window: trendWindow, calls: inWindow(trendWindow).count), unit: unit,
                                buckets: buckets({ $0.responseLength.map(Double.init) }, sum: false))
        let found = data.feedback.filter { rf.record(time: $0.time, service: $0.service, feature: $0.feature, model: $0.model, trace: $0.trace, data: data) }
        let scores = found.compactMap(\.score)
        var labelCounts: [String: Int] = [:]
        for f in found { if let l = f.label { labelCounts[l, default: 0] += 1 } }
        var names: [String] = []
        for f in found { if let n = f.name, !names.contains(n) { names.append(n) } }
        let feedback = FeedbackScores(
            basis: Basis(window: range, calls: calls.count), count: scores.count,
            mean: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
            distribution: Self.scoreDistribution(scores),
            labels: labelCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { (label: $0.key, count: $0.value) },
            names: names)
        let retried = calls.filter(\.retried).count
        let retry = RetryRate(basis: Basis(window: range, calls: calls.count), retried: retried,
                              rate: calls.isEmpty ? nil : Double(retried) / Double(calls.count))
        quality = QualityRow(finishReasons: finish, responseLength: lengthTrend, feedback: feedback, retryRate: retry)
    }

    /// Index of the bucket whose lower edge is the largest one at or below `v`.
    static func bucket(_ v: Int64, _ edges: [Int64]) -> Int {
        var i = 0
        while i + 1 < edges.count && v >= edges[i + 1] { i += 1 }
        return i
    }

    /// Integer scores with at most 11 distinct values: one entry per value. Otherwise five equal-width
    /// bins between the lowest and highest score.
    static func scoreDistribution(_ scores: [Double]) -> [ScoreBin] {
        guard let lo = scores.min(), let hi = scores.max() else { return [] }
        let distinct = Set(scores)
        if scores.allSatisfy({ $0 == $0.rounded() }) && distinct.count <= 11 {
            return distinct.sorted().map { v in ScoreBin(low: v, high: nil, count: scores.filter { $0 == v }.count) }
        }
        if lo == hi { return [ScoreBin(low: lo, high: nil, count: scores.count)] }
        let width = (hi - lo) / 5
        var counts = [Int](repeating: 0, count: 5)
        for s in scores { counts[min(4, Int((s - lo) / width))] += 1 }
        return (0..<5).map { i in ScoreBin(low: lo + Double(i) * width, high: lo + Double(i + 1) * width, count: counts[i]) }
    }
}
