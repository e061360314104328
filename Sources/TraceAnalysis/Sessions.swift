import TraceModel

/// One turn of a conversation: a trace and what it cost. What the user asked is
/// `Analysis.runInput(ofTrace:in:)` of the turn's trace, read where it is shown: for a session list of
/// 41,000 traces, reading every trace's prompt was most of the time `C` took.
public struct SessionTurn: Sendable, Equatable {
    public let trace: Int
    public let totals: Totals
    /// The largest input of one model call in the turn: the size of the context sent, which grows
    /// turn after turn as the history is sent again (a turn of several calls adds up more).
    public let contextTokens: Int64
    public let start: Int64
    public let durationNanos: Int64

    /// The share of the turn's input tokens read from the provider's cache, 0–1; nil without input.
    public var cachedShare: Double? {
        totals.inputTokens > 0 ? Double(totals.cachedInputTokens) / Double(totals.inputTokens) : nil
    }
}

/// Traces grouped by the conversation they belong to (`Conventions.sessionKeys`), turns in start order.
public struct Session: Sendable, Equatable {
    public let id: String
    public let turns: [SessionTurn]
    /// The turns' totals added up.
    public let totals: Totals
    public let start: Int64
    public let end: Int64
    public var durationNanos: Int64 { max(0, end - start) }
}

extension Analysis {
    /// Every conversation in the data, in the order of their first turn; traces without a session id
    /// are in none.
    public func sessions(in store: SpanStore) -> [Session] {
        var byID: [String: [Int]] = [:]
        var order: [String] = []
        for t in forest.traces.indices {
            guard let id = session(ofTrace: t, in: store) else { continue }
            if byID[id] == nil { order.append(id) }
            byID[id, default: []].append(t)
        }
        var sessions: [Session] = []
        for id in order {
            let traces = byID[id] ?? []
            var turns: [SessionTurn] = []
            var totals = Totals()
            var end: Int64 = .min
            for t in traces {
                let trace = forest.traces[t]
                var context: Int64 = 0
                for s in trace.spans where counted[Int(s)] { context = max(context, callFacts(of: s).allInputTokens) }
                turns.append(
                    SessionTurn(
                        trace: t, totals: traceTotals[t], contextTokens: context, start: trace.start,
                        durationNanos: trace.durationNanos))
                totals.add(traceTotals[t])
                end = max(end, trace.end)
            }
            turns.sort { $0.start != $1.start ? $0.start < $1.start : $0.trace < $1.trace }
            sessions.append(Session(id: id, turns: turns, totals: totals, start: turns[0].start, end: end))
        }
        sessions.sort { $0.start != $1.start ? $0.start < $1.start : $0.id < $1.id }
        return sessions
    }
}
