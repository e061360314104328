import TraceAnalysis
import TraceModel
import TraceText

/// A line of the detail pane.
public struct DetailLine: Equatable, Sendable {
    public var text: String
    public var style: Style
    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// Everything about one span, as lines: identity and timing, LLM facts with the keys they came from,
/// the conversation, attributes, events (exceptions with stacks), links, resource and scope.
/// All span text is sanitized here, before it reaches a grid.
public func detailLines(span s: Int32, data: ViewData, glyphs: Glyphs) -> [DetailLine] {
    let store = data.store
    let span = store.spans[Int(s)]
    var w = DetailWriter(glyphs: glyphs)
    identityLines(&w, s, span, data)
    let a = data.analysis
    if a.forest.parent[Int(s)] < 0, a.forest.traces[Int(a.forest.traceOf[Int(s)])].spans.count > 1 {
        whereItGoesLines(&w, s, data)
    }
    factLines(&w, s, span, data)
    let group = data.analysis.calls.groupOf[Int(s)]
    if group >= 0 { w.out += callLines(group: Int(group), span: s, data: data, glyphs: glyphs) }
    conversationLines(&w, span, store)
    attributeAndEventLines(&w, span, store)
    linkLines(&w, span, store)
    resourceAndScopeLines(&w, span, store)
    return w.out
}

/// The detail lines being written, and the shapes they come in; every piece of span text is sanitized.
private struct DetailWriter {
    var out: [DetailLine] = []
    let glyphs: Glyphs

    static func clean(_ t: String) -> String { Format.sanitize(t) }

    mutating func section(_ title: String) {
        out.append(DetailLine(""))
        out.append(DetailLine(glyphs.separator + glyphs.separator + " " + title, Style(fg: .cyan, bold: true)))
    }

    mutating func row(_ label: String, _ value: String, _ source: String? = nil) {
        out.append(
            DetailLine(
                (label.isEmpty ? "  " : fit(label, 15)) + Self.clean(value)
                    + (source.map { "  (\($0))" } ?? "")))
    }

    /// Multi-line text (prompts, stacks) keeps its line breaks; each line is sanitized.
    mutating func block(_ text: String, indent: String = "  ") {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(400) {
            out.append(DetailLine(indent + Self.clean(String(line))))
        }
    }
}

/// On a root: the spans with the most time of their own and the most expensive calls of its trace,
/// with their share of the trace's duration and known cost.
private func whereItGoesLines(_ w: inout DetailWriter, _ s: Int32, _ data: ViewData) {
    let a = data.analysis
    let store = data.store
    let t = Int(a.forest.traceOf[Int(s)])
    let duration = max(1, a.forest.traces[t].durationNanos)
    let cost = a.traceTotals[t].costUSD
    func name(_ x: Int32) -> String {
        let model = a.facts[Int(x)].model
        return store.string(store.spans[Int(x)].name) + (model == 0 ? "" : " " + store.string(model))
    }
    func share(_ part: Double, of whole: Double) -> String {
        whole > 0 ? Format.wholePercent(part / whole) : ""
    }
    let slowest = a.topSelfTime(ofTrace: t, limit: 5)
    if !slowest.isEmpty {
        w.section("Most time of their own")
        for x in slowest {
            let own = a.selfNanos[Int(x)]
            w.row(
                "",
                fit(DetailWriter.clean(name(x)), 28) + " " + fit(Format.duration(own), 9, right: true) + "  "
                    + share(Double(own), of: Double(duration)))
        }
    }
    let dearest = a.topCost(ofTrace: t, limit: 5)
    if !dearest.isEmpty {
        w.section("Most expensive calls")
        for x in dearest {
            let usd = a.costs[Int(x)].usd
            w.row(
                "",
                fit(DetailWriter.clean(name(x)), 28) + " " + fit(Format.cost(usd), 9, right: true) + "  "
                    + share(usd, of: cost))
        }
    }
}

/// The name, ids, notes on the tree, kind, status, timing and the subtree's totals.
private func identityLines(_ w: inout DetailWriter, _ s: Int32, _ span: Span, _ data: ViewData) {
    let store = data.store
    let a = data.analysis
    w.out.append(DetailLine(DetailWriter.clean(store.string(span.name)), Style(bold: true)))
    w.row(
        "span",
        spanIDHex(span.spanID)
            + (span.parentSpanID != 0 ? "  parent " + spanIDHex(span.parentSpanID) : "  (root)"))
    let flags = a.forest.flags[Int(s)]
    if flags.contains(.orphan) { w.row("note", "orphan: its parent span was never received") }
    if flags.contains(.cycle) { w.row("note", "its parent chain loops back to it; shown as a root") }
    if flags.contains(.duplicateID) { w.row("note", "another span of this trace has the same id") }
    w.row("kind", a.facts[Int(s)].role.name + " · " + span.kind.name)
    let statusText = span.status.name + (span.statusMessage != 0 ? ": " + store.string(span.statusMessage) : "")
    w.row("status", a.isError[Int(s)] && span.status != .error ? "error (exception event)" : statusText)
    w.row("start", Format.timestamp(span.startNanos) + " UTC")
    w.row("duration", Format.duration(span.durationNanos) + "  (self " + Format.duration(a.selfNanos[Int(s)]) + ")")
    let sub = a.subtree[Int(s)]
    if sub.spans > 1 {
        let tokens = Format.tokenPair(sub.inputTokens, sub.outputTokens)
        w.row(
            "subtree",
            "\(sub.spans) spans · \(sub.llmCalls) LLM calls · "
                + "\(tokens) tokens · \(Format.cost(sub)) · \(sub.errors) errors")
    }
}

/// "LLM facts": each fact with the attribute it came from, the cost and whether the call is counted.
private func factLines(_ w: inout DetailWriter, _ s: Int32, _ span: Span, _ data: ViewData) {
    let store = data.store
    let a = data.analysis
    let f = a.facts[Int(s)]
    guard f.role.isModelCall || f.hasUsage || f.toolName != 0 || f.agentName != 0 || !f.reportedRollupCost.isNaN
    else { return }
    let sources = Dictionary(a.extractor.sources(of: span, in: store), uniquingKeysWith: { x, _ in x })
    w.section("LLM facts")
    func fact(_ fact: Fact, _ value: String) { w.row(fact.label, value, sources[fact]) }
    if f.model != 0 { fact(.model, store.string(f.model)) }
    if f.provider != 0 { fact(.provider, store.string(f.provider)) }
    if sources[.operation] != nil, let v = store.value(forKey: sources[.operation]!, in: span.attributes) {
        fact(.operation, store.text(v))
    }
    if f.inputTokens >= 0 { fact(.inputTokens, String(f.inputTokens)) }
    if f.cacheReadTokens >= 0 {
        fact(
            .cacheReadTokens,
            String(f.cacheReadTokens)
                + (f.cacheCountedInInput ? " (part of the input)" : " (beside the input)"))
    }
    if f.cacheWriteTokens >= 0 { fact(.cacheWriteTokens, String(f.cacheWriteTokens)) }
    if f.outputTokens >= 0 { fact(.outputTokens, String(f.outputTokens)) }
    if f.reasoningTokens >= 0 { fact(.reasoningTokens, String(f.reasoningTokens) + " (part of the output)") }
    if f.totalTokens >= 0 {
        w.row(Fact.totalTokens.label, String(f.totalTokens), sources[.totalTokens] ?? "input + output")
    }
    let call = a.calls.group(of: s)
    if call == nil || call!.memberCount == 1 {
        let cost = a.costs[Int(s)]
        if let text = costText(cost, f, store, merged: false) {
            if cost.source == .reported { fact(.reportedCost, text) } else { w.row("cost", text) }
        }
    }
    if let call, call.memberCount == 1, call.counted == s { w.out += mismatchLines(call) }
    if f.role.isModelCall && call == nil {
        let beneath = a.subtree[Int(s)].llmCalls
        w.row(
            "counted",
            beneath == 1
                ? "no: its figures disagree with the call beneath it, which is counted"
                : "no: a rollup of the \(beneath) calls beneath it (its own figures are not added)")
    }
    if !f.reportedRollupCost.isNaN {
        fact(
            .reportedRollupCost,
            Format.cost(f.reportedRollupCost) + " reported; computed subtree: " + Format.cost(a.subtree[Int(s)]))
    }
    if f.finishReason != 0 {
        let reason = store.string(f.finishReason)
        fact(.finishReason, reason + (reason == "length" || reason == "max_tokens" ? "  (truncated answer)" : ""))
    }
    if f.toolName != 0 { fact(.toolName, store.string(f.toolName)) }
    if f.agentName != 0 { fact(.agentName, store.string(f.agentName)) }
}

/// The prompt and answer, message by message, with tool calls.
private func conversationLines(_ w: inout DetailWriter, _ span: Span, _ store: SpanStore) {
    let convo = conversation(of: span, in: store)
    guard !convo.isEmpty else { return }
    w.section("Conversation (\(convo.source))")
    for m in convo.input + convo.output {
        w.out.append(
            DetailLine(
                "[\(DetailWriter.clean(m.role))]",
                Style(fg: m.role == "assistant" ? .green : .yellow, bold: true)))
        if !m.text.isEmpty { w.block(m.text) }
        for call in m.toolCalls {
            let name = DetailWriter.clean(call.name)
            let arguments = DetailWriter.clean(call.arguments)
            w.out.append(DetailLine("  → tool call " + name + "(" + arguments + ")", Style(fg: .magenta)))
        }
    }
}

/// The prompt and answer of a span as detail lines (empty when it has none): the diff's pane shows
/// both sides' one above the other.
func conversationDetailLines(_ span: Span, _ store: SpanStore, glyphs: Glyphs) -> [DetailLine] {
    var w = DetailWriter(glyphs: glyphs)
    conversationLines(&w, span, store)
    return w.out
}

/// The span's attributes, then its events with theirs (an exception's stack as a block).
private func attributeAndEventLines(_ w: inout DetailWriter, _ span: Span, _ store: SpanStore) {
    w.section("Attributes (\(span.attributes.count))")
    for attr in store.attributes(of: span) { w.row("", store.string(attr.key) + " = " + store.text(attr.value)) }
    guard span.events.count > 0 else { return }
    w.section("Events (\(span.events.count))")
    for e in store.events[span.events.range] {
        let offset = Format.duration(e.timeNanos - span.startNanos)
        let name = store.string(e.name)
        w.out.append(
            DetailLine(
                "+" + offset + "  " + DetailWriter.clean(name),
                Style(fg: name == "exception" ? .red : .normal, bold: true)))
        for attr in store.attributes[e.attributes.range] {
            let key = store.string(attr.key)
            let value = store.text(attr.value)
            if key == "exception.stacktrace" {
                w.out.append(DetailLine("  " + key + ":"))
                w.block(value, indent: "    ")
            } else {
                w.out.append(DetailLine("  " + DetailWriter.clean(key) + " = " + DetailWriter.clean(value)))
            }
        }
    }
}

private func linkLines(_ w: inout DetailWriter, _ span: Span, _ store: SpanStore) {
    guard span.links.count > 0 else { return }
    w.section("Links (\(span.links.count))")
    for l in store.links[span.links.range] {
        w.out.append(DetailLine("trace " + l.traceID.hex + " span " + spanIDHex(l.spanID)))
        for attr in store.attributes[l.attributes.range] {
            let key = DetailWriter.clean(store.string(attr.key))
            let value = DetailWriter.clean(store.text(attr.value))
            w.out.append(DetailLine("  " + key + " = " + value))
        }
    }
}

private func resourceAndScopeLines(_ w: inout DetailWriter, _ span: Span, _ store: SpanStore) {
    if !store.resources.isEmpty {
        let resource = store.resources[Int(span.resource)]
        w.section("Resource")
        for attr in store.attributes[resource.attributes.range] {
            w.row("", store.string(attr.key) + " = " + store.text(attr.value))
        }
    }
    if !store.scopes.isEmpty {
        let scope = store.scopes[Int(span.scope)]
        w.section("Scope")
        w.row("name", store.string(scope.name) + (scope.version != 0 ? " " + store.string(scope.version) : ""))
        for attr in store.attributes[scope.attributes.range] {
            w.row("", store.string(attr.key) + " = " + store.text(attr.value))
        }
    }
}

/// How a cost was obtained; `merged` when it is a call's cost from the facts of several spans.
private func costText(_ cost: SpanCost, _ f: LLMFacts, _ store: SpanStore, merged: Bool) -> String? {
    switch cost.source {
    case .reported: return Format.cost(cost.usd) + " reported"
    case .computed:
        return Format.cost(cost.usd) + " computed from " + (merged ? "the merged tokens" : "tokens") + " × prices of "
            + store.string(f.model)
    case .unknown:
        let why =
            f.model == 0
            ? "no model named"
            : f.inputTokens < 0 && f.outputTokens < 0 ? "no token counts" : "model not in the price table"
        return "? unknown: " + why
    case .none: return nil
    }
}

/// The reported cost of a call set against its list price, when they differ by more than 5 %.
private func mismatchLines(_ call: CallGroup) -> [DetailLine] {
    guard call.costMismatch else { return [] }
    let gap = call.cost.usd - call.listCostUSD
    let by = call.listCostUSD > 0 ? Format.fixed(abs(gap) / call.listCostUSD * 100, 1) + " % " : ""
    let text =
        fit("list price", 15) + Format.cost(call.listCostUSD) + " from the tokens: the reported cost is "
        + by + (gap > 0 ? "higher" : "lower") + " (" + (gap > 0 ? "+" : "−") + Format.cost(abs(gap)) + ")  !"
    return [DetailLine(text, Style(fg: .yellow, bold: true))]
}

/// Whether a span counts its call, or where the call is counted; nil for the one span of a call.
private func countedText(
    _ call: CallGroup, span s: Int32, _ forest: TraceForest, name: (Int32) -> String, id: (Int32) -> String
) -> String? {
    if call.counted == s { return call.memberCount > 1 ? "yes: this span counts the call" : nil }
    if call.counted >= 0 { return "no: counted on " + name(call.counted) + " " + id(call.counted) }
    let trace = forest.traces[Int(forest.traceOf[Int(call.countedElsewhere)])].traceID.hex
    return "no: the same response id is counted in trace " + String(trace.prefix(12)) + " ("
        + name(call.countedElsewhere) + " " + id(call.countedElsewhere) + ")"
}

/// Every span that describes a call (the first twelve), with its id and instrumentation scope.
private func memberLines(
    _ members: ArraySlice<Int32>, call: CallGroup, span s: Int32, store: SpanStore,
    name: (Int32) -> String, id: (Int32) -> String
) -> [DetailLine] {
    let shown = 12
    var out: [DetailLine] = []
    for m in members.prefix(shown) {
        let scope = store.scopes.isEmpty ? "" : store.string(store.scopes[Int(store.spans[Int(m)].scope)].name)
        let mark = m == call.counted ? "counted" : m == s ? "this span" : ""
        out.append(DetailLine("  " + fit(mark, 10) + name(m), m == call.counted ? Style(bold: true) : .plain))
        out.append(DetailLine("  " + fit("", 10) + id(m) + (scope.isEmpty ? "" : " · " + Format.sanitize(scope))))
    }
    if members.count > shown { out.append(DetailLine("  … and \(members.count - shown) more spans", Style(dim: true))) }
    return out
}

/// The call a span describes: whether this span counts it, every span that describes it, and where
/// each merged fact came from.
private func callLines(group g: Int, span s: Int32, data: ViewData, glyphs: Glyphs) -> [DetailLine] {
    let store = data.store
    let a = data.analysis
    let call = a.calls.groups[g]
    let members = a.calls.members(of: g)
    func name(_ span: Int32) -> String { Format.sanitize(store.string(store.spans[Int(span)].name)) }
    func id(_ span: Int32) -> String { spanIDHex(store.spans[Int(span)].spanID) }
    var seen = Set<String>()
    var repeated = Set<String>()
    for m in members where !seen.insert(name(m)).inserted { repeated.insert(name(m)) }
    /// A member by name; by name and id when another member has the same name.
    func label(_ span: Int32) -> String {
        let n = name(span)
        return repeated.contains(n) ? n + " " + id(span) : n
    }
    var out: [DetailLine] = []
    /// Span text (values, keys, names) is sanitized here, before it reaches a grid.
    func line(_ label: String, _ value: String, _ source: String? = nil, _ style: Style = .plain) {
        out.append(
            DetailLine(
                fit(label, 15) + Format.sanitize(value) + (source.map { "  (\(Format.sanitize($0)))" } ?? ""), style))
    }
    // The counting row comes first, then the call's own section when several spans describe it.
    if let counted = countedText(call, span: s, a.forest, name: name, id: id) { line("counted", counted) }
    guard call.memberCount > 1 else { return out }
    out.append(DetailLine(""))
    out.append(
        DetailLine(
            glyphs.separator + glyphs.separator + " Model call: \(call.memberCount) spans describe it",
            Style(fg: .cyan, bold: true)))
    let provenance = a.provenance(ofGroup: g, in: store)
    out += memberLines(members, call: call, span: s, store: store, name: name, id: id)
    // The facts the other spans add (this span's own are listed above, with their keys).
    let f = a.calls.facts(of: call)
    for source in provenance.sources where source.span != s {
        guard source.fact != .totalTokens, var value = factText(source.fact, f, store) else { continue }
        if source.fact == .cacheReadTokens {
            value += f.cacheCountedInInput ? " (part of the input)" : " (beside the input)"
        }
        line(source.fact.label, value, label(source.span) + " · " + source.key)
    }
    if let text = costText(call.cost, f, store, merged: true) { line("cost", text) }
    out += mismatchLines(call)
    for d in provenance.disagreements {
        let values = d.spans.map { m in
            (factText(d.fact, a.facts[Int(m)], store, inputWithCache: true) ?? "") + " (" + label(m) + ")"
        }
        line(
            "disagree", d.fact.label + ": " + values.joined(separator: " vs "),
            nil, Style(fg: .yellow))
    }
    return out
}
