import TraceAnalysis
import TraceModel
import TraceText

/// `tracetui view --plain`: the trace list and the trees as aligned text, same columns as the TUI.
public enum PlainReport {
    public static let listHeader = [
        "TRACE", "ROOT", "SERVICE", "START (UTC)", "DURATION", "SPANS", "LLM", "TOKENS IN/OUT", "COST", "ERR",
    ]

    /// `matchCounts` (`view --filter`): a last column with how many spans of each trace match.
    public static func traceList(
        store: SpanStore, analysis a: Analysis, traces: [Int], matchCounts: [Int: Int]? = nil
    ) -> String {
        var rows = [listHeader + (matchCounts == nil ? [] : ["MATCH"])]
        for t in traces {
            let trace = a.forest.traces[t]
            let totals = a.traceTotals[t]
            rows.append(
                [
                    String(trace.traceID.hex.prefix(8)), Format.sanitize(a.rootName(of: t, in: store)),
                    Format.sanitize(a.service(of: t, in: store)),
                    Format.timestamp(trace.start), Format.duration(trace.durationNanos), String(totals.spans),
                    String(totals.llmCalls), Format.tokenPair(totals.inputTokens, totals.outputTokens),
                    Format.cost(totals), String(totals.errors),
                ] + (matchCounts.map { [String($0[t] ?? 0)] } ?? []))
        }
        return table(rows, rightAligned: [4, 5, 6, 7, 8, 9, 10])
    }

    public static let treeHeader = ["SPAN", "KIND", "DURATION", "TOKENS IN/OUT", "COST", "STATUS"]

    /// Rows are indented two spaces per level up to this depth; deeper rows show their depth as a
    /// number instead, so a very deep chain gives output linear in its size, not quadratic.
    public static let maxIndentDepth = 24

    /// The indentation of a row at `depth`: two spaces a level, then `[depth N] ` past the cap.
    static func indent(depth: Int) -> String {
        let spaces = String(repeating: "  ", count: min(depth, maxIndentDepth))
        return depth > maxIndentDepth ? spaces + "[depth \(depth)] " : spaces
    }

    /// One trace as an indented tree (two spaces per level, up to `maxIndentDepth`), each row with its
    /// own figures. With `filter` (`view --filter`), only the matching spans and their ancestors,
    /// the matches marked `*`.
    public static func tree(store: SpanStore, analysis a: Analysis, trace t: Int, filter: SpanFilter? = nil) -> String {
        let trace = a.forest.traces[t]
        let totals = a.traceTotals[t]
        let out =
            "trace \(trace.traceID.hex)  \(Format.sanitize(a.service(of: t, in: store)))  \(Format.timestamp(trace.start)) UTC  "
            + "\(totals.spans) spans, \(totals.llmCalls) LLM calls, "
            + (totals.callsCountedElsewhere > 0
                ? "\(totals.callsCountedElsewhere) more counted in an earlier trace, " : "")
            + "\(Format.cost(totals))\n"
        var rows = [treeHeader]
        let filtered = filter?.matchesWithAncestors(inTrace: t, store: store, analysis: a)
        let matches = filtered?.matches
        var stack = Array(trace.roots.reversed())
        while let s = stack.popLast() {
            if let filtered, !filtered.shown.contains(s) { continue }
            let span = store.spans[Int(s)]
            let own = a.selfTotals[Int(s)]
            var marks = ""
            let flags = a.forest.flags[Int(s)]
            if flags.contains(.orphan) { marks += " [orphan]" }
            if flags.contains(.cycle) { marks += " [cycle cut]" }
            if flags.contains(.duplicateID) { marks += " [duplicate id]" }
            if let other = a.traceCountingElsewhere(span: s) {
                marks += " [counted in trace " + other.hex.prefix(8) + "]"
            }
            let mark = matches.map { $0.contains(s) ? "* " : "  " } ?? ""
            rows.append([
                mark + indent(depth: Int(a.forest.depth[Int(s)])) + Format.sanitize(store.string(span.name)) + marks,
                a.facts[Int(s)].role.name,
                Format.duration(span.durationNanos), Format.tokenPair(own.inputTokens, own.outputTokens),
                a.ownCostLabel(of: s) ?? "-", a.isError[Int(s)] ? "error" : span.status.name,
            ])
            stack.append(contentsOf: a.forest.children(of: s).reversed())
        }
        return out + table(rows, rightAligned: [2, 3, 4])
    }

    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        var widths = [Int](repeating: 0, count: rows.first?.count ?? 0)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], displayWidth(c)) } }
        var out = ""
        for r in rows {
            var line = ""
            for (i, c) in r.enumerated() {
                let last = i == r.count - 1 && !rightAligned.contains(i)
                line += (i > 0 ? "  " : "") + (last ? c : fit(c, widths[i], right: rightAligned.contains(i)))
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
