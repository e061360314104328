import TraceModel

extension Analysis {
    /// The spans that make up trace `t`'s end-to-end latency, in walking order (root first): from the
    /// end of the root, the child that finished last before that moment is on the path, then, from
    /// that child's start, the one that finished last before it, and so on; each chosen child is
    /// walked the same way. Children are cut to their parent's end, so work left running after its
    /// parent returned does not count. The time between chosen children is the parent's own.
    /// O(n log n) in the spans of the trace; no recursion, so any depth is safe.
    public func criticalPath(ofTrace t: Int, in store: SpanStore) -> [Int32] {
        let trace = forest.traces[t]
        let spans = store.spans
        // The true root, or the root that ends last when the trace's root is missing.
        let root =
            trace.roots.max { spans[Int($0)].endNanos < spans[Int($1)].endNanos } ?? trace.rootSpan
        var path: [Int32] = []
        var work: [(span: Int32, end: Int64)] = [(root, spans[Int(root)].endNanos)]
        while let (s, end) = work.popLast() {
            path.append(s)
            let start = spans[Int(s)].startNanos
            // Latest end first; each child is looked at once.
            let children = forest.children(of: s).sorted { spans[Int($0)].endNanos > spans[Int($1)].endNanos }
            var cursor = end
            var chosen: [(span: Int32, end: Int64)] = []
            for c in children where cursor > start {
                let child = spans[Int(c)]
                guard child.startNanos < cursor else { continue }
                chosen.append((c, min(child.endNanos, cursor)))
                cursor = child.startNanos
            }
            // Walked in time order once popped: the latest child goes on the stack first.
            work.append(contentsOf: chosen)
        }
        return path
    }

    /// The spans of trace `t` with the most time of their own (not covered by children), longest
    /// first, at most `limit`.
    public func topSelfTime(ofTrace t: Int, limit: Int) -> [Int32] {
        top(forest.traces[t].spans, limit) { selfNanos[Int($0)] > 0 ? Double(selfNanos[Int($0)]) : nil }
    }

    /// The spans of trace `t` that count the most expensive model calls, at most `limit`.
    public func topCost(ofTrace t: Int, limit: Int) -> [Int32] {
        top(forest.traces[t].spans, limit) { counted[Int($0)] && costs[Int($0)].usd > 0 ? costs[Int($0)].usd : nil }
    }

    private func top(_ spans: [Int32], _ limit: Int, _ key: (Int32) -> Double?) -> [Int32] {
        spans.compactMap { s in key(s).map { (s, $0) } }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .prefix(limit).map(\.0)
    }
}
