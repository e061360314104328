import TraceModel

/// What a figure was computed from: its time window and how many LLM calls fell in it (and, where
/// the figure needs something the call may not report, how many of them reported it).
public struct Basis: Sendable, Equatable {
    public var window: TimeWindow
    public var calls: Int
    public init(window: TimeWindow, calls: Int) {
        self.window = window
        self.calls = calls
    }
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
    public init(
        store: SpanStore, analysis: Analysis, filter: DashboardFilter = DashboardFilter(), now: Int64? = nil,
        featureKeys: [String] = Conventions.featureKeys, options: DashboardOptions = DashboardOptions()
    ) {
        let data = DashboardData(store: store, analysis: analysis, featureKeys: featureKeys)
        self.init(data: data, store: store, analysis: analysis, filter: filter, now: now, options: options)
    }

    /// Computes every panel from already extracted `DashboardData` (cheap: one scan of the calls).
    public init(
        data: DashboardData, store: SpanStore, analysis: Analysis, filter: DashboardFilter = DashboardFilter(),
        now nowOrNil: Int64? = nil, options: DashboardOptions = DashboardOptions()
    ) {
        let scan = DashboardScan(
            data: data, store: store, analysis: analysis, filter: filter, now: nowOrNil,
            options: options)
        now = scan.now
        self.filter = filter
        range = scan.range
        calls = scan.calls.count
        overview = scan.overview()
        cost = scan.costRow()
        performance = scan.performanceRow()
        quality = scan.qualityRow()
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
        return (0..<5).map { i in
            ScoreBin(low: lo + Double(i) * width, high: lo + Double(i + 1) * width, count: counts[i])
        }
    }
}
