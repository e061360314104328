import TraceModel

/// Where a span's cost came from.
public enum CostSource: UInt8, Sendable {
    /// Not a billed model call.
    case none
    case reported, computed, unknown
    public var name: String { ["none", "reported", "computed", "unknown"][Int(rawValue)] }
}

public struct SpanCost: Sendable, Equatable {
    public var usd: Double
    public var source: CostSource
    public static let none = SpanCost(usd: 0, source: .none)
}

/// Prices a model call from its tokens: uncached input at the input rate, cache reads at the cached
/// rate, cache writes at the write rate (each falling back to the input rate when the table has
/// none), output at the output rate. Reasoning tokens are part of the output count and not added again.
public func computeCost(_ f: LLMFacts, price p: ModelPrice) -> Double {
    let long = p.longContextThreshold.map { f.allInputTokens > $0 } ?? false
    let input = long ? p.longInput ?? p.input : p.input
    let output = long ? p.longOutput ?? p.output : p.output
    let cached = long ? p.longCachedInput ?? p.cachedInput ?? input : p.cachedInput ?? input
    let write = p.cacheWrite ?? input
    let dollars =
        Double(f.uncachedInputTokens) * input
        + Double(max(0, f.cacheReadTokens)) * cached
        + Double(max(0, f.cacheWriteTokens)) * write
        + Double(max(0, f.outputTokens)) * output
    return dollars / 1_000_000
}

/// The cost of a model-call span: reported if it reports one, else computed from its tokens and the
/// price of its model, else unknown.
public func spanCost(_ f: LLMFacts, price: ModelPrice?) -> SpanCost {
    guard f.role.isModelCall || f.hasUsage else { return .none }
    if !f.reportedCost.isNaN { return SpanCost(usd: f.reportedCost, source: .reported) }
    guard f.inputTokens >= 0 || f.outputTokens >= 0, let price else {
        return SpanCost(usd: 0, source: .unknown)
    }
    return SpanCost(usd: computeCost(f, price: price), source: .computed)
}
