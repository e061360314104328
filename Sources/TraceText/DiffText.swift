import TraceAnalysis

/// The texts of a diff that the TUI and `diff --plain` share: signed deltas, markers, what changed.
public enum DiffText {
    /// `+` added, `-` removed, `~` changed, a space for the same span.
    public static func marker(_ status: DiffStatus) -> String {
        switch status {
        case .same: return " "
        case .changed: return "~"
        case .added: return "+"
        case .removed: return "-"
        }
    }

    /// `+75.0ms`, `-2.40ms`, `0`.
    public static func duration(_ nanos: Int64) -> String {
        nanos == 0 ? "0" : (nanos > 0 ? "+" : "-") + Format.duration(abs(nanos))
    }

    /// `+1.0k`, `-400`, `0`.
    public static func tokens(_ n: Int64) -> String { n == 0 ? "0" : (n > 0 ? "+" : "-") + Format.tokens(abs(n)) }

    /// Input and output deltas as `+1.0k/0`; empty when both are 0.
    public static func tokenPair(_ input: Int64, _ output: Int64) -> String {
        input == 0 && output == 0 ? "" : tokens(input) + "/" + tokens(output)
    }

    /// `+$0.0035`, `-$0.00039`, `$0`; `?` when the only cost involved is unknown, `-$0.0035+?` when
    /// the difference of the known costs leaves out calls of unknown cost.
    public static func cost(_ delta: DiffDelta) -> String {
        let rounded = (delta.costUSD * 1e10).rounded() / 1e10  // the difference of two equal sums is not always 0
        if rounded == 0 && !delta.costComplete { return "?" }
        let known = rounded == 0 ? "$0" : (rounded > 0 ? "+" : "-") + Format.cost(abs(rounded))
        return known + (delta.costComplete ? "" : "+?")
    }

    /// The cost cell of a row: empty when nothing changed.
    public static func rowCost(_ delta: DiffDelta) -> String {
        delta.costComplete && (delta.costUSD * 1e10).rounded() == 0 ? "" : cost(delta)
    }

    /// The tokens a span counts (its call's), empty when it counts none.
    public static func tokens(of span: DiffSpan) -> String {
        span.llmCalls == 0 ? "" : Format.tokenPair(span.inputTokens, span.outputTokens)
    }

    /// The cost of the call a span counts, `?` when unknown, empty when it counts none.
    public static func cost(of span: DiffSpan) -> String {
        span.llmCalls == 0 ? "" : span.costUSD.map { Format.cost($0) } ?? "?"
    }

    /// `claude-sonnet-4→gpt-4o, stop→length, ok→error` for a matched pair (what differs of model,
    /// finish reason and status); for a span of one side, its model and `error` when it failed.
    public static func changes(_ row: DiffRow, arrow: String = "→") -> String {
        guard let a = row.a, let b = row.b else {
            let span = row.shown
            return [span.model, span.status == "error" ? "error" : ""].filter { !$0.isEmpty }.joined(separator: " ")
        }
        func change(_ x: String, _ y: String) -> String { (x.isEmpty ? "-" : x) + arrow + (y.isEmpty ? "-" : y) }
        var parts: [String] = []
        if row.modelChanged { parts.append(change(a.model, b.model)) }
        if row.finishChanged { parts.append(change(a.finishReason, b.finishReason)) }
        if row.statusChanged { parts.append(change(a.status, b.status)) }
        return Format.sanitize(parts.joined(separator: ", "))
    }
}
