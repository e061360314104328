import Histogram

/// A percentile and how it was obtained.
public struct PercentileValue: Sendable, Equatable {
    public var value: Int64
    /// False when it came from the histogram (values beyond `DashboardOptions.exactPercentileLimit`).
    public var exact: Bool
}

public enum Percentile {
    /// The nearest-rank percentile (the smallest value with at least p% of values at or below it):
    /// exact by sorting up to `exactLimit` values, from an HdrHistogram beyond. nil for no values.
    public static func of(_ values: [Int64], _ p: Double, exactLimit: Int) -> PercentileValue? {
        guard !values.isEmpty else { return nil }
        if values.count <= exactLimit {
            let sorted = values.sorted()
            return PercentileValue(value: sorted[rank(p, count: sorted.count)], exact: true)
        }
        var h = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        h.autoResize = true
        for v in values { h.record(UInt64(max(0, v))) }
        return PercentileValue(value: Int64(h.valueAtPercentile(p)), exact: false)
    }

    /// Several percentiles of one set of values, sorting or histogramming once.
    public static func of(_ values: [Int64], _ ps: [Double], exactLimit: Int) -> [PercentileValue]? {
        guard !values.isEmpty else { return nil }
        if values.count <= exactLimit {
            let sorted = values.sorted()
            return ps.map { PercentileValue(value: sorted[rank($0, count: sorted.count)], exact: true) }
        }
        var h = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        h.autoResize = true
        for v in values { h.record(UInt64(max(0, v))) }
        return ps.map { PercentileValue(value: Int64(h.valueAtPercentile($0)), exact: false) }
    }

    /// Zero-based index of the nearest rank: ceil(p/100 × n) − 1, at least 0.
    static func rank(_ p: Double, count n: Int) -> Int {
        // The small epsilon keeps 0.95 × 20 = 19.000000000000004 at rank 19, not 20.
        let r = Int((p / 100 * Double(n) - 1e-9).rounded(.up)) - 1
        return max(0, min(n - 1, r))
    }
}
