import TraceAnalysis
import TraceModel
import TraceText

/// Messages the UI loop feeds to `update`: the user's keys and resizes from the terminal, and what
/// other threads post while spans arrive.
public enum Msg: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// Newer data of a live session, analysed off the main thread; swapped in keeping the user's place.
    case liveData(ViewData)
    /// The live session's status line (posted when it changes, at most a few times a second).
    case liveStatus(String)
    /// A store search's answer (`UIRequest.search`).
    case storeResults(StoreQuery, [TraceSummary], warnings: [String])
    /// A trace fetched from the store, analysed off the main thread; it replaces the data shown.
    case storeTrace(TraceID, ViewData)
    /// The words the search form completes.
    case storeVocabulary(tags: [String], services: [String])
    case storeOperations(service: String, [String])
    /// A store request failed: one line; what is open stays.
    case storeFailed(String)
    /// A line for the footer (a trace saved).
    case notice(String)
    /// The dashboard's figures asked for with `UIRequest.dashboard` are computed (kept by `ViewData`).
    case dashboardPrepared
    /// The conversations asked for with `UIRequest.sessions` are grouped (kept by `ViewData`).
    case sessionsPrepared
    /// The list filter's matches asked for with `UIRequest.countMatches` are counted (kept by `ViewData`).
    case matchesCounted
}

/// What the UI asks the shell to do; the answer comes back as a message.
public enum UIRequest: Equatable, Sendable {
    /// Search; with `sinceSeconds`, the window is the last that many seconds before the shell's now.
    case search(StoreQuery, sinceSeconds: Int64?)
    case fetch(TraceID)
    /// Tag names or services for the form's completion.
    case vocabulary
    case operations(service: String)
    /// Write the trace (an index into the forest) as OTLP JSON.
    case save(trace: Int)
    /// Compute the dashboard's figures for a filter, too long for a frame (`Msg.dashboardPrepared`).
    case dashboard(DashboardFilter)
    /// Group the traces by conversation, too long for a frame (`Msg.sessionsPrepared`).
    case sessions
    /// Count the spans matching the list's filter in each trace, too long for a frame (`Msg.matchesCounted`).
    case countMatches(SpanFilter)
}

/// The single entry point for every change of UI state and of the data shown.
public func update(_ s: inout AppState, _ msg: Msg, _ data: inout ViewData) {
    switch msg {
    case .resize(let w, let h):
        s.width = w
        s.height = h
        clamp(&s)
    case .liveData(let newer):
        s.adopt(newer, replacing: data)
        data = newer
    case .liveStatus(let line):
        s.liveStatus = line
    case .storeResults, .storeTrace, .storeVocabulary, .storeOperations, .storeFailed:
        updateStore(&s, msg, &data)
        clamp(&s)
    case .notice(let line):
        s.message = line
    case .dashboardPrepared:
        s.refreshDashboard(data)
    case .sessionsPrepared:
        s.refreshSessions(data)
        clamp(&s)
    case .matchesCounted:
        s.takeListMatches(data)
        clamp(&s)
    case .key(let key):
        s.message = nil
        if s.prompt != nil {
            editPrompt(&s, key, data)
            return
        }
        if s.store?.form != nil {
            editSearchForm(&s, key)
            return
        }
        if s.helpOpen {
            helpKey(&s, key)
            return
        }
        guard let act = action(for: key, in: s.context) else { return }
        perform(&s, act, data)
        clamp(&s)
    }
}

/// Rows of the main list or tree area (everything but header, footer and a detail pane below).
public func bodyHeight(_ s: AppState) -> Int {
    let total = max(0, s.height - 2)
    if s.detailOpen && !detailBeside(s) { return max(1, total / 2) }
    return total
}

/// Wide terminals show the detail pane beside the tree; narrow ones below it.
public func detailBeside(_ s: AppState) -> Bool { s.width >= 120 }

private func helpKey(_ s: inout AppState, _ key: Key) {
    switch key {
    case .down, .char("j"): s.helpScroll += 1
    case .up, .char("k"): s.helpScroll = max(0, s.helpScroll - 1)
    case .pageDown, .char(" "): s.helpScroll += max(1, s.height - 3)
    case .pageUp, .char("b"): s.helpScroll = max(0, s.helpScroll - max(1, s.height - 3))
    default:
        s.helpOpen = false
        s.helpScroll = 0
    }
}

private func editPrompt(_ s: inout AppState, _ key: Key, _ data: ViewData) {
    var text = s.prompt ?? ""
    switch key {
    case .escape:
        s.prompt = nil
        s.promptError = nil
        return
    case .enter:
        do throws(FilterError) {
            let filter = try SpanFilter(text)
            s.prompt = nil
            s.promptError = nil
            applyFilter(&s, filter.isEmpty ? nil : filter, data)
        } catch {
            // The prompt stays open with the text, and the error points at its column.
            s.promptError = error
        }
        return
    case .backspace:
        if !text.isEmpty { text.removeLast() }
    case .char(let c):
        text.append(c)
    default:
        return
    }
    s.prompt = text
    s.promptError = nil
}

/// The filter typed after `/`: the list keeps the traces with a matching span, the tree the matching
/// spans and their ancestors; nil clears it.
private func applyFilter(_ s: inout AppState, _ filter: SpanFilter?, _ data: ViewData) {
    switch s.screen {
    case .dashboard, .storeResults, .sessions, .session, .diff: return
    case .traceList:
        guard let filter else {
            s.list.counting = nil
            s.setListFilter(nil, data)
            s.list.selected = 0
            s.list.top = 0
            s.message = "filter cleared"
            return
        }
        s.list.counting = filter
        s.takeListMatches(data)
    case .tree:
        guard var tree = s.tree else { return }
        let current = tree.rows.indices.contains(tree.selected) ? tree.rows[tree.selected] : nil
        tree.setFilter(filter, data)
        // Every match is shown: the folds above them open.
        tree.folded.subtract(tree.kept)
        tree.rows = AppState.visibleRows(tree, data)
        tree.selected = current.flatMap { tree.rows.firstIndex(of: $0) } ?? 0
        s.tree = tree
        guard let filter else {
            s.message = "filter cleared"
            return
        }
        if tree.matches.isEmpty {
            s.message = "no span matches \(filter.text)"
            return
        }
        if !tree.matches.contains(current ?? -1) {
            jump(&s, data, forward: true, includeCurrent: true) { tree.matches.contains($0) }
        }
        s.message = "\(tree.matches.count) span(s) match \(filter.text); n/N next/previous, / Enter clears"
    }
}

extension AppState {
    /// Filters the list by the filter typed (`list.counting`) once its matches are counted: at once
    /// when they are counted already or the data is small (`inlineWorkSpans`); otherwise the shell
    /// counts them off the UI thread and `Msg.matchesCounted` calls this again, the list staying as
    /// it was meanwhile, its header saying what is being matched.
    mutating func takeListMatches(_ data: ViewData) {
        guard let filter = list.counting else { return }
        guard
            let counts = data.preparedMatchCounts(filter)
                ?? (data.store.spans.count <= inlineWorkSpans ? data.matchCounts(filter) : nil)
        else {
            requests.append(.countMatches(filter))
            return
        }
        list.counting = nil
        list.filter = filter
        list.matchCounts = counts
        list.rows = AppState.listRows(list, data)
        list.selected = 0
        list.top = 0
        message = "\(list.rows.count) trace(s), \(counts.values.reduce(0, +)) span(s) match \(filter.text)"
    }

    /// Sets the trace list's filter and counts its matches per trace.
    mutating func setListFilter(_ filter: SpanFilter?, _ data: ViewData) {
        list.filter = filter
        list.matchCounts = filter?.matchCounts(store: data.store, analysis: data.analysis) ?? [:]
        list.rows = AppState.listRows(list, data)
    }
}

/// Moves the selection to the next (or previous) span in tree order that satisfies `test`,
/// unfolding its ancestors so it is visible. Wraps around.
private func jump(
    _ s: inout AppState, _ data: ViewData, forward: Bool, includeCurrent: Bool = false, _ test: (Int32) -> Bool
) {
    guard var tree = s.tree else { return }
    let forest = data.analysis.forest
    // Tree order of all spans of the trace (ignoring folds).
    var order: [Int32] = []
    var stack = Array(forest.traces[tree.trace].roots.reversed())
    while let x = stack.popLast() {
        order.append(x)
        stack.append(contentsOf: forest.children(of: x).reversed())
    }
    guard !order.isEmpty else { return }
    let current = tree.rows.isEmpty ? order[0] : tree.rows[tree.selected]
    let at = order.firstIndex(of: current) ?? 0
    let n = order.count
    for step in (includeCurrent ? 0 : 1)...n {
        let i = forward ? (at + step) % n : ((at - step) % n + n) % n
        guard test(order[i]) else { continue }
        var p = forest.parent[Int(order[i])]
        while p >= 0 {
            tree.folded.remove(p)
            p = forest.parent[Int(p)]
        }
        tree.rows = AppState.visibleRows(tree, data)
        tree.selected = tree.rows.firstIndex(of: order[i]) ?? 0
        s.tree = tree
        s.detailScroll = 0
        if (forward && i < at) || (!forward && i > at) { s.message = "search wrapped" }
        return
    }
    s.message = "no match"
}

private func perform(_ s: inout AppState, _ act: Action, _ data: ViewData) {
    let page = max(1, bodyHeight(s) - 1)
    if s.context == .dashboard {
        performDashboard(&s, act, data)
        return
    }
    if s.context == .detail {
        performDetail(&s, act, page: page)
        return
    }
    switch s.screen {
    case .traceList: performTraceList(&s, act, data, page: page)
    case .dashboard: break
    case .tree: performTree(&s, act, data, page: page)
    case .storeResults: performStoreResults(&s, act, page: page)
    case .sessions, .session: performSessions(&s, act, data, page: page)
    case .diff: performDiff(&s, act, data)
    }
}

/// Keys while the detail pane has the focus: scrolling it, and leaving it.
private func performDetail(_ s: inout AppState, _ act: Action, page: Int) {
    switch act {
    case .up: s.detailScroll = max(0, s.detailScroll - 1)
    case .down: s.detailScroll += 1
    case .pageUp: s.detailScroll = max(0, s.detailScroll - page)
    case .pageDown: s.detailScroll += page
    case .top: s.detailScroll = 0
    case .bottom: s.detailScroll = Int.max / 2
    case .toggleDetail: s.detailFocused = false
    case .back:
        s.detailOpen = false
        s.detailFocused = false
    case .help: s.helpOpen = true
    default: break
    }
}

/// Keys on the trace list: moving, opening a trace, sorting, filters, the dashboard and back.
private func performTraceList(_ s: inout AppState, _ act: Action, _ data: ViewData, page: Int) {
    if let selected = moved(s.list.selected, by: act, page: page, count: s.list.rows.count) {
        s.list.selected = selected
        return
    }
    switch act {
    case .open:
        if s.list.rows.indices.contains(s.list.selected) {
            s.openTree(s.list.rows[s.list.selected], data)
            selectJumpSpan(&s, data)
        }
    case .search: s.prompt = (s.list.counting ?? s.list.filter)?.text ?? ""
    case .storeSearch: openSearchForm(&s)
    case .sessions: s.openSessions(data)
    case .sortNext:
        s.list.jump?.ordered = false
        s.list.sort = SortKey(rawValue: (s.list.sort.rawValue + 1) % SortKey.allCases.count)!
        s.list.descending = false
        resort(&s, data)
    case .sortReverse:
        s.list.jump?.ordered = false
        s.list.descending.toggle()
        resort(&s, data)
    case .help: s.helpOpen = true
    case .filterModel, .filterFeature, .filterService, .filterRange, .clearFilters: changeFilter(&s, act, data)
    case .compare: s.compareTrace(data)
    case .dashboard where s.list.jump == nil || s.dashboard == nil: s.openDashboard(data, returnTo: .traceList)
    case .back, .dashboard:
        if s.list.jump != nil, s.dashboard != nil {
            // Back from the traces behind a figure to the dashboard as it was.
            s.list.jump = nil
            s.list.rows = AppState.listRows(s.list, data)
            s.screen = .dashboard
        } else {
            s.quit = true
        }
    default: break
    }
}

/// Keys on the span tree: moving, folding, searching, the detail pane, the dashboard and back.
private func performTree(_ s: inout AppState, _ act: Action, _ data: ViewData, page: Int) {
    guard var tree = s.tree, !tree.rows.isEmpty else {
        if act == .back { s.quit = true }
        return
    }
    switch act {
    case .up:
        tree.selected -= 1
        s.detailScroll = 0
    case .down:
        tree.selected += 1
        s.detailScroll = 0
    case .pageUp:
        tree.selected -= page
        s.detailScroll = 0
    case .pageDown:
        tree.selected += page
        s.detailScroll = 0
    case .top:
        tree.selected = 0
        s.detailScroll = 0
    case .bottom:
        tree.selected = tree.rows.count - 1
        s.detailScroll = 0
    case .toggleFold, .collapse, .expand, .collapseAll, .expandAll:
        fold(&tree, act, data)
    case .search:
        s.prompt = tree.filter?.text ?? ""
    case .storeSearch: openSearchForm(&s)
    case .save: s.requests.append(.save(trace: tree.trace))
    case .criticalPath:
        if tree.criticalPath == nil {
            let path = data.analysis.criticalPath(ofTrace: tree.trace, in: data.store)
            tree.criticalPath = Set(path)
            s.message = criticalPathSummary(path, data)
        } else {
            tree.criticalPath = nil
        }
    case .nextMatch, .previousMatch, .nextError:
        s.tree = tree
        jumpToMatch(&s, act, data)
        return
    case .toggleDetail:
        if s.detailOpen {
            s.detailFocused = true
        } else {
            s.detailOpen = true
            s.detailScroll = 0
        }
    case .help: s.helpOpen = true
    case .dashboard:
        s.tree = tree
        s.openDashboard(data, returnTo: .tree(trace: tree.trace))
        return
    case .compare:
        s.tree = tree
        s.compareTrace(data)
        return
    case .back:
        if s.detailOpen {
            s.detailOpen = false
        } else if s.sessions?.treeFromTurn == true {
            s.sessions?.treeFromTurn = false
            s.screen = .session
            s.tree = nil
            return
        } else if let store = s.store, !store.results.isEmpty || store.searching {
            s.screen = .storeResults
            s.tree = nil
            return
        } else if data.analysis.forest.traces.count > 1 || s.liveStatus != nil || s.list.jump != nil {
            s.screen = .traceList
            s.tree = nil
            return
        } else {
            s.quit = true
        }
    default: break
    }
    s.tree = tree
}

/// What the path says: how many spans and which of them spends the most time of its own.
private func criticalPathSummary(_ path: [Int32], _ data: ViewData) -> String {
    let selfNanos = data.analysis.selfNanos
    guard let slowest = path.max(by: { selfNanos[Int($0)] < selfNanos[Int($1)] }) else { return "" }
    let name = Format.sanitize(data.store.string(data.store.spans[Int(slowest)].name))
    return "critical path: \(path.count) spans; most time of its own in \(name) "
        + "(\(Format.duration(selfNanos[Int(slowest)]))); c hides it"
}

/// Folding keys on the tree: one span, up to its parent, into a folded span, or the whole trace.
private func fold(_ tree: inout TreeState, _ act: Action, _ data: ViewData) {
    let forest = data.analysis.forest
    let current = tree.rows[tree.selected]
    let hasChildren = !forest.children(of: current).isEmpty
    switch act {
    case .toggleFold:
        if hasChildren {
            if tree.folded.contains(current) { tree.folded.remove(current) } else { tree.folded.insert(current) }
            tree.rows = AppState.visibleRows(tree, data)
        }
    case .collapse:
        if hasChildren && !tree.folded.contains(current) {
            tree.folded.insert(current)
            tree.rows = AppState.visibleRows(tree, data)
        } else if forest.parent[Int(current)] >= 0, let i = tree.rows.firstIndex(of: forest.parent[Int(current)]) {
            tree.selected = i
        }
    case .expand:
        if tree.folded.contains(current) {
            tree.folded.remove(current)
            tree.rows = AppState.visibleRows(tree, data)
        } else if hasChildren {
            tree.selected += 1
        }
    case .collapseAll:
        let root = rootOf(current, forest)
        tree.folded = Set(forest.traces[tree.trace].spans.filter { !forest.children(of: $0).isEmpty })
        tree.rows = AppState.visibleRows(tree, data)
        tree.selected = tree.rows.firstIndex(of: root) ?? 0
    case .expandAll:
        tree.folded = []
        tree.rows = AppState.visibleRows(tree, data)
        tree.selected = tree.rows.firstIndex(of: current) ?? 0
    default: break
    }
}

/// `n`/`N` (the next or previous span matching the search) and `e` (the next error) in the tree.
private func jumpToMatch(_ s: inout AppState, _ act: Action, _ data: ViewData) {
    guard let tree = s.tree else { return }
    if act == .nextError {
        let errors = data.analysis.isError
        // While a filter is on, only the spans it shows.
        jump(&s, data, forward: true) { errors[Int($0)] && (tree.filter == nil || tree.kept.contains($0)) }
        if s.message == "no match" { s.message = "no errors in this trace" + (tree.filter == nil ? "" : " shown") }
        return
    }
    guard tree.filter != nil else {
        s.message = "no filter yet: press / to filter"
        return
    }
    jump(&s, data, forward: act == .nextMatch) { tree.matches.contains($0) }
}

private func rootOf(_ span: Int32, _ forest: TraceForest) -> Int32 {
    var x = span
    while forest.parent[Int(x)] >= 0 { x = forest.parent[Int(x)] }
    return x
}

private func resort(_ s: inout AppState, _ data: ViewData) {
    let selected = s.list.rows.indices.contains(s.list.selected) ? s.list.rows[s.list.selected] : nil
    s.list.rows = AppState.listRows(s.list, data)
    s.list.selected = selected.flatMap { s.list.rows.firstIndex(of: $0) } ?? 0
    s.message = "sorted by \(s.list.sort.title)" + (s.list.descending ? " (reversed)" : "")
}

/// Keeps selections inside their lists and scrolled into view.
func clamp(_ s: inout AppState) {
    let h = max(1, bodyHeight(s) - 1)  // minus the column header
    s.list.selected = max(0, min(s.list.selected, s.list.rows.count - 1))
    s.list.top = scrolled(top: s.list.top, selected: s.list.selected, height: h, count: s.list.rows.count)
    if var tree = s.tree {
        tree.selected = max(0, min(tree.selected, tree.rows.count - 1))
        tree.top = scrolled(top: tree.top, selected: tree.selected, height: h, count: tree.rows.count)
        s.tree = tree
    }
    if var sessions = s.sessions {
        clampSessions(&sessions, height: h)
        s.sessions = sessions
    }
    if var store = s.store {
        store.selected = max(0, min(store.selected, store.results.count - 1))
        store.top = scrolled(top: store.top, selected: store.selected, height: h, count: store.results.count)
        s.store = store
    }
    s.diff?.clamp(height: h)
}

/// The movement keys of a list: the selection moved by them (clamped later); nil for other keys.
func moved(_ selected: Int, by act: Action, page: Int, count: Int) -> Int? {
    switch act {
    case .up: return selected - 1
    case .down: return selected + 1
    case .pageUp: return selected - page
    case .pageDown: return selected + page
    case .top: return 0
    case .bottom: return count - 1
    default: return nil
    }
}

func scrolled(top: Int, selected: Int, height: Int, count: Int) -> Int {
    var t = top
    if selected < t { t = selected }
    if selected >= t + height { t = selected - height + 1 }
    return max(0, min(t, max(0, count - height)))
}
