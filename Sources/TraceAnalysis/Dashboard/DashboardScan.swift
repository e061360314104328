import TraceModel

/// What every panel of one `Dashboard` is computed from: the filtered calls, "now", the windows and
/// the trend buckets. One method per row and per panel; `Dashboard(data:…)` puts them together.
struct DashboardScan {
    let data: DashboardData
    let store: SpanStore
    let analysis: Analysis
    let now: Int64
    /// The chosen range, or all of the data.
    let range: TimeWindow
    /// Panels with a window of their own (1h, 24h, 7 days) keep it unless the chosen range is shorter.
    let clip: TimeWindow
    let rf: ResolvedFilter
    /// LLM calls in the range passing the filter.
    let calls: [DashboardCall]
    let limit: Int
    /// Trend buckets: 7 days, or hours when the calls span less than two days.
    let trendUnit: TrendUnit
    let bucketNanos: Int64
    let bucketCount: Int
    let trendWindow: TimeWindow

    init(
        data: DashboardData, store: SpanStore, analysis: Analysis, filter: DashboardFilter, now nowOrNil: Int64?,
        options: DashboardOptions
    ) {
        let now = nowOrNil ?? data.newestEnd
        let all = TimeWindow(start: min(data.oldestStart, now) - 1, end: now)
        let range = filter.range.nanos.map { TimeWindow(last: $0, endingAt: now) } ?? all
        let clip =
            filter.range.nanos.map { TimeWindow(last: $0, endingAt: now) }
            ?? TimeWindow(start: Int64.min, end: now)
        let rf = ResolvedFilter(filter, strings: store.strings, window: range)
        let calls = data.calls.filter { rf.call($0) }
        self.data = data
        self.store = store
        self.analysis = analysis
        self.now = now
        self.range = range
        self.clip = clip
        self.rf = rf
        self.calls = calls
        limit = options.exactPercentileLimit

        let first = calls.first?.end ?? now
        trendUnit = now - first < 2 * TimeWindow.day ? .hour : .day
        bucketNanos = trendUnit == .day ? TimeWindow.day : TimeWindow.hour
        // Hours: enough buckets that the oldest call is inside them (a call exactly 1 h old needs two).
        bucketCount = trendUnit == .day ? 7 : max(1, min(48, Int((now - first) / TimeWindow.hour) + 1))
        trendWindow = TimeWindow(last: bucketNanos * Int64(bucketCount), endingAt: now).clipped(to: clip)
    }

    /// The basis of a figure over every filtered call of the range.
    var rangeBasis: Basis { Basis(window: range, calls: calls.count) }

    func name(_ id: StrID, none: String) -> String { id == 0 ? none : store.string(id) }

    func inWindow(_ w: TimeWindow) -> [DashboardCall] { calls.filter { w.contains($0.end) } }

    func costFigure(_ cs: [DashboardCall], _ w: TimeWindow) -> CostFigure {
        let known = cs.compactMap(\.costUSD)
        return CostFigure(
            basis: Basis(window: w, calls: cs.count), knownUSD: known.isEmpty ? nil : known.reduce(0, +),
            unknownCostCalls: cs.count - known.count)
    }

    // MARK: Row 1: overview

    func overview() -> Overview {
        let dayWindow = TimeWindow(last: TimeWindow.day, endingAt: now).clipped(to: clip)
        let p95 = LatencyFigure(
            basis: rangeBasis,
            p95: Percentile.of(calls.map(\.latencyNanos), 95, exactLimit: limit))
        return Overview(
            callsPerMinute: callsPerMinute(), cost24h: costFigure(inWindow(dayWindow), dayWindow),
            p95Latency: p95, errorRate: errorRate())
    }

    func callsPerMinute() -> CallsPerMinute {
        let hourWindow = TimeWindow(last: TimeWindow.hour, endingAt: now).clipped(to: clip)
        let lastHour = inWindow(hourWindow)
        var minutes = [Int](repeating: 0, count: 60)
        for c in lastHour {
            let fromEnd = Int((now - c.end) / TimeWindow.minute)
            if fromEnd < 60 { minutes[59 - fromEnd] += 1 }
        }
        let hourMinutes = Double(hourWindow.nanos) / Double(TimeWindow.minute)
        let perMinute = lastHour.isEmpty || hourMinutes <= 0 ? nil : Double(lastHour.count) / hourMinutes
        return CallsPerMinute(
            basis: Basis(window: hourWindow, calls: lastHour.count), perMinute: perMinute,
            minutes: minutes)
    }

    /// Errored LLM calls, and errored spans of every kind that pass the filter.
    func errorRate() -> ErrorRate {
        var spans = 0
        var erroredSpans = 0
        for (i, span) in store.spans.enumerated() {
            let svc = store.resources.isEmpty ? 0 : store.resources[Int(span.resource)].serviceName
            guard
                rf.record(
                    time: span.endNanos, service: svc, feature: data.featureOf[i],
                    model: analysis.facts[i].model, trace: analysis.forest.traceOf[i], data: data)
            else { continue }
            spans += 1
            if analysis.isError[i] { erroredSpans += 1 }
        }
        let erroredCalls = calls.filter(\.isError).count
        return ErrorRate(
            basis: rangeBasis, erroredCalls: erroredCalls,
            rate: calls.isEmpty ? nil : Double(erroredCalls) / Double(calls.count),
            spans: spans, erroredSpans: erroredSpans,
            spanRate: spans == 0 ? nil : Double(erroredSpans) / Double(spans))
    }

    // MARK: Row 2: cost

    func costRow() -> CostRow {
        let trend = Trend(
            basis: Basis(window: trendWindow, calls: inWindow(trendWindow).count), unit: trendUnit,
            buckets: trendBuckets({ $0.costUSD }, sum: true))
        return CostRow(
            byModel: breakdown(\.model, none: "(no model)"), byFeature: breakdown(\.feature, none: "(none)"),
            trend: trend, projection: projection())
    }

    /// The known cost of the calls grouped by `key`, largest first, with each group's share.
    func breakdown(_ key: (DashboardCall) -> StrID, none: String) -> CostBreakdown {
        var groups: [StrID: CostShare] = [:]
        for c in calls {
            var g =
                groups[key(c)]
                ?? CostShare(name: name(key(c), none: none), calls: 0, knownUSD: 0, unknownCostCalls: 0, share: nil)
            g.calls += 1
            if let usd = c.costUSD { g.knownUSD += usd } else { g.unknownCostCalls += 1 }
            groups[key(c)] = g
        }
        let known = calls.compactMap(\.costUSD)
        let total = known.reduce(0, +)
        var items = Array(groups.values)
        for i in items.indices where items[i].calls > items[i].unknownCostCalls {
            items[i].share = total > 0 ? items[i].knownUSD / total : nil
        }
        items.sort { ($0.knownUSD, $0.calls, $1.name) > ($1.knownUSD, $1.calls, $0.name) }
        return CostBreakdown(
            basis: rangeBasis, items: items,
            knownUSD: known.isEmpty ? nil : total, unknownCostCalls: calls.count - known.count,
            costMismatchCalls: calls.filter(\.costMismatch).count)
    }

    /// One bucket per hour or day of the trend window: the sum (or the mean) of what `measure` reports.
    func trendBuckets(_ measure: (DashboardCall) -> Double?, sum: Bool) -> [TrendBucket] {
        (0..<bucketCount).map { b in
            let w = TimeWindow(
                start: now - bucketNanos * Int64(bucketCount - b),
                end: now - bucketNanos * Int64(bucketCount - b - 1))
            let cs = inWindow(w)
            let values = cs.compactMap(measure)
            let value: Double? =
                values.isEmpty
                ? nil
                : sum ? values.reduce(0, +) : values.reduce(0, +) / Double(values.count)
            return TrendBucket(
                window: w, calls: cs.count, value: value,
                unknownCostCalls: sum ? cs.count - values.count : 0, measured: values.count)
        }
    }

    /// The last 7 days, or the whole data rounded up to hours when it is shorter, as a month.
    func projection() -> Projection {
        let coverageStart = max(data.oldestStart, range.start)
        let covered = max(
            TimeWindow.hour,
            (now - coverageStart + TimeWindow.hour - 1) / TimeWindow.hour * TimeWindow.hour)
        let projectionWindow = TimeWindow(last: min(7 * TimeWindow.day, covered), endingAt: now)
        let pf = costFigure(inWindow(projectionWindow), projectionWindow)
        let daily = pf.knownUSD.map { $0 / (Double(projectionWindow.nanos) / Double(TimeWindow.day)) }
        return Projection(
            basis: pf.basis, dailyUSD: daily, monthlyUSD: daily.map { $0 * 30 },
            unknownCostCalls: pf.unknownCostCalls, wholeData: covered < 7 * TimeWindow.day)
    }

    // MARK: Row 3: performance

    func performanceRow() -> PerformanceRow {
        let tokens = TokenDistribution(
            input: tokenHistogram(calls.compactMap(\.inputTokens)),
            output: tokenHistogram(calls.compactMap(\.outputTokens)))
        return PerformanceRow(
            latencyByModel: latencyHeatmap(), tokens: tokens, cacheHitRate: cacheHitRate(),
            rateLimits: rateLimits())
    }

    func latencyHeatmap() -> LatencyHeatmap {
        let edges = Dashboard.latencyEdgesMs
        // Grouped through an index so each model's arrays grow in place (no copy per call).
        var modelIndex: [StrID: Int] = [:]
        var modelIDs: [StrID] = []
        var modelLatencies: [[Int64]] = []
        var modelCounts: [[Int]] = []
        for c in calls {
            let m: Int
            if let known = modelIndex[c.model] {
                m = known
            } else {
                m = modelIDs.count
                modelIndex[c.model] = m
                modelIDs.append(c.model)
                modelLatencies.append([])
                modelCounts.append([Int](repeating: 0, count: edges.count))
            }
            modelLatencies[m].append(c.latencyNanos)
            modelCounts[m][Dashboard.bucket(c.latencyNanos / 1_000_000, edges)] += 1
        }
        var rows = modelIDs.indices.map { m -> ModelLatency in
            let ps = Percentile.of(modelLatencies[m], [50, 95], exactLimit: limit)
            return ModelLatency(
                model: name(modelIDs[m], none: "(no model)"), calls: modelLatencies[m].count,
                counts: modelCounts[m], p50: ps?[0], p95: ps?[1])
        }
        rows.sort { ($0.calls, $1.model) > ($1.calls, $0.model) }
        return LatencyHeatmap(basis: rangeBasis, bucketEdgesMs: edges, rows: rows)
    }

    func tokenHistogram(_ values: [Int64]) -> TokenHistogram {
        var counts = [Int](repeating: 0, count: Dashboard.tokenEdges.count)
        for v in values { counts[Dashboard.bucket(v, Dashboard.tokenEdges)] += 1 }
        let ps = Percentile.of(values, [50, 95], exactLimit: limit)
        let total = values.reduce(0, +)
        return TokenHistogram(
            basis: Basis(window: range, calls: values.count), bucketEdges: Dashboard.tokenEdges,
            counts: counts, mean: values.isEmpty ? nil : Double(total) / Double(values.count),
            p50: ps?[0], p95: ps?[1], total: total)
    }

    func cacheHitRate() -> CacheHitRate {
        let hits = calls.filter(\.cacheHit).count
        let inputTotal = calls.compactMap(\.inputTokens).reduce(0, +)
        let reportingInput = calls.contains { $0.inputTokens != nil }
        let cached = calls.reduce(Int64(0)) { $0 + $1.cachedInputTokens }
        return CacheHitRate(
            basis: rangeBasis, hitCalls: hits,
            rate: calls.isEmpty ? nil : Double(hits) / Double(calls.count), cachedTokens: cached,
            inputTokens: inputTotal,
            tokenRate: reportingInput && inputTotal > 0 ? Double(cached) / Double(inputTotal) : nil)
    }

    /// Rate-limit events passing the filter: how many, per hour of the last day, and their traces.
    func rateLimits() -> RateLimitSummary {
        let events = data.rateLimits.filter {
            rf.record(
                time: $0.end, service: $0.service, feature: $0.feature, model: $0.model, trace: $0.trace,
                data: data)
        }
        let rlWindow = TimeWindow(last: TimeWindow.day, endingAt: now).clipped(to: clip)
        var hourly = [Int](repeating: 0, count: 24)
        for e in events where rlWindow.contains(e.end) {
            let fromEnd = Int((now - e.end) / TimeWindow.hour)
            if fromEnd < 24 { hourly[23 - fromEnd] += 1 }
        }
        var rlTraces: [Int] = []
        var seen = Set<Int32>()
        for e in events.reversed() where seen.insert(e.trace).inserted { rlTraces.append(Int(e.trace)) }
        return RateLimitSummary(
            basis: rangeBasis, events: events.count, hourly: hourly,
            hourlyWindow: rlWindow, traces: rlTraces)
    }

    // MARK: Row 4: quality

    func qualityRow() -> QualityRow {
        let lengthTrend = Trend(
            basis: Basis(window: trendWindow, calls: inWindow(trendWindow).count), unit: trendUnit,
            buckets: trendBuckets({ $0.responseLength.map(Double.init) }, sum: false))
        let retried = calls.filter(\.retried).count
        let retry = RetryRate(
            basis: rangeBasis, retried: retried,
            rate: calls.isEmpty ? nil : Double(retried) / Double(calls.count))
        return QualityRow(
            finishReasons: finishReasons(), responseLength: lengthTrend, feedback: feedback(),
            retryRate: retry)
    }

    func finishReasons() -> FinishReasons {
        var finishCounts = [Int](repeating: 0, count: FinishCategory.allCases.count)
        for c in calls { if let f = c.finish { finishCounts[FinishCategory.allCases.firstIndex(of: f)!] += 1 } }
        let reported = finishCounts.reduce(0, +)
        return FinishReasons(
            basis: rangeBasis, counts: finishCounts, reported: reported,
            notReported: calls.count - reported)
    }

    /// Feedback records passing the filter: their scores, labels and score names.
    func feedback() -> FeedbackScores {
        let found = data.feedback.filter {
            rf.record(
                time: $0.time, service: $0.service, feature: $0.feature, model: $0.model, trace: $0.trace,
                data: data)
        }
        let scores = found.compactMap(\.score)
        var labelCounts: [String: Int] = [:]
        for f in found { if let l = f.label { labelCounts[l, default: 0] += 1 } }
        var names: [String] = []
        for f in found { if let n = f.name, !names.contains(n) { names.append(n) } }
        return FeedbackScores(
            basis: rangeBasis, count: scores.count,
            mean: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
            distribution: Dashboard.scoreDistribution(scores),
            labels: labelCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { (label: $0.key, count: $0.value) },
            names: names)
    }
}
