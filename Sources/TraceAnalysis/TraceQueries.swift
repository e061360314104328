import TraceModel

extension Analysis {
    /// The name of a trace: its root span's name.
    public func rootName(of trace: Int, in store: SpanStore) -> String {
        store.string(store.spans[Int(forest.traces[trace].rootSpan)].name)
    }

    /// The service of a trace's root span.
    public func service(of trace: Int, in store: SpanStore) -> String {
        let span = store.spans[Int(forest.traces[trace].rootSpan)]
        return store.resources.isEmpty ? "" : store.string(store.resources[Int(span.resource)].serviceName)
    }

    /// The service of any span.
    public func service(ofSpan span: Int32, in store: SpanStore) -> String {
        store.resources.isEmpty ? "" : store.string(store.resources[Int(store.spans[Int(span)].resource)].serviceName)
    }

    /// The index of the trace whose id is, or starts with, the given hex text.
    public func trace(matching idPrefix: String) -> Int? {
        let p = idPrefix.lowercased()
        return forest.traces.firstIndex { $0.traceID.hex.hasPrefix(p) }
    }

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

    /// For a span whose call (same response id) is counted in an earlier trace: that trace's id.
    public func traceCountingElsewhere(span: Int32) -> TraceID? {
        guard let call = calls.group(of: span), call.counted < 0 else { return nil }
        return forest.traces[Int(forest.traceOf[Int(call.countedElsewhere)])].traceID
    }
}
