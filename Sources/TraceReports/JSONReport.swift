import TraceAnalysis
import TraceModel
import TraceText

/// `tracetui view --json`: every trace with its totals and its span tree (schema in the README).
public enum JSONReport {
    /// With `filter` (`view --filter`), each trace says how many of its spans match and each
    /// matching span carries `"match": true`.
    public static func render(
        store: SpanStore, analysis a: Analysis, traces: [Int], filter: SpanFilter? = nil, warnings: [String]
    ) -> String {
        var w = JSONWriter()
        write(&w, store: store, analysis: a, traces: traces, filter: filter, warnings: warnings)
        return w.text
    }

    /// The same text handed to `output` a megabyte at a time, never held whole (a deep chain's
    /// output is hundreds of megabytes).
    public static func write(
        store: SpanStore, analysis a: Analysis, traces: [Int], filter: SpanFilter? = nil, warnings: [String],
        to output: @escaping (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var w = JSONWriter(output: output)
        write(&w, store: store, analysis: a, traces: traces, filter: filter, warnings: warnings)
        w.flush()
    }

    private static func write(
        _ w: inout JSONWriter, store: SpanStore, analysis a: Analysis, traces: [Int], filter: SpanFilter?,
        warnings: [String]
    ) {
        w.beginObject()
        w.beginArray("traces")
        for t in traces {
            w.beginObject()
            writeTraceFields(&w, store: store, analysis: a, trace: t)
            let matches = filter.map { Set($0.matches(inTrace: t, store: store, analysis: a)) }
            if let matches { w.field("matchedSpans", matches.count) }
            w.beginArray("spans")
            var timestamps = TimestampMemo()
            for root in a.forest.traces[t].roots {
                writeTree(&w, root: root, store: store, analysis: a, matches: matches, timestamps: &timestamps)
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endDocument(warnings: warnings)
    }

    /// A trace's id, root, service, start, duration and totals: the fields a trace of `view --json`
    /// and each side of `diff --json` begin with.
    static func writeTraceFields(_ w: inout JSONWriter, store: SpanStore, analysis a: Analysis, trace t: Int) {
        let trace = a.forest.traces[t]
        let totals = a.traceTotals[t]
        w.field("traceId", trace.traceID.hex)
        w.field("rootName", a.rootName(of: t, in: store))
        w.field("service", a.service(of: t, in: store))
        w.field("startTime", Format.timestamp(trace.start))
        w.field("spanCount", totals.spans)
        w.field("durationMs", milliseconds(trace.durationNanos))
        writeTotals(&w, totals, spanCount: false)
    }

    /// The fields of a `Totals`, as every report writes them.
    static func writeTotals(_ w: inout JSONWriter, _ t: Totals, spanCount: Bool) {
        if spanCount { w.field("spanCount", t.spans) }
        w.field("llmCalls", t.llmCalls)
        w.field("inputTokens", t.inputTokens)
        w.field("outputTokens", t.outputTokens)
        w.field("cachedInputTokens", t.cachedInputTokens)
        w.field("costUSD", t.costUSD)
        w.field("costComplete", t.costComplete)
        w.field("errorCount", t.errors)
        w.field("costMismatches", Int(t.costMismatches))
        w.field("callsCountedElsewhere", Int(t.callsCountedElsewhere))
    }

    /// Writes a subtree depth-first without recursion, so a very deep chain cannot overflow the stack.
    private static func writeTree(
        _ w: inout JSONWriter, root: Int32, store: SpanStore, analysis a: Analysis, matches: Set<Int32>?,
        timestamps: inout TimestampMemo
    ) {
        var stack: [(span: Int32, next: Int)] = [(root, -1)]
        while !stack.isEmpty {
            let (s, next) = stack[stack.count - 1]
            let children = a.forest.children(of: s)
            if next == -1 {
                writeSpanFields(&w, span: s, store: store, analysis: a, timestamps: &timestamps)
                if matches?.contains(s) == true { w.field("match", true) }
                w.beginArray("children")
                stack[stack.count - 1].next = 0
                continue
            }
            if next < children.count {
                stack[stack.count - 1].next = next + 1
                stack.append((children[children.startIndex + next], -1))
            } else {
                w.endArray()
                w.endObject()
                stack.removeLast()
            }
        }
    }

    private static func writeSpanFields(
        _ w: inout JSONWriter, span s: Int32, store: SpanStore, analysis a: Analysis, timestamps: inout TimestampMemo
    ) {
        let span = store.spans[Int(s)]
        // The span that counts a call shows the call's merged facts: these spans add up to the totals.
        let f = a.counted[Int(s)] ? a.callFacts(of: s) : a.facts[Int(s)]
        let cost = a.costs[Int(s)]
        let flags = a.forest.flags[Int(s)]
        w.beginObject()
        w.field("spanId", spanID: span.spanID)
        w.field("parentSpanId", spanID: span.parentSpanID == 0 ? nil : span.parentSpanID)
        w.field("name", store.string(span.name))
        w.field("kind", a.facts[Int(s)].role.name)
        w.field("spanKind", span.kind.name)
        w.field("service", a.service(ofSpan: s, in: store))
        w.field("startTime", timestamps.text(span.startNanos))
        w.field("durationMs", milliseconds(span.durationNanos))
        w.field("model", f.model == 0 ? nil : store.string(f.model))
        w.field("inputTokens", f.inputTokens >= 0 ? f.allInputTokens : nil)
        w.field("outputTokens", f.outputTokens >= 0 ? f.outputTokens : nil)
        w.field("cachedInputTokens", f.cacheReadTokens >= 0 ? f.cacheReadTokens : nil)
        w.field("costUSD", cost.source == .reported || cost.source == .computed ? cost.usd : nil)
        w.field("costSource", cost.source == .none ? nil : cost.source.name)
        w.field("countedCall", a.counted[Int(s)])
        writeCallFields(&w, span: s, store: store, analysis: a)
        w.field("finishReason", f.finishReason == 0 ? nil : store.string(f.finishReason))
        w.field("status", a.isError[Int(s)] ? "error" : span.status.name)
        if flags.contains(.orphan) { w.field("orphan", true) }
        if flags.contains(.cycle) { w.field("cycleCut", true) }
        if flags.contains(.duplicateID) { w.field("duplicateId", true) }
        w.beginObject("subtree")
        w.field("durationMs", milliseconds(max(0, a.subtreeEnd[Int(s)] - a.subtreeStart[Int(s)])))
        w.field("selfMs", milliseconds(a.selfNanos[Int(s)]))
        writeTotals(&w, a.subtree[Int(s)], spanCount: true)
        w.endObject()
    }

    /// The call a span belongs to: `callGroup` (the id of the span that counts it) on every member,
    /// `countedInTrace` when that span is in an earlier trace, `rollup` on a wrapper of several calls;
    /// on the counting span the members, where each fact came from, disagreements and `costMismatch`.
    private static func writeCallFields(_ w: inout JSONWriter, span s: Int32, store: SpanStore, analysis a: Analysis) {
        let g = Int(a.calls.groupOf[Int(s)])
        guard g >= 0 else {
            if a.facts[Int(s)].role.isModelCall { w.field("rollup", true) }
            return
        }
        let call = a.calls.groups[g]
        let counter = call.counted >= 0 ? call.counted : call.countedElsewhere
        w.field("callGroup", spanID: store.spans[Int(counter)].spanID)
        if call.counted < 0 {
            w.field("countedInTrace", a.forest.traces[Int(a.forest.traceOf[Int(counter)])].traceID.hex)
        }
        guard call.counted == s else { return }
        if call.costMismatch {
            w.beginObject("costMismatch")
            w.field("reportedUSD", call.cost.usd)
            w.field("listUSD", call.listCostUSD)
            w.field(
                "differencePercent",
                call.listCostUSD > 0 ? (call.cost.usd - call.listCostUSD) / call.listCostUSD * 100 : nil)
            w.endObject()
        }
        guard call.memberCount > 1 else { return }
        let provenance = a.provenance(ofGroup: g, in: store)
        func id(_ span: Int32) -> String { spanIDHex(store.spans[Int(span)].spanID) }
        w.beginObject("call")
        w.beginArray("spans")
        for m in a.calls.members(of: g) { w.element(spanID: store.spans[Int(m)].spanID) }
        w.endArray()
        w.beginObject("sources")
        for source in provenance.sources {
            w.beginObject(source.fact.jsonName)
            w.field("spanId", id(source.span))
            w.field("key", source.key)
            w.endObject()
        }
        w.endObject()
        w.beginArray("disagreements")
        for d in provenance.disagreements {
            w.beginObject()
            w.field("fact", d.fact.jsonName)
            w.beginArray("values")
            for m in d.spans {
                w.beginObject()
                w.field("spanId", id(m))
                w.field("value", factText(d.fact, a.facts[Int(m)], store, inputWithCache: true) ?? "")
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    static func milliseconds(_ nanos: Int64) -> Double { Double(nanos) / 1e6 }
}

/// `Format.timestamp` of the last second asked for, kept: the spans of a trace mostly start within
/// the same few seconds, and each new text costs a dozen small strings.
private struct TimestampMemo {
    private var second = Int64.min
    private var last = ""

    mutating func text(_ nanos: Int64) -> String {
        // `Format.timestamp` reads whole seconds only, truncated like this.
        let second = nanos / 1_000_000_000
        if second != self.second {
            self.second = second
            last = Format.timestamp(nanos)
        }
        return last
    }
}
