import TraceAnalysis
import TraceModel
import TraceText

/// `tracetui view --sessions`: conversations and their turns, as text or JSON (schema in the README).
public enum SessionsReport {
    public static func json(_ sessions: [Session], store: SpanStore, analysis a: Analysis, warnings: [String])
        -> String
    {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("sessions")
        for session in sessions {
            w.beginObject()
            w.field("sessionId", session.id)
            w.field("startTime", Format.timestamp(session.start))
            w.field("durationMs", JSONReport.milliseconds(session.durationNanos))
            w.field("turnCount", session.turns.count)
            JSONReport.writeTotals(&w, session.totals, spanCount: false)
            w.beginArray("turns")
            for turn in session.turns {
                w.beginObject()
                w.field("traceId", a.forest.traces[turn.trace].traceID.hex)
                w.field("startTime", Format.timestamp(turn.start))
                w.field("durationMs", JSONReport.milliseconds(turn.durationNanos))
                w.field("input", a.runInput(ofTrace: turn.trace, in: store))
                JSONReport.writeTotals(&w, turn.totals, spanCount: false)
                w.field("cachedShare", turn.cachedShare)
                w.field("contextTokens", turn.contextTokens)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endDocument(warnings: warnings)
        return w.text
    }

    public static let turnHeader = [
        "TURN", "START (UTC)", "TRACE", "INPUT TOK", "CACHED", "LATENCY", "COST", "ERR", "INPUT",
    ]

    /// Each session's line, then one row per turn: the input tokens growing with the context, the
    /// cached share, latency, cost and the user's message cut to `inputWidth`.
    public static func text(_ sessions: [Session], store: SpanStore, analysis a: Analysis, inputWidth: Int = 60)
        -> String
    {
        if sessions.isEmpty {
            return "no sessions: no trace carries \(Conventions.sessionKeys.joined(separator: ", "))\n"
        }
        var out = ""
        for session in sessions {
            let t = session.totals
            out +=
                "session \(Format.sanitize(session.id))  \(session.turns.count) turns  \(Format.timestamp(session.start)) UTC  "
                + "\(Format.duration(session.durationNanos))  \(t.llmCalls) LLM calls  "
                + "\(Format.tokenPair(t.inputTokens, t.outputTokens)) tok  \(Format.cost(t))  \(t.errors) errors\n"
            var rows = [turnHeader]
            for (i, turn) in session.turns.enumerated() {
                rows.append([
                    String(i + 1), String(Format.timestamp(turn.start).dropFirst(11)),
                    String(a.forest.traces[turn.trace].traceID.hex.prefix(8)), String(turn.totals.inputTokens),
                    turn.cachedShare.map(Format.wholePercent) ?? "-", Format.duration(turn.durationNanos),
                    Format.cost(turn.totals),
                    String(turn.totals.errors),
                    fit(Format.sanitize(a.runInput(ofTrace: turn.trace, in: store) ?? ""), inputWidth).trimmingTrailing,
                ])
            }
            out += PlainReport.table(rows, rightAligned: [0, 3, 4, 5, 6, 7]) + "\n"
        }
        return out
    }
}

extension String {
    fileprivate var trimmingTrailing: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
