import TraceModel
import TraceText

/// `tracetui search`: the traces a store found, as JSON (`--json`) or as an aligned table.
public enum SearchReport {
    /// `{"traces":[{"traceId","rootService","rootName","startTime","durationMs","matchedSpans"}],"warnings":[…]}`;
    /// `matchedSpans` is null when the store does not say (a Tempo search without span sets).
    public static func json(_ traces: [TraceSummary], warnings: [String]) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("traces")
        for t in traces {
            w.beginObject()
            w.field("traceId", t.traceID.hex)
            w.field("rootService", t.rootService)
            w.field("rootName", t.rootName)
            w.field("startTime", Format.timestamp(t.startNanos))
            w.field("durationMs", JSONReport.milliseconds(t.durationNanos))
            w.field("matchedSpans", t.matchedSpans.map(Int64.init))
            w.endObject()
        }
        w.endArray()
        w.endDocument(warnings: warnings)
        return w.text
    }

    /// One line per trace under a header; the root span's name takes what the other columns leave.
    public static func table(_ traces: [TraceSummary], width: Int) -> String {
        let fixed = 19 + 1 + 8 + 1 + 7 + 1 + 16 + 1 + 32 + 1
        let nameWidth = max(16, width - fixed)
        var lines = [
            [
                fit("START (UTC)", 19), fit("DURATION", 8, right: true), fit("MATCHED", 7, right: true),
                fit("SERVICE", 16), fit("ROOT SPAN", nameWidth), "TRACE ID",
            ].joined(separator: " ")
        ]
        for t in traces {
            lines.append(
                [
                    Format.timestamp(t.startNanos), fit(Format.duration(t.durationNanos), 8, right: true),
                    fit(t.matchedSpans.map(String.init) ?? "-", 7, right: true),
                    fit(Format.sanitize(t.rootService), 16),
                    fit(Format.sanitize(t.rootName), nameWidth), t.traceID.hex,
                ].joined(separator: " "))
        }
        if traces.isEmpty { lines.append("no traces found") }
        return lines.map { $0.trimmingTrailingSpaces }.joined(separator: "\n")
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
