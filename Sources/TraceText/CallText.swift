import TraceAnalysis
import TraceModel

extension Analysis {
    /// A span's own cost as the list and the tree show it: nil when it is not a billed call, `?` when
    /// unknown, `~$x` for a span whose call is counted on another span (or not a call of its own: a
    /// rollup), `$x!` for a call whose reported cost differs from the list price by more than 5 %.
    public func ownCostLabel(of span: Int32) -> String? {
        let c = costs[Int(span)]
        switch c.source {
        case .none: return nil
        case .unknown: return counted[Int(span)] ? "?" : "~?"
        case .reported, .computed:
            guard counted[Int(span)] else { return "~" + Format.cost(c.usd) }
            return Format.cost(c.usd) + (calls.group(of: span)?.costMismatch == true ? "!" : "")
        }
    }
}

/// A fact's value as text (unsanitized), nil when the facts lack it. `inputWithCache` gives the input
/// count with the cache included however the convention counted it, for comparing spans.
public func factText(_ fact: Fact, _ f: LLMFacts, _ store: SpanStore, inputWithCache: Bool = false) -> String? {
    guard f.has(fact) else { return nil }
    switch fact {
    case .inputTokens: return String(inputWithCache ? f.allInputTokens : f.inputTokens)
    case .outputTokens: return String(f.outputTokens)
    case .totalTokens: return String(f.totalTokens)
    case .cacheReadTokens: return String(f.cacheReadTokens)
    case .cacheWriteTokens: return String(f.cacheWriteTokens)
    case .reasoningTokens: return String(f.reasoningTokens)
    case .responseLength: return String(f.responseLength)
    case .reportedCost: return Format.cost(f.reportedCost)
    case .reportedRollupCost: return Format.cost(f.reportedRollupCost)
    case .model: return store.string(f.model)
    case .provider: return store.string(f.provider)
    case .finishReason: return store.string(f.finishReason)
    case .toolName: return store.string(f.toolName)
    case .agentName: return store.string(f.agentName)
    case .responseID: return store.string(f.responseID)
    case .operation: return nil
    }
}
