import TraceAnalysis
import TraceModel
import TraceText

/// The traces behind a dashboard figure, shown in the trace list until the user goes back.
public struct ListJump: Equatable, Sendable {
    public var title: String
    public var rows: [Int]
    /// The spans behind the figure: opening a trace selects the first of them.
    public var spans: Set<Int32>
    /// True until the user sorts the list: the figure's own order (most expensive first…).
    public var ordered = true
}

/// The open dashboard: its figures (recomputed when the filters change, not on every frame), the
/// scroll position, the selected figure, and where "back" returns to.
public struct DashboardState: Equatable, Sendable, ReturnsToScreen {
    /// The figures shown; nil until the first ones for the current filters are computed.
    public var dashboard: Dashboard?
    /// Figures for the current filters and data are being computed off the UI thread
    /// (`UIRequest.dashboard`); until they come, the ones shown (if any) are those of older data.
    public var pending = false
    public var scroll = 0
    /// Index into the layout's targets (the figures with traces behind them).
    public var selected = 0
    /// The screen the dashboard was opened from (nil: it was the first screen).
    public var returnTo: Screen?
    /// The tree as it was when the dashboard was opened from it.
    public var returnTree: TreeState?
}

extension AppState {
    mutating func openDashboard(_ data: ViewData, returnTo: Screen?) {
        dashboard = DashboardState(dashboard: nil, returnTo: returnTo, returnTree: tree)
        // The tree waits in `returnTree`: no tree is open while the dashboard is.
        tree = nil
        detailOpen = false
        detailFocused = false
        screen = .dashboard
        refreshDashboard(data)
    }

    /// Takes the figures for the current filters and data (after the filters or the data changed;
    /// live sessions call it after adopting new data), keeping scroll and selection. They are taken
    /// at once when computed already, or computed here when the data is small enough
    /// (`inlineWorkSpans`); otherwise the shell computes them off the UI thread and
    /// `Msg.dashboardPrepared` calls this again, so a million spans never block a key. Figures of
    /// older data for the same filters stay on screen meanwhile; figures for other filters do not.
    public mutating func refreshDashboard(_ data: ViewData) {
        guard var state = dashboard else { return }
        let filter = list.facets
        if let figures = data.preparedDashboard(filter: filter)
            ?? (data.store.spans.count <= inlineWorkSpans ? data.dashboard(filter: filter) : nil)
        {
            state.dashboard = figures
            state.pending = false
        } else {
            if state.dashboard?.filter != filter { state.dashboard = nil }
            state.pending = true
            requests.append(.dashboard(filter))
        }
        dashboard = state
    }
}

/// Keys of the dashboard and the filter keys shared with the trace list.
func performDashboard(_ s: inout AppState, _ act: Action, _ data: ViewData) {
    guard var d = s.dashboard else { return }
    let layout = d.dashboard.map { dashboardLayout($0, width: s.width, ascii: false) } ?? DashboardLayout()
    let page = max(1, bodyHeight(s) - 1)
    // The figures' traces and the filters' values come with the figures.
    let needsFigures: Set<Action> = [.open, .filterModel, .filterFeature, .filterService, .filterRange, .clearFilters]
    if d.dashboard == nil && needsFigures.contains(act) {
        s.message = "the dashboard is being computed; it shows as soon as it is ready"
        return
    }
    switch act {
    case .up:
        d.selected = max(0, d.selected - 1)
        follow(&d, layout, page)
    case .down:
        d.selected = min(max(0, layout.targets.count - 1), d.selected + 1)
        follow(&d, layout, page)
    case .pageUp:
        d.scroll = max(0, d.scroll - page)
        selectVisible(&d, layout, page)
    case .pageDown:
        d.scroll = min(max(0, layout.lines.count - page), d.scroll + page)
        selectVisible(&d, layout, page)
    case .top:
        d.scroll = 0
        d.selected = 0
    case .bottom:
        d.scroll = max(0, layout.lines.count - page)
        d.selected = max(0, layout.targets.count - 1)
    case .help: s.helpOpen = true
    case .dashboard, .back:
        s.dashboard = nil
        s.goBack(from: d, data)
        return
    case .open:
        s.dashboard = d
        openTracesBehindFigure(&s, layout, data)
        return
    case .filterModel, .filterFeature, .filterService, .filterRange, .clearFilters:
        s.dashboard = d
        changeFilter(&s, act, data)
        return
    default: break
    }
    s.dashboard = d
}

/// Enter on a figure: the trace list shows the traces behind it, in the figure's order.
private func openTracesBehindFigure(_ s: inout AppState, _ layout: DashboardLayout, _ data: ViewData) {
    guard let d = s.dashboard, layout.targets.indices.contains(d.selected) else {
        s.message = "no figure with traces behind it"
        return
    }
    let target = layout.targets[d.selected]
    let sel = data.dashboardData.traces(behind: target, store: data.store, filter: s.list.facets, now: data.now)
    guard !sel.traces.isEmpty else {
        s.message = "no traces behind \(target.title)"
        return
    }
    s.list.jump = ListJump(title: sel.title, rows: sel.traces, spans: Set(sel.spans))
    s.list.rows = AppState.listRows(s.list, data)
    s.list.selected = 0
    s.list.top = 0
    s.screen = .traceList
    s.message = "\(sel.traces.count) trace(s): \(sel.title); Enter opens, q returns to the dashboard"
}

/// Steps a shared filter to its next value (or clears them) and refreshes the list and dashboard.
func changeFilter(_ s: inout AppState, _ act: Action, _ data: ViewData) {
    let values = data.filterValues
    func next(_ current: String?, _ all: [String]) -> String? {
        guard !all.isEmpty else { return nil }
        guard let current, let i = all.firstIndex(of: current) else { return all[0] }
        return i + 1 < all.count ? all[i + 1] : nil
    }
    var f = s.list.facets
    switch act {
    case .filterModel: f.model = next(f.model, values.models)
    case .filterFeature: f.feature = next(f.feature, values.features)
    case .filterService: f.service = next(f.service, values.services)
    case .filterRange: f.range = TimeRange(rawValue: (f.range.rawValue + 1) % TimeRange.allCases.count)!
    case .clearFilters: f = DashboardFilter()
    default: return
    }
    s.list.facets = f
    s.list.jump = nil
    s.list.rows = AppState.listRows(s.list, data)
    s.list.selected = 0
    s.list.top = 0
    s.refreshDashboard(data)
    if var d = s.dashboard {
        d.selected = 0
        d.scroll = 0
        s.dashboard = d
    }
    s.message = "filter: \(f.summary)"
}

/// Scrolls so the selected figure is on screen.
private func follow(_ d: inout DashboardState, _ layout: DashboardLayout, _ page: Int) {
    guard layout.targetLines.indices.contains(d.selected) else { return }
    let line = layout.targetLines[d.selected]
    // Keep the panel title above the figure in view when scrolling up to it.
    if line < d.scroll { d.scroll = max(0, line - 1) }
    if line >= d.scroll + page { d.scroll = line - page + 1 }
    if d.selected == 0 { d.scroll = 0 }
}

/// After paging, selects the first figure in view (if any).
private func selectVisible(_ d: inout DashboardState, _ layout: DashboardLayout, _ page: Int) {
    if let i = layout.targetLines.firstIndex(where: { $0 >= d.scroll && $0 < d.scroll + page }) { d.selected = i }
}

/// Opening a trace from the traces behind a figure selects the first span behind it.
func selectJumpSpan(_ s: inout AppState, _ data: ViewData) {
    guard let jump = s.list.jump, var tree = s.tree else { return }
    let forest = data.analysis.forest
    var order: [Int32] = []
    var stack = Array(forest.traces[tree.trace].roots.reversed())
    while let x = stack.popLast() {
        order.append(x)
        stack.append(contentsOf: forest.children(of: x).reversed())
    }
    guard let target = order.first(where: { jump.spans.contains($0) }) else { return }
    var p = forest.parent[Int(target)]
    while p >= 0 {
        tree.folded.remove(p)
        p = forest.parent[Int(p)]
    }
    tree.rows = AppState.visibleRows(tree, data)
    tree.selected = tree.rows.firstIndex(of: target) ?? 0
    s.tree = tree
}
