import TraceModel

/// A figure of the dashboard that has traces behind it.
public enum DashboardTarget: Sendable, Equatable, Hashable {
    /// The most expensive traces of a model (by that model's cost in each trace).
    case model(String)
    /// The most expensive traces of a feature.
    case feature(String)
    case rateLimits
    case finish(FinishCategory)
    case erroredCalls
    case retries
    /// Calls whose reported cost differs from the list price by more than 5 %.
    case costMismatches
    /// The slowest calls of a model.
    case slowest(String)

    public var title: String {
        switch self {
        case .model(let m): return "most expensive traces of model \(m)"
        case .feature(let f): return "most expensive traces of feature \(f)"
        case .rateLimits: return "traces with rate-limit events"
        case .finish(.length): return "truncated answers (finish reason length)"
        case .finish(let c): return "answers with finish reason \(c.rawValue)"
        case .erroredCalls: return "traces with failed LLM calls"
        case .retries: return "traces with retried LLM calls"
        case .costMismatches: return "calls whose reported cost differs from list price by > 5 %"
        case .slowest(let m): return "slowest calls of model \(m)"
        }
    }
}

/// The traces behind a figure, in the order that answers its question, and the spans that put each
/// trace there (to select in the tree).
public struct TraceSelection: Sendable, Equatable {
    public var title: String
    public var traces: [Int]
    public var spans: [Int32]
}

extension DashboardData {
    /// The traces behind `target` among the calls and events that pass `filter` at `now`.
    public func traces(
        behind target: DashboardTarget, store: SpanStore, filter: DashboardFilter, now nowOrNil: Int64? = nil
    ) -> TraceSelection {
        let now = nowOrNil ?? newestEnd
        let all = TimeWindow(start: min(oldestStart, now) - 1, end: now)
        let range = filter.range.nanos.map { TimeWindow(last: $0, endingAt: now) } ?? all
        let rf = ResolvedFilter(filter, strings: store.strings, window: range)
        func id(_ name: String) -> StrID? { name == "(no model)" || name == "(none)" ? 0 : store.strings.lookup(name) }

        /// The traces of the passing calls that are `chosen`, ordered by a score of their calls, largest
        /// first. One pass over the calls, scores in an array by trace: Enter on a figure is a key.
        func ranked(
            _ chosen: (DashboardCall) -> Bool, score: (DashboardCall) -> Double,
            combine: (Double, Double) -> Double
        ) -> TraceSelection {
            var scores = [Double?](repeating: nil, count: traceModels.count)
            var traces: [Int] = []
            var spans: [Int32] = []
            for c in calls where rf.call(c) && chosen(c) {
                let t = Int(c.trace)
                if let s = scores[t] {
                    scores[t] = combine(s, score(c))
                } else {
                    scores[t] = score(c)
                    traces.append(t)
                }
                spans.append(c.span)
            }
            traces.sort { (scores[$0]!, $1) > (scores[$1]!, $0) }
            return TraceSelection(title: target.title, traces: traces, spans: spans)
        }

        switch target {
        case .model(let m):
            let wanted = id(m)
            return ranked({ $0.model == wanted }, score: { $0.costUSD ?? 0 }, combine: +)
        case .feature(let f):
            let wanted = id(f)
            return ranked({ $0.feature == wanted }, score: { $0.costUSD ?? 0 }, combine: +)
        case .slowest(let m):
            let wanted = id(m)
            return ranked({ $0.model == wanted }, score: { Double($0.latencyNanos) }, combine: max)
        case .finish(let c):
            return ranked({ $0.finish == c }, score: { Double($0.end) }, combine: max)
        case .erroredCalls:
            return ranked(\.isError, score: { Double($0.end) }, combine: max)
        case .retries:
            return ranked(\.retried, score: { Double($0.end) }, combine: max)
        case .costMismatches:
            return ranked(\.costMismatch, score: { Double($0.end) }, combine: max)
        case .rateLimits:
            let events = rateLimits.filter {
                rf.record(
                    time: $0.end, service: $0.service, feature: $0.feature, model: $0.model, trace: $0.trace, data: self
                )
            }
            var traces: [Int] = []
            var seen = Set<Int32>()
            for e in events.reversed() where seen.insert(e.trace).inserted { traces.append(Int(e.trace)) }
            return TraceSelection(title: target.title, traces: traces, spans: events.map(\.span))
        }
    }

    /// The traces that hold at least one span passing the filter, for the trace list. Without a
    /// filter, every trace.
    public func traces(
        passing filter: DashboardFilter, store: SpanStore, analysis: Analysis, now nowOrNil: Int64? = nil
    ) -> Set<Int> {
        let now = nowOrNil ?? newestEnd
        let all = TimeWindow(start: min(oldestStart, now) - 1, end: now)
        let range = filter.range.nanos.map { TimeWindow(last: $0, endingAt: now) } ?? all
        let rf = ResolvedFilter(filter, strings: store.strings, window: range)
        var out = Set<Int>()
        // A trace found is skipped by an array lookup, not a hash, for each of its other spans.
        var found = [Bool](repeating: false, count: traceModels.count)
        if filter.model != nil {
            // A model narrows to traces holding a passing call of that model.
            for c in calls where !found[Int(c.trace)] && rf.call(c) {
                found[Int(c.trace)] = true
                out.insert(Int(c.trace))
            }
            return out
        }
        for (i, span) in store.spans.enumerated() {
            let t = Int(analysis.forest.traceOf[i])
            if found[t] { continue }
            let svc = store.resources.isEmpty ? 0 : store.resources[Int(span.resource)].serviceName
            if rf.record(
                time: span.endNanos, service: svc, feature: featureOf[i], model: analysis.facts[i].model,
                trace: Int32(t), data: self)
            {
                found[t] = true
                out.insert(t)
            }
        }
        return out
    }

    /// The distinct values a filter can take, most frequent first (by LLM calls).
    public func filterValues(store: SpanStore) -> (models: [String], features: [String], services: [String]) {
        func ranked(_ key: (DashboardCall) -> StrID) -> [String] {
            var counts: [StrID: Int] = [:]
            for c in calls where key(c) != 0 { counts[key(c), default: 0] += 1 }
            return counts.map { (store.string($0.key), $0.value) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.map(\.0)
        }
        var services = ranked(\.service)
        for r in store.resources where r.serviceName != 0 {
            let s = store.string(r.serviceName)
            if !services.contains(s) { services.append(s) }
        }
        return (ranked(\.model), ranked(\.feature), services)
    }
}
