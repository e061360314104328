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

    /// For a span whose call (same response id) is counted in an earlier trace: that trace's id.
    public func traceCountingElsewhere(span: Int32) -> TraceID? {
        guard let call = calls.group(of: span), call.counted < 0 else { return nil }
        return forest.traces[Int(forest.traceOf[Int(call.countedElsewhere)])].traceID
    }
}
