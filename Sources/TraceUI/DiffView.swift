import TraceAnalysis
import TraceModel
import TraceText

/// The two traces of an open diff and their merged tree. They never change while the diff is open
/// (live data arriving meanwhile is not merged in), so two of them are equal when they are the same object.
public final class DiffSides: Sendable, Equatable {
    public let a: TraceSide
    public let b: TraceSide
    public let diff: TraceDiff
    /// Per row: it is the last child of its parent (for the tree guides).
    let lastChild: [Bool]

    public init(a: TraceSide, b: TraceSide) {
        self.a = a
        self.b = b
        let diff = TraceDiff(a, b)
        var lastOf: [Int: Int] = [:]
        for (r, row) in diff.rows.enumerated() { lastOf[row.parent] = r }
        lastChild = diff.rows.indices.map { lastOf[diff.rows[$0].parent] == $0 }
        self.diff = diff
    }

    public static func == (x: DiffSides, y: DiffSides) -> Bool { x === y }
}

/// The diff screen: the merged tree's folds, the rows they leave visible, the selection, and the
/// screen `q` returns to.
public struct DiffState: Equatable, Sendable, ReturnsToScreen {
    public let sides: DiffSides
    public var folded: Set<Int> = []
    /// Indices into `sides.diff.rows`, in display order.
    public private(set) var visible: [Int] = []
    public var selected = 0
    public var top = 0
    /// The screen the diff was opened from (nil: it is the first screen, `q` quits).
    public var returnTo: Screen?
    /// The tree as it was when the diff was opened from it.
    public var returnTree: TreeState?

    public init(sides: DiffSides) {
        self.sides = sides
        visible = Self.visibleRows(sides.diff.rows, folded: [])
    }

    var rows: [DiffRow] { sides.diff.rows }
    var selectedRow: Int? { visible.indices.contains(selected) ? visible[selected] : nil }

    static func visibleRows(_ rows: [DiffRow], folded: Set<Int>) -> [Int] {
        var out: [Int] = []
        var r = 0
        while r < rows.count {
            out.append(r)
            r = folded.contains(r) ? rows[r].subtreeEnd : r + 1
        }
        return out
    }

    mutating func toggleFold() {
        guard let r = selectedRow, rows[r].subtreeEnd > r + 1 else { return }
        if folded.contains(r) { folded.remove(r) } else { folded.insert(r) }
        visible = Self.visibleRows(rows, folded: folded)
        selected = visible.firstIndex(of: r) ?? 0
    }

    /// Selects the next (or previous) row that is not the same on both sides, unfolding its ancestors;
    /// wraps around. False when every row is the same.
    mutating func selectNextChange(forward: Bool) -> Bool {
        let n = rows.count
        guard n > 0 else { return false }
        let at = selectedRow ?? 0
        for step in 1...n {
            let r = forward ? (at + step) % n : ((at - step) % n + n) % n
            guard rows[r].status != .same else { continue }
            var p = rows[r].parent
            while p >= 0 {
                folded.remove(p)
                p = rows[p].parent
            }
            visible = Self.visibleRows(rows, folded: folded)
            selected = visible.firstIndex(of: r) ?? 0
            return true
        }
        return false
    }

    /// Keeps the selection in the rows and scrolled into view.
    mutating func clamp(height: Int) {
        selected = max(0, min(selected, visible.count - 1))
        top = scrolled(top: top, selected: selected, height: height, count: visible.count)
    }
}

extension AppState {
    /// `d` on the trace list or the tree: the first marks the trace as A; on another trace it opens
    /// the diff of A against it (A stays marked); on A again it unmarks it.
    mutating func compareTrace(_ data: ViewData) {
        let forest = data.analysis.forest
        guard let t = tree?.trace ?? (list.rows.indices.contains(list.selected) ? list.rows[list.selected] : nil)
        else { return }
        let id = forest.traces[t].traceID
        if diffMark == id {
            diffMark = nil
            message = "unmarked \(id.hex.prefix(8))"
            return
        }
        guard let mark = diffMark, let a = forest.traces.firstIndex(where: { $0.traceID == mark }) else {
            diffMark = id
            message = "marked \(id.hex.prefix(8)) as A: d on another trace compares"
            return
        }
        let sides = DiffSides(
            a: TraceSide(store: data.store, analysis: data.analysis, trace: a),
            b: TraceSide(store: data.store, analysis: data.analysis, trace: t))
        openDiff(DiffState(sides: sides), returnTo: screen)
    }

    /// Shows a diff; `returnTo` nil makes it the first screen (`q` quits).
    public mutating func openDiff(_ diff: DiffState, returnTo: Screen?) {
        var diff = diff
        diff.returnTo = returnTo
        diff.returnTree = tree
        self.diff = diff
        // The tree waits in `returnTree`: no tree is open while the diff is.
        tree = nil
        detailOpen = false
        detailFocused = false
        detailScroll = 0
        screen = .diff
    }
}

/// Keys of the diff screen: moving, folding, the next change, the detail pane and back.
func performDiff(_ s: inout AppState, _ act: Action, _ data: ViewData) {
    guard var d = s.diff else {
        if act == .back { s.quit = true }
        return
    }
    let page = max(1, bodyHeight(s) - 1)
    let before = d.selected
    switch act {
    case .up, .down, .pageUp, .pageDown, .top, .bottom:
        d.selected = moved(d.selected, by: act, page: page, count: d.visible.count) ?? d.selected
    case .toggleFold: d.toggleFold()
    case .nextMatch, .previousMatch:
        if !d.selectNextChange(forward: act == .nextMatch) {
            s.message = "no differences: the runs match span for span"
        }
    case .toggleDetail:
        if s.detailOpen {
            s.detailFocused = true
        } else {
            s.detailOpen = true
        }
    case .help: s.helpOpen = true
    case .back:
        if s.detailOpen {
            s.detailOpen = false
        } else {
            s.diff = nil
            s.goBack(from: d, data)
            return
        }
    default: break
    }
    if d.selected != before { s.detailScroll = 0 }
    s.diff = d
}

// MARK: drawing

/// A column of the diff's rows beside the name.
private struct DiffColumn {
    var title: String
    var width: Int
    /// Lower drops first when the terminal is narrow.
    var priority: Int
    var right = true
    /// The column says what changed: yellow on a changed row.
    var isChange = false
    var value: (DiffRow) -> String
}

/// The columns that fit beside a name of at least 18 columns, the least important dropped first: the
/// deltas and what changed stay at 80 columns, the figures of the shown side join them from 120.
private func diffColumns(width: Int) -> (columns: [DiffColumn], nameWidth: Int) {
    var columns = [
        DiffColumn(title: "DURATION", width: 8, priority: 3) { Format.duration($0.shown.durationNanos) },
        DiffColumn(title: "ΔDUR", width: 9, priority: 8) { DiffText.duration($0.delta.durationNanos) },
        DiffColumn(title: "TOKENS", width: 11, priority: 2, value: { DiffText.tokens(of: $0.shown) }),
        DiffColumn(title: "ΔTOKENS", width: 11, priority: 7) {
            DiffText.tokenPair($0.delta.inputTokens, $0.delta.outputTokens)
        },
        DiffColumn(title: "COST", width: 9, priority: 1, value: { DiffText.cost(of: $0.shown) }),
        DiffColumn(title: "ΔCOST", width: 9, priority: 6) { DiffText.rowCost($0.delta) },
        DiffColumn(title: "CHANGE", width: 22, priority: 5, right: false, isChange: true) { DiffText.changes($0) },
    ]
    let minName = 18
    let marker = 2
    while marker + minName + columns.reduce(0, { $0 + $1.width + 1 }) > width,
        let drop = columns.min(by: { $0.priority < $1.priority })
    {
        columns.removeAll { $0.priority == drop.priority }
    }
    return (columns, width - marker - columns.reduce(0, { $0 + $1.width + 1 }))
}

/// The header: both sides' cost and duration, the deltas, then the counts of added, removed and changed
/// spans; the figures keep two spaces between them where that fits, one where it does not.
func diffHeader(_ s: AppState) -> String {
    guard let diff = s.diff?.sides.diff else { return "diff" }
    let delta = diff.totalsDelta
    let figures = [
        "diff \(diff.traceA.hex.prefix(8)) → \(diff.traceB.hex.prefix(8))",
        "A \(Format.cost(diff.totalsA)) \(Format.duration(diff.durationA))",
        "B \(Format.cost(diff.totalsB)) \(Format.duration(diff.durationB))",
        "Δ \(DiffText.cost(delta)) \(DiffText.duration(delta.durationNanos))",
    ]
    let wide = figures.joined(separator: "  ")
    return (displayWidth(wide) <= s.width ? wide : figures.joined(separator: " "))
        + " · \(diff.count(.added)) added · \(diff.count(.removed)) removed · \(diff.count(.changed)) changed"
}

/// The merged tree and, when open, the detail pane of the selected row.
func renderDiff(_ g: inout CellGrid, _ s: AppState, _ look: Appearance, body: Int) {
    guard let d = s.diff else { return }
    let width = listWidth(s)
    // The last column keeps a space before the detail pane's rule.
    let (columns, nameWidth) = diffColumns(width: width - 1)
    var x = g.put("  " + fit("SPAN", nameWidth), x: 0, y: 1, style: Style(bold: true))
    for c in columns {
        x += g.put(" " + fit(c.title, c.width, right: c.right), x: x, y: 1, style: Style(bold: true))
    }
    for line in 0..<(body - 1) {
        let i = d.top + line
        guard i < d.visible.count else { break }
        renderDiffRow(
            &g, d, d.visible[i], selected: i == d.selected, columns, nameWidth: nameWidth, y: 2 + line, width: width,
            look)
    }
    if s.detailOpen, let r = d.selectedRow {
        renderDetailPane(&g, s, look, lines: diffDetailLines(d.sides, row: r, glyphs: look.glyphs), body: body)
    }
}

/// One row: the marker, guides, fold marker and name, then the columns; added rows green, removed
/// rows red, a changed row's marker and changes yellow.
private func renderDiffRow(
    _ g: inout CellGrid, _ d: DiffState, _ r: Int, selected: Bool, _ columns: [DiffColumn], nameWidth: Int, y: Int,
    width: Int, _ look: Appearance
) {
    let row = d.rows[r]
    let tone: Color = row.status == .added ? .green : row.status == .removed ? .red : .normal
    let base = Style(fg: tone, reverse: selected)
    if selected { g.fill(x: 0, y: y, width: width, style: base) }
    let markerTone: Color = row.status == .changed ? .yellow : tone
    var x = g.put(
        DiffText.marker(row.status) + " ", x: 0, y: y, style: Style(fg: markerTone, bold: true, reverse: selected))
    let folded = d.folded.contains(r)
    let fold =
        row.subtreeEnd == r + 1 ? look.glyphs.leaf : folded ? look.glyphs.folded : look.glyphs.unfolded
    let name =
        diffGuides(d, r, look.glyphs) + fold + " " + Format.sanitize(row.shown.name)
        + (folded ? " (+\(row.subtreeEnd - r - 1))" : "")
    x += g.put(fit(name, nameWidth, ascii: look.glyphs.ascii), x: x, y: y, style: base)
    for c in columns {
        let style = c.isChange && row.status == .changed ? Style(fg: .yellow, reverse: selected) : base
        x += g.put(" " + fit(c.value(row), c.width, right: c.right, ascii: look.glyphs.ascii), x: x, y: y, style: style)
    }
}

/// The tree guides of a row, as the span tree draws them, from the rows' parents.
private func diffGuides(_ d: DiffState, _ r: Int, _ glyphs: Glyphs) -> String {
    var guides: [String] = []
    var p = r
    while d.rows[p].parent >= 0 {
        if guides.count == maxGuideLevels {
            guides.append("[\(d.rows[r].depth)]")
            break
        }
        let last = d.sides.lastChild[p]
        guides.append(guides.isEmpty ? (last ? glyphs.lastBranch : glyphs.branch) : (last ? glyphs.blank : glyphs.pipe))
        p = d.rows[p].parent
    }
    return guides.reversed().joined()
}

/// The detail of a row: its path and status, both sides' figures (`a → b` where they differ), then
/// side A's prompt and answer above side B's.
func diffDetailLines(_ sides: DiffSides, row r: Int, glyphs: Glyphs) -> [DetailLine] {
    let row = sides.diff.rows[r]
    let path = sequence(first: r) { sides.diff.rows[$0].parent >= 0 ? sides.diff.rows[$0].parent : nil }
        .map { Format.sanitize(sides.diff.rows[$0].shown.name) }.reversed().joined(separator: " / ")
    var out = [DetailLine(Format.sanitize(row.shown.name), Style(bold: true))]
    func line(_ label: String, _ value: String) { out.append(DetailLine(fit(label, 15) + value)) }
    let statusText: [DiffStatus: String] = [
        .same: "same in both runs", .changed: "changed", .added: "added: only in B", .removed: "removed: only in A",
    ]
    line("diff", statusText[row.status]!)
    line("path", path)
    func both(_ label: String, _ value: (DiffSpan) -> String, delta: String = "") {
        let a = row.a.map(value)
        let b = row.b.map(value)
        guard let a, let b, a != b else { return line(label, Format.sanitize(b ?? a!)) }
        line(label, Format.sanitize(a + " → " + b) + (delta.isEmpty ? "" : "  (" + delta + ")"))
    }
    both("duration", { Format.duration($0.durationNanos) }, delta: DiffText.duration(row.delta.durationNanos))
    both("kind", { $0.role.name })
    if row.shown.llmCalls > 0 || row.a?.llmCalls ?? 0 > 0 || !row.shown.model.isEmpty {
        both("model", { $0.model.isEmpty ? "-" : $0.model })
        both("tokens", { Format.tokenPair($0.inputTokens, $0.outputTokens) })
        both("cost", { $0.costUSD.map { Format.cost($0) } ?? "?" }, delta: DiffText.cost(row.delta))
        both("finish reason", { $0.finishReason.isEmpty ? "-" : $0.finishReason })
    }
    both("status", { $0.status })
    for (label, span, side) in [("A", row.a, sides.a), ("B", row.b, sides.b)] {
        out.append(DetailLine(""))
        let title = glyphs.separator + glyphs.separator + " " + label + " · trace " + side.traceID.hex.prefix(8)
        guard let span else {
            out.append(DetailLine(title + ": no such span", Style(fg: .cyan, bold: true)))
            continue
        }
        let id = spanIDHex(side.store.spans[Int(span.span)].spanID)
        out.append(DetailLine(title + " · span " + id, Style(fg: .cyan, bold: true)))
        let conversation = conversationDetailLines(side.store.spans[Int(span.span)], side.store, glyphs: glyphs)
        out += conversation.isEmpty ? [DetailLine("  no prompt or answer recorded", Style(dim: true))] : conversation
    }
    return out
}
