import TraceAnalysis
import TraceModel
import TraceText

/// `tracetui diff --plain` and `--json`: the merged tree of two runs with the deltas of each span,
/// then the totals of both sides.
public enum DiffReport {
    /// Each row's path: the names from the root down, joined by " / ".
    public static func paths(_ diff: TraceDiff) -> [String] {
        var paths: [String] = []
        paths.reserveCapacity(diff.rows.count)
        for row in diff.rows {
            let name = row.shown.name
            paths.append(row.parent >= 0 ? paths[row.parent] + " / " + name : name)
        }
        return paths
    }

    /// The file a side's trace came from (the file of its root span).
    public static func file(of side: TraceSide) -> String {
        let root = side.store.spans[Int(side.analysis.forest.traces[side.trace].rootSpan)]
        return side.store.sources.indices.contains(Int(root.source)) ? side.store.sources[Int(root.source)] : ""
    }

    public static let plainHeader = [
        "SPAN", "DURATION A", "DURATION B", "ΔDURATION", "TOKENS A", "TOKENS B", "ΔTOKENS", "COST A", "COST B",
        "ΔCOST", "CHANGES",
    ]

    /// The sides, the merged tree (marker, indented name, each side's figures, the deltas, what changed)
    /// and the totals.
    public static func plain(_ diff: TraceDiff, a: TraceSide, b: TraceSide) -> String {
        var out = "diff \(diff.traceA.hex.prefix(8)) → \(diff.traceB.hex.prefix(8))\n"
        out += sideLine("A", a) + sideLine("B", b)
        out += "+ added  - removed  ~ changed\n\n"
        var rows = [plainHeader]
        for row in diff.rows {
            let name = PlainReport.indent(depth: row.depth) + Format.sanitize(row.shown.name)
            rows.append([
                DiffText.marker(row.status) + " " + name,
                row.a.map { Format.duration($0.durationNanos) } ?? "",
                row.b.map { Format.duration($0.durationNanos) } ?? "",
                DiffText.duration(row.delta.durationNanos),
                row.a.map(DiffText.tokens(of:)) ?? "", row.b.map(DiffText.tokens(of:)) ?? "",
                DiffText.tokenPair(row.delta.inputTokens, row.delta.outputTokens),
                row.a.map(DiffText.cost(of:)) ?? "", row.b.map(DiffText.cost(of:)) ?? "",
                DiffText.rowCost(row.delta),
                DiffText.changes(row),
            ])
        }
        out += PlainReport.table(rows, rightAligned: [1, 2, 3, 4, 5, 6, 7, 8, 9]) + "\n"
        return out + totalsTable(diff)
    }

    private static func sideLine(_ label: String, _ side: TraceSide) -> String {
        let t = side.trace
        let a = side.analysis
        let file = file(of: side)
        return "\(label)  \(side.traceID.hex)  \(Format.sanitize(a.rootName(of: t, in: side.store)))"
            + (file.isEmpty ? "" : "  \(Format.sanitize(file))")
            + "  \(Format.timestamp(a.forest.traces[t].start)) UTC\n"
    }

    /// Duration, LLM calls, tokens, cost and errors of A and B with the difference, then the row counts.
    private static func totalsTable(_ diff: TraceDiff) -> String {
        let a = diff.totalsA
        let b = diff.totalsB
        let d = diff.totalsDelta
        let rows = [
            ["TOTALS", "A", "B", "Δ"],
            [
                "duration", Format.duration(diff.durationA), Format.duration(diff.durationB),
                DiffText.duration(d.durationNanos),
            ],
            ["spans", String(a.spans), String(b.spans), signed(b.spans - a.spans)],
            ["LLM calls", String(a.llmCalls), String(b.llmCalls), signed(d.llmCalls)],
            [
                "input tokens", Format.tokens(a.inputTokens), Format.tokens(b.inputTokens),
                DiffText.tokens(d.inputTokens),
            ],
            [
                "output tokens", Format.tokens(a.outputTokens), Format.tokens(b.outputTokens),
                DiffText.tokens(d.outputTokens),
            ],
            ["cost", Format.cost(a), Format.cost(b), DiffText.cost(d)],
            ["errors", String(a.errors), String(b.errors), signed(d.errors)],
        ]
        let counts = DiffStatus.allCases.map { "\(diff.count($0)) \($0.name)" }.joined(separator: ", ")
        return PlainReport.table(rows, rightAligned: [1, 2, 3]) + "\nspans: " + counts + "\n"
    }

    private static func signed(_ n: Int) -> String { n > 0 ? "+\(n)" : String(n) }

    /// The diff as JSON (schema in the README): both sides, every row with its path, status, both
    /// spans and the deltas, the totals and the warnings.
    public static func json(_ diff: TraceDiff, a: TraceSide, b: TraceSide, warnings: [String]) -> String {
        var w = JSONWriter()
        w.beginObject()
        writeSide(&w, "a", a)
        writeSide(&w, "b", b)
        w.beginArray("spans")
        let paths = paths(diff)
        for (row, path) in zip(diff.rows, paths) {
            w.beginObject()
            w.field("path", path)
            w.field("status", row.status.name)
            writeSpan(&w, "a", row.a, a)
            writeSpan(&w, "b", row.b, b)
            w.beginObject("delta")
            writeDelta(&w, row.delta)
            writeChange(&w, "model", row.modelChanged, row.a?.model, row.b?.model)
            writeChange(&w, "finishReason", row.finishChanged, row.a?.finishReason, row.b?.finishReason)
            writeChange(&w, "status", row.statusChanged, row.a?.status, row.b?.status)
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.beginObject("totals")
        for status in DiffStatus.allCases { w.field(status.name, diff.count(status)) }
        w.beginObject("delta")
        w.field("spanCount", diff.totalsB.spans - diff.totalsA.spans)
        writeDelta(&w, diff.totalsDelta)
        w.endObject()
        w.endObject()
        w.endDocument(warnings: warnings)
        return w.text
    }

    /// A side: its trace's fields as `view --json` writes them, and the file it came from.
    private static func writeSide(_ w: inout JSONWriter, _ key: String, _ side: TraceSide) {
        w.beginObject(key)
        JSONReport.writeTraceFields(&w, store: side.store, analysis: side.analysis, trace: side.trace)
        w.field("file", file(of: side))
        w.endObject()
    }

    private static func writeSpan(_ w: inout JSONWriter, _ key: String, _ span: DiffSpan?, _ side: TraceSide) {
        guard let span else {
            w.field(key, nil as String?)
            return
        }
        w.beginObject(key)
        w.field("spanId", spanIDHex(side.store.spans[Int(span.span)].spanID))
        w.field("name", span.name)
        w.field("kind", span.role.name)
        w.field("durationMs", JSONReport.milliseconds(span.durationNanos))
        w.field("model", span.model.isEmpty ? nil : span.model)
        w.field("llmCalls", span.llmCalls)
        w.field("inputTokens", span.inputTokens)
        w.field("outputTokens", span.outputTokens)
        w.field("costUSD", span.costUSD)
        w.field("finishReason", span.finishReason.isEmpty ? nil : span.finishReason)
        w.field("status", span.status)
        w.endObject()
    }

    private static func writeDelta(_ w: inout JSONWriter, _ d: DiffDelta) {
        w.field("durationMs", JSONReport.milliseconds(d.durationNanos))
        w.field("llmCalls", d.llmCalls)
        w.field("inputTokens", d.inputTokens)
        w.field("outputTokens", d.outputTokens)
        w.field("costUSD", d.costUSD)
        w.field("costComplete", d.costComplete)
        w.field("errorCount", d.errors)
    }

    /// `{"a": …, "b": …}` when the value differs between the sides, else null.
    private static func writeChange(_ w: inout JSONWriter, _ key: String, _ changed: Bool, _ a: String?, _ b: String?) {
        guard changed else {
            w.field(key, nil as String?)
            return
        }
        w.beginObject(key)
        w.field("a", a?.isEmpty == false ? a : nil)
        w.field("b", b?.isEmpty == false ? b : nil)
        w.endObject()
    }
}
