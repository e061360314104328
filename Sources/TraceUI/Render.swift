import Foundation
import TraceAnalysis
import TraceModel
import TraceText

/// Draws the whole screen for a state. Pure: same state and data, same grid. Only visible rows are
/// looked at, so a trace of a million spans draws as fast as one of ten.
public func render(_ s: AppState, _ data: ViewData, _ look: Appearance) -> CellGrid {
    var g = CellGrid(width: s.width, height: s.height)
    guard s.width >= 20, s.height >= 5 else {
        g.put("terminal too small", x: 0, y: 0)
        return g
    }
    let body = bodyHeight(s)
    switch s.screen {
    case .dashboard:
        header(&g, dashboardHeader(s), look)
        renderDashboard(&g, s, data, look, y: 1, height: body)
    case .traceList:
        if let counting = s.list.counting {
            let spans = Format.tokens(Int64(data.store.spans.count))
            header(&g, "tracetui · matching \(counting.text) in \(spans) spans: computing… · \(data.title)", look)
        } else if let jump = s.list.jump {
            header(&g, "tracetui · \(jump.title) · \(s.list.rows.count) traces · q back to the dashboard", look)
        } else if !s.list.facets.isEmpty || s.list.filter != nil {
            let filters = ([s.list.filter?.text] + [s.list.facets.isEmpty ? nil : s.list.facets.summary]).compactMap {
                $0
            }
            header(
                &g,
                "tracetui · \(s.list.rows.count) of \(data.analysis.forest.traces.count) traces · filter: \(filters.joined(separator: " · ")) · \(data.title)",
                look)
        } else {
            header(
                &g,
                "tracetui · \(data.analysis.forest.traces.count) traces · \(data.store.spans.count) spans · \(data.title)",
                look)
        }
        renderTraceList(&g, s, data, look, y: 1, height: body)
    case .storeResults:
        header(&g, storeResultsHeader(s), look)
        renderStoreResults(&g, s, look, y: 1, height: body)
    case .sessions, .session:
        header(&g, sessionsHeader(s, data), look)
        if let st = s.sessions {
            if st.pending {
                let spans = Format.tokens(Int64(data.store.spans.count))
                let line = "Grouping the traces of \(spans) spans by conversation: they show when ready."
                g.put(line, x: 1, y: 1, style: Style(dim: true), maxWidth: g.width - 1)
            } else if st.open == nil {
                renderSessionList(&g, st, look, y: 1, height: body)
            } else {
                renderSessionTurns(&g, st, data, look, y: 1, height: body)
            }
        }
    case .tree(let t):
        let trace = data.analysis.forest.traces[t]
        let totals = data.analysis.traceTotals[t]
        let elsewhere = totals.callsCountedElsewhere > 0 ? " +\(totals.callsCountedElsewhere) elsewhere" : ""
        header(
            &g,
            "trace \(trace.traceID.hex.prefix(12)) · \(Format.sanitize(data.analysis.service(of: t, in: data.store))) · \(totals.spans) spans · "
                + "\(totals.llmCalls) LLM\(elsewhere) · \(Format.tokenPair(totals.inputTokens, totals.outputTokens)) tok · \(Format.cost(totals)) · "
                + "\(totals.errors) err · \(Format.duration(trace.durationNanos))", look)
        renderTree(&g, s, data, look, x: 0, y: 1, width: listWidth(s), height: body)
        if s.detailOpen, let tree = s.tree, !tree.rows.isEmpty {
            let lines = detailLines(span: tree.rows[tree.selected], data: data, glyphs: look.glyphs)
            renderDetailPane(&g, s, look, lines: lines, body: body)
        }
    case .diff:
        header(&g, diffHeader(s), look)
        renderDiff(&g, s, look, body: body)
    }
    footer(&g, s, look)
    renderSearchForm(&g, s, look)
    if s.helpOpen { renderHelp(&g, s, look) }
    if !look.color { for y in 0..<g.height { g.restyle(x: 0, y: y, width: g.width) { $0.fg = .normal } } }
    if look.glyphs.ascii { g.replaceNonASCII() }
    return g
}

func header(_ g: inout CellGrid, _ text: String, _ look: Appearance) {
    g.fill(x: 0, y: 0, width: g.width, style: Style(reverse: true))
    g.put(truncate(text, to: g.width, ascii: look.glyphs.ascii), x: 0, y: 0, style: Style(bold: true, reverse: true))
}

private func footer(_ g: inout CellGrid, _ s: AppState, _ look: Appearance) {
    let y = g.height - 1
    if let prompt = s.prompt {
        g.put("/" + prompt + "█", x: 0, y: y, style: Style(bold: true))
        if let error = s.promptError {
            // A caret under the column the error names (after the `/`), the reason beside it.
            let caret = String(repeating: " ", count: error.column) + "^ " + error.description
            g.fill(x: 0, y: y - 1, width: g.width, style: .plain)
            g.put(
                truncate(Format.sanitize(caret), to: g.width, ascii: look.glyphs.ascii), x: 0, y: y - 1,
                style: Style(fg: .red))
        }
        return
    }
    if let message = s.message {
        g.put(
            truncate(Format.sanitize(message), to: g.width, ascii: look.glyphs.ascii), x: 0, y: y,
            style: Style(fg: .yellow))
        return
    }
    let hints = keyBindings.filter { $0.contexts.contains(s.context) && $0.hint != nil }.map {
        "\($0.label) \($0.hint!)"
    }
    var x = 0
    if let status = s.liveStatus {
        // Live: the session's status first, the key hints in what is left.
        let shown = truncate(Format.sanitize(status), to: g.width, ascii: look.glyphs.ascii)
        g.put(shown, x: 0, y: y, style: Style(fg: .cyan))
        x = displayWidth(shown) + 2
        if x >= g.width { return }
    }
    let text = hints.joined(separator: "  ")
    g.put(truncate(text, to: g.width - x, ascii: look.glyphs.ascii), x: x, y: y, style: Style(dim: true))
}

// MARK: trace list

private struct Column {
    var title: String
    var width: Int
    var right: Bool
    /// Lower drops first when the terminal is narrow.
    var priority: Int
    var value: (Int) -> String
}

/// The trace list's columns that fit in `width` beside the root span's name (at least 16 columns),
/// dropping the least important first, and the width left for the name. INPUT (what each run was
/// asked), FEATURE and SESSION appear when a visible trace has one; they are read for the visible
/// rows only. INPUT takes the width the name does not need.
private func traceListColumns(_ data: ViewData, _ list: TraceListState, visible: ArraySlice<Int>, width: Int) -> (
    columns: [Column], rootWidth: Int
) {
    let a = data.analysis
    let store = data.store
    func read(_ value: (Int) -> String?) -> [Int: String] {
        var out: [Int: String] = [:]
        for t in visible { if let v = value(t) { out[t] = Format.sanitize(v) } }
        return out
    }
    let inputs = read { a.runInput(ofTrace: $0, in: store) }
    let features = read { a.feature(ofTrace: $0, in: store, keys: data.featureKeys) }
    let sessions = read { a.session(ofTrace: $0, in: store) }
    // While a filter is on, how many spans of each trace match it: dropped last.
    let matches =
        list.filter == nil
        ? [] : [Column(title: "MATCH", width: 5, right: true, priority: 12) { String(list.matchCounts[$0] ?? 0) }]
    // Wider terminals give the input more than the fixed columns.
    let minInput = max(20, (width - 60) / 2)
    var columns =
        matches + [
            Column(title: "SERVICE", width: 14, right: false, priority: 3) {
                Format.sanitize(a.service(of: $0, in: store))
            },
            Column(title: "START (UTC)", width: 14, right: false, priority: 5) {
                String(Format.timestamp(a.forest.traces[$0].start).dropFirst(5))
            },
            Column(title: "DURATION", width: 8, right: true, priority: 11) {
                Format.duration(a.forest.traces[$0].durationNanos)
            },
            Column(title: "SPANS", width: 5, right: true, priority: 1) { String(a.traceTotals[$0].spans) },
            Column(title: "LLM", width: 4, right: true, priority: 7) { String(a.traceTotals[$0].llmCalls) },
            Column(title: "TOKENS", width: 11, right: true, priority: 9) {
                Format.tokenPair(a.traceTotals[$0].inputTokens, a.traceTotals[$0].outputTokens)
            },
            Column(title: "COST", width: 9, right: true, priority: 10) { Format.cost(a.traceTotals[$0]) },
            Column(title: "ERR", width: 3, right: true, priority: 6) { String(a.traceTotals[$0].errors) },
        ]
    if !features.isEmpty {
        columns.insert(Column(title: "FEATURE", width: 12, right: false, priority: 4) { features[$0] ?? "" }, at: 0)
    }
    if !sessions.isEmpty {
        columns.insert(Column(title: "SESSION", width: 12, right: false, priority: 2) { sessions[$0] ?? "" }, at: 0)
    }
    if !inputs.isEmpty {
        columns.insert(
            Column(title: "INPUT", width: minInput, right: false, priority: 8) { inputs[$0] ?? "" }, at: 0)
    }
    let minRoot = 16
    while columns.reduce(0, { $0 + $1.width + 1 }) + minRoot > width,
        let drop = columns.min(by: { $0.priority < $1.priority })
    {
        columns.removeAll { $0.priority == drop.priority }
    }
    var rootWidth = width - columns.reduce(0, { $0 + $1.width + 1 })
    if let i = columns.firstIndex(where: { $0.title == "INPUT" }) {
        // The name keeps what its longest visible value needs (up to 24); the input the rest.
        let longest = visible.map { displayWidth(Format.sanitize(a.rootName(of: $0, in: store))) }.max() ?? 0
        let root = min(rootWidth, min(24, max(9, longest)))
        columns[i].width += rootWidth - root
        rootWidth = root
    }
    return (columns, rootWidth)
}

private func renderTraceList(
    _ g: inout CellGrid, _ s: AppState, _ data: ViewData, _ look: Appearance, y: Int, height: Int
) {
    let a = data.analysis
    let store = data.store
    let visible = s.list.rows[
        min(s.list.top, s.list.rows.count)..<min(s.list.rows.count, s.list.top + max(0, height - 1))]
    let (columns, rootWidth) = traceListColumns(data, s.list, visible: visible, width: g.width)
    let sortTitles: [SortKey: String] = [
        .start: "START (UTC)", .duration: "DURATION", .cost: "COST", .tokens: "TOKENS",
        .llmCalls: "LLM", .errors: "ERR", .spans: "SPANS",
    ]
    let sorted = sortTitles[s.list.sort]
    var x = g.put(fit("ROOT SPAN", rootWidth), x: 0, y: y, style: Style(bold: true))
    for c in columns {
        let title =
            c.title == sorted
            ? c.title + (s.list.sort == .start ? (s.list.descending ? "↓" : "↑") : (s.list.descending ? "↑" : "↓"))
            : c.title
        x += g.put(" " + fit(title, c.width, right: c.right), x: x, y: y, style: Style(bold: true))
    }
    if s.list.rows.isEmpty {
        g.put(
            s.list.filter.map { "no trace matches \($0.text) (/ then Enter to clear)" } ?? "no traces", x: 0, y: y + 1)
        return
    }
    for row in 0..<(height - 1) {
        let i = s.list.top + row
        guard i < s.list.rows.count else { break }
        let t = s.list.rows[i]
        let selected = i == s.list.selected
        let errors = a.traceTotals[t].errors > 0
        let style = Style(fg: errors ? .red : .normal, reverse: selected)
        if selected { g.fill(x: 0, y: y + 1 + row, width: g.width, style: style) }
        var cx = g.put(
            fit(Format.sanitize(a.rootName(of: t, in: store)), rootWidth, ascii: look.glyphs.ascii), x: 0,
            y: y + 1 + row, style: style)
        for c in columns {
            cx += g.put(
                " " + fit(c.value(t), c.width, right: c.right, ascii: look.glyphs.ascii), x: cx, y: y + 1 + row,
                style: style)
        }
    }
}

// MARK: tree

/// Column widths of the tree: the name takes what the fixed columns (and the waterfall, from 70
/// columns up) leave.
private struct TreeColumns {
    let kind = 5
    let duration = 8
    let tokens = 11
    let cost = 9
    let status = 1
    let bar: Int
    let name: Int

    init(width: Int) {
        bar = width >= 70 ? max(8, width / 7) : 0
        name = max(8, width - (kind + duration + tokens + cost + status + 5 + (bar > 0 ? bar + 1 : 0)))
    }
}

private func renderTree(
    _ g: inout CellGrid, _ s: AppState, _ data: ViewData, _ look: Appearance, x: Int, y: Int, width: Int, height: Int
) {
    guard let tree = s.tree else { return }
    let columns = TreeColumns(width: width)
    let title =
        tree.filter.map { "SPAN · \(tree.matches.count) match \($0.text)" }
        ?? (tree.criticalPath.map { "SPAN · \(look.glyphs.onPath) critical path (\($0.count))" } ?? "SPAN")
    var cx =
        x
        + g.put(
            fit(Format.sanitize(title), columns.name, ascii: look.glyphs.ascii), x: x, y: y, style: Style(bold: true))
    let titles =
        [(" KIND", columns.kind + 1, false), (" DURATION", columns.duration + 1, true)]
        + (columns.bar > 0 ? [(" WATERFALL", columns.bar + 1, false)] : [])
        + [(" TOKENS", columns.tokens + 1, true), (" COST", columns.cost + 1, true), ("  ", columns.status + 1, false)]
    for (title, w, right) in titles { cx += g.put(fit(title, w, right: right), x: cx, y: y, style: Style(bold: true)) }
    for row in 0..<(height - 1) {
        let i = tree.top + row
        guard i < tree.rows.count else { break }
        renderTreeRow(
            &g, tree.rows[i], tree, selected: i == tree.selected, data, look, columns, x: x, y: y + 1 + row,
            width: width)
    }
}

/// One span of the tree: guides, fold marker and name, kind, duration, waterfall, tokens, cost, ✗.
private func renderTreeRow(
    _ g: inout CellGrid, _ sp: Int32, _ tree: TreeState, selected: Bool, _ data: ViewData, _ look: Appearance,
    _ columns: TreeColumns, x: Int, y ry: Int, width: Int
) {
    let a = data.analysis
    let span = data.store.spans[Int(sp)]
    let f = a.facts[Int(sp)]
    let trace = a.forest.traces[tree.trace]
    let isError = a.isError[Int(sp)]
    let onPath = tree.criticalPath?.contains(sp) == true
    let folded = tree.folded.contains(sp)
    let prefix = treeGuides(sp, a.forest, look.glyphs, shown: tree.filter == nil ? nil : tree.kept)
    let marker =
        a.forest.children(of: sp).isEmpty ? look.glyphs.leaf : folded ? look.glyphs.folded : look.glyphs.unfolded
    let name = treeRowName(sp, span, data, folded: folded)
    // A folded node shows its subtree's totals; an open one its own.
    let totals = folded ? a.subtree[Int(sp)] : a.selfTotals[Int(sp)]
    let tokens = Format.tokenPair(totals.inputTokens, totals.outputTokens)
    let cost = folded ? Format.cost(totals) : a.ownCostLabel(of: sp) ?? ""
    // While a filter is on, the ancestors it keeps for context are dimmed.
    let context = tree.filter != nil && !tree.matches.contains(sp)
    let base = Style(fg: isError ? .red : .normal, reverse: selected, dim: context)
    if selected { g.fill(x: x, y: ry, width: width, style: base) }
    var col = x
    col += g.put(fit(prefix + marker + " " + name, columns.name, ascii: look.glyphs.ascii), x: col, y: ry, style: base)
    col += g.put(
        " " + fit(kindLabel(f.role), columns.kind), x: col, y: ry,
        style: Style(fg: kindColor(f.role, isError), reverse: selected, dim: context))
    col += g.put(
        " " + fit(Format.duration(span.durationNanos), columns.duration, right: true), x: col, y: ry, style: base)
    if columns.bar > 0 {
        col += g.put(" ", x: col, y: ry, style: base)
        col += g.put(
            waterfall(span.startNanos, span.endNanos, trace.start, trace.durationNanos, columns.bar, look.glyphs),
            x: col, y: ry, style: Style(fg: isError ? .red : onPath ? .yellow : .blue, reverse: selected, dim: context))
    }
    col += g.put(" " + fit(tokens == "-" ? "" : tokens, columns.tokens, right: true), x: col, y: ry, style: base)
    let costColor: Color = cost == "?" || cost == "~?" || cost.hasSuffix("!") ? .yellow : isError ? .red : .green
    col += g.put(
        " " + fit(cost, columns.cost, right: true), x: col, y: ry,
        style: Style(fg: costColor, reverse: selected, dim: context))
    // The last column: ✗ for an error, else ◆ on the critical path while it is shown.
    g.put(
        " " + (isError ? look.glyphs.error : onPath ? look.glyphs.onPath : " "), x: col, y: ry,
        style: Style(fg: onPath && !isError ? .yellow : .red, bold: true, reverse: selected))
}

/// Rows show the guides of at most this many ancestor levels (wider than any name column); a deeper
/// row starts with its depth instead, so drawing a row costs the same at any depth.
let maxGuideLevels = 40

/// The tree prefix of a row: one guide per ancestor level, then the branch; `[depth]` first when the
/// levels above `maxGuideLevels` are left out. While a filter is on, `shown` holds the spans it keeps,
/// so the last one shown among its siblings gets the last branch.
private func treeGuides(_ sp: Int32, _ forest: TraceForest, _ glyphs: Glyphs, shown: Set<Int32>?) -> String {
    var guides: [String] = []
    var p = sp
    while forest.parent[Int(p)] >= 0 {
        if guides.count == maxGuideLevels {
            guides.append("[\(forest.depth[Int(sp)])]")
            break
        }
        let parent = forest.parent[Int(p)]
        let siblings = forest.children(of: parent)
        let isLast = (shown.map { shown in siblings.last { shown.contains($0) } } ?? siblings.last) == p
        if guides.isEmpty {
            guides.append(isLast ? glyphs.lastBranch : glyphs.branch)
        } else {
            guides.append(isLast ? glyphs.blank : glyphs.pipe)
        }
        p = parent
    }
    return guides.reversed().joined()
}

/// A span's name with the tree's repairs, where its call is counted and, folded, what it hides.
private func treeRowName(_ sp: Int32, _ span: Span, _ data: ViewData, folded: Bool) -> String {
    let a = data.analysis
    var name = Format.sanitize(data.store.string(span.name))
    let flags = a.forest.flags[Int(sp)]
    if flags.contains(.orphan) { name += " [orphan]" }
    if flags.contains(.cycle) { name += " [cycle]" }
    if flags.contains(.duplicateID) { name += " [dup id]" }
    if let other = a.traceCountingElsewhere(span: sp) { name += " [counted in " + other.hex.prefix(8) + "]" }
    if folded { name += " (+\(a.subtree[Int(sp)].spans - 1))" }
    return name
}

func kindLabel(_ role: SpanRole) -> String {
    switch role {
    case .llm: return "LLM"
    case .embedding: return "EMBED"
    case .tool: return "TOOL"
    case .agent: return "AGENT"
    case .workflow: return "FLOW"
    case .retrieval: return "RETR"
    case .other: return ""
    }
}

private func kindColor(_ role: SpanRole, _ error: Bool) -> Color {
    if error { return .red }
    switch role {
    case .llm, .embedding: return .magenta
    case .tool: return .cyan
    case .agent, .workflow: return .yellow
    case .retrieval: return .blue
    case .other: return .normal
    }
}

/// The span's place on the trace's time axis, at least one cell wide.
func waterfall(_ start: Int64, _ end: Int64, _ traceStart: Int64, _ traceNanos: Int64, _ width: Int, _ glyphs: Glyphs)
    -> String
{
    guard width > 0 else { return "" }
    let total = Double(max(1, traceNanos))
    var from = Int((Double(start - traceStart) / total * Double(width)).rounded(.down))
    var to = Int((Double(end - traceStart) / total * Double(width)).rounded(.up))
    from = max(0, min(width - 1, from))
    to = max(from + 1, min(width, to))
    return String(repeating: glyphs.barEmpty, count: from) + String(repeating: glyphs.bar, count: to - from)
        + String(repeating: glyphs.barEmpty, count: width - to)
}

// MARK: detail and help

/// The width of the tree or list beside an open detail pane (all of it when the pane is below or closed).
func listWidth(_ s: AppState) -> Int { s.detailOpen && detailBeside(s) ? s.width * 58 / 100 : s.width }

/// The detail pane's lines beside the tree or list from 120 columns (a rule between them), below it otherwise.
func renderDetailPane(_ g: inout CellGrid, _ s: AppState, _ look: Appearance, lines: [DetailLine], body: Int) {
    let left = listWidth(s)
    if detailBeside(s) {
        for y in 1...body { g.put(look.glyphs.pipe.trimmingTrailingSpace, x: left, y: y, style: Style(dim: true)) }
        renderDetail(&g, s, lines, x: left + 2, y: 1, width: s.width - left - 2, height: body)
    } else {
        g.put(String(repeating: look.glyphs.separator, count: s.width), x: 0, y: 1 + body, style: Style(dim: true))
        renderDetail(&g, s, lines, x: 0, y: 2 + body, width: s.width, height: s.height - 3 - body)
    }
}

private func renderDetail(
    _ g: inout CellGrid, _ s: AppState, _ unwrapped: [DetailLine], x: Int, y: Int, width: Int, height: Int
) {
    guard width > 4, height > 0 else { return }
    var lines: [DetailLine] = []
    for line in unwrapped {
        for piece in softWrap(line.text, width: width) { lines.append(DetailLine(piece, line.style)) }
    }
    let maxScroll = max(0, lines.count - height)
    let top = min(s.detailScroll, maxScroll)
    for row in 0..<height where top + row < lines.count {
        g.put(lines[top + row].text, x: x, y: y + row, style: lines[top + row].style, maxWidth: width)
    }
    if s.detailFocused {
        let mark = "[\(top + 1)-\(min(lines.count, top + height))/\(lines.count)]"
        g.put(mark, x: x + width - displayWidth(mark), y: y, style: Style(fg: .cyan, reverse: true))
    }
}

/// The longest prefix of `s` that fits in `width` columns (no ellipsis: the rest wraps).
/// Help text, generated from the key table.
public func helpLines() -> [String] {
    var lines = ["tracetui keys", ""]
    for context in KeyContext.allCases {
        lines.append(context.title)
        for b in keyBindings where b.contexts.contains(context) { lines.append("  " + fit(b.label, 13) + b.help) }
        lines.append("")
    }
    lines.append("Filter fields (/): field op value, op one of = != > >= < <=; and, or, not, ( )")
    for field in SpanFilter.fields { lines.append("  " + field.name + ": " + field.meaning) }
    lines.append("  a bare word: names, attribute values, prompts, answers, events, service")
    lines.append("")
    lines.append("Any other key closes this help.")
    return lines
}

private func renderHelp(_ g: inout CellGrid, _ s: AppState, _ look: Appearance) {
    let lines = helpLines()
    let w = min(g.width - 2, 70)
    let h = g.height - 2
    let x0 = (g.width - w) / 2
    let y0 = 1
    let top = min(s.helpScroll, max(0, lines.count - (h - 2)))
    for row in 0..<h {
        g.fill(x: x0, y: y0 + row, width: w, style: Style(reverse: true))
        let i = top + row - 1
        if row > 0 && row < h - 1 && i < lines.count {
            g.put(
                " " + lines[i], x: x0, y: y0 + row,
                style: Style(bold: i == 0 || !lines[i].hasPrefix(" "), reverse: true), maxWidth: w)
        }
    }
}

extension String {
    var trimmingTrailingSpace: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }

}
