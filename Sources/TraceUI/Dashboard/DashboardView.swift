import TraceAnalysis
import TraceModel
import TraceText

/// A piece of a dashboard screen line: text, how it looks, and the figure it belongs to (an index
/// into `DashboardLayout.targets`).
struct LayoutPiece: Equatable {
    enum Look: Equatable {
        case tone(PanelPiece.Tone)
        case title, section, rule
    }
    var text: String
    var look: Look
    var target: Int?
}

/// The dashboard as screen lines for a width: the four rows of `DashboardPanels`, one panel under
/// another below 120 columns, two abreast from 120. Computed the same way by `update` (to scroll to
/// the selected figure) and by `render`.
struct DashboardLayout: Equatable {
    var lines: [[LayoutPiece]] = []
    /// The figures with traces behind them, in reading order.
    var targets: [DashboardTarget] = []
    /// Per target: the first line that shows it.
    var targetLines: [Int] = []

    /// A panel's title line and lines, each figure with traces behind it numbered as a target.
    mutating func panelLines(_ p: Panel) -> [[LayoutPiece]] {
        var out: [[LayoutPiece]] = [
            [LayoutPiece(text: p.title, look: .title), LayoutPiece(text: "  " + p.basis, look: .tone(.muted))]
        ]
        for line in p.lines {
            var pieces = [LayoutPiece(text: " ", look: .tone(.plain))]
            for piece in line {
                let index = piece.target.map { target($0) }
                pieces.append(LayoutPiece(text: piece.text, look: .tone(piece.tone), target: index))
            }
            out.append(pieces)
        }
        return out
    }

    private mutating func target(_ t: DashboardTarget) -> Int {
        if let i = targets.firstIndex(of: t) { return i }
        targets.append(t)
        return targets.count - 1
    }
}

func dashboardLayout(_ d: Dashboard, width: Int, ascii: Bool) -> DashboardLayout {
    let columns = width >= 120 ? 2 : 1
    let colW = columns == 2 ? (width - 3) / 2 : width
    var layout = DashboardLayout()
    for (r, row) in DashboardPanels.rows(d, width: colW - 1, ascii: ascii).enumerated() {
        let title = " \(r + 1) " + row.title.uppercased() + " "
        let rule = ascii ? "=" : "━"
        layout.lines.append([
            LayoutPiece(
                text: rule + title + String(repeating: rule, count: max(0, width - displayWidth(title) - 1)),
                look: .section)
        ])
        var i = 0
        while i < row.panels.count {
            if columns == 2 && i + 1 < row.panels.count {
                let left = layout.panelLines(row.panels[i])
                let right = layout.panelLines(row.panels[i + 1])
                layout.lines += sideBySide(left, right, columnWidth: colW, ascii: ascii)
                i += 2
            } else {
                layout.lines += layout.panelLines(row.panels[i])
                i += 1
            }
        }
    }
    layout.targetLines = layout.targets.indices.map { t in
        layout.lines.firstIndex { $0.contains { $0.target == t } } ?? 0
    }
    return layout
}

/// Two panels' lines in two columns with a rule between them.
private func sideBySide(_ left: [[LayoutPiece]], _ right: [[LayoutPiece]], columnWidth colW: Int, ascii: Bool)
    -> [[LayoutPiece]]
{
    (0..<max(left.count, right.count)).map { k in
        var line = k < left.count ? clip(left[k], colW) : []
        let used = line.reduce(0) { $0 + displayWidth($1.text) }
        if used < colW {
            line.append(LayoutPiece(text: blank(colW - used), look: .tone(.plain)))
        }
        line.append(LayoutPiece(text: ascii ? " | " : " │ ", look: .rule))
        if k < right.count { line += right[k] }
        return line
    }
}

/// Cuts a line of pieces to `width` columns (the left column of two must not push the right one).
private func clip(_ line: [LayoutPiece], _ width: Int) -> [LayoutPiece] {
    var out: [LayoutPiece] = []
    var used = 0
    for piece in line {
        let w = displayWidth(piece.text)
        if used + w <= width {
            out.append(piece)
            used += w
            continue
        }
        var cut = piece
        cut.text = truncate(piece.text, to: width - used)
        if !cut.text.isEmpty { out.append(cut) }
        break
    }
    return out
}

func renderDashboard(_ g: inout CellGrid, _ s: AppState, _ data: ViewData, _ look: Appearance, y: Int, height: Int) {
    guard let state = s.dashboard else { return }
    guard let d = state.dashboard else {
        let line =
            "Computing the dashboard from \(Format.tokens(Int64(data.store.spans.count))) spans: it shows when ready."
        g.put(line, x: 1, y: y, style: Style(dim: true), maxWidth: g.width - 1)
        return
    }
    let layout = dashboardLayout(d, width: g.width, ascii: look.glyphs.ascii)
    let top = min(state.scroll, max(0, layout.lines.count - height))
    for row in 0..<height {
        let i = top + row
        guard i < layout.lines.count else { break }
        var x = 0
        for piece in layout.lines[i] {
            let selected = piece.target != nil && piece.target == state.selected
            var style: Style
            switch piece.look {
            case .section: style = Style(fg: .yellow, bold: true)
            case .title: style = Style(fg: .cyan, bold: true)
            case .rule: style = Style(dim: true)
            case .tone(.plain): style = Style()
            case .tone(.value): style = Style(bold: true)
            case .tone(.bar): style = Style(fg: .green)
            case .tone(.heat): style = Style(fg: .magenta)
            case .tone(.warning): style = Style(fg: .yellow, bold: true)
            case .tone(.muted): style = Style(dim: true)
            }
            if selected { style.reverse = true }
            x += g.put(piece.text, x: x, y: y + row, style: style, maxWidth: g.width - x)
            if x >= g.width { break }
        }
    }
    // Where the view is, when the rows do not fit.
    if layout.lines.count > height {
        let mark = "[\(top + 1)-\(min(layout.lines.count, top + height))/\(layout.lines.count)]"
        g.put(mark, x: g.width - displayWidth(mark), y: y, style: Style(fg: .cyan, reverse: true))
    }
}

/// The header of the dashboard: "now", the calls counted and the filters.
func dashboardHeader(_ s: AppState) -> String {
    guard let state = s.dashboard, let d = state.dashboard else { return "dashboard · computing…" }
    return
        "dashboard · now \(Format.timestamp(d.now)) UTC · \(DashboardFormat.calls(d.calls)) · filter: \(d.filter.summary)"
        + (state.pending ? " · updating…" : "")
}
