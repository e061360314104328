import TraceAnalysis
import TraceModel
import TraceText

extension AppState {
    /// Swaps in newer data for the same session, keeping the user's place: the selected trace (by
    /// trace id) and its row on screen, the open trace, its folds and the selected span (by span id,
    /// so eviction that renumbers spans does not move them). Spans that arrived fill in around them.
    public mutating func adopt(_ new: ViewData, replacing old: ViewData) {
        let renumbering = Renumbering(old: old, new: new)
        adoptList(renumbering)
        adoptTrees(renumbering)
        refreshSessions(new)
        refreshDashboard(new)
        clamp(&self)
    }

    /// The trace list: its rows, the selected trace on the same screen row, the traces behind a figure.
    private mutating func adoptList(_ r: Renumbering) {
        let oldForest = r.old.analysis.forest
        let selectedTrace =
            list.rows.indices.contains(list.selected)
            ? oldForest.traces[list.rows[list.selected]].traceID : nil
        let listOffset = list.selected - list.top
        if var jump = list.jump {
            // The traces and spans behind a dashboard figure, found again by id.
            jump.rows = jump.rows.compactMap(r.trace)
            jump.spans = r.spans(jump.spans)
            list.jump = jump
        }
        list.matchCounts = list.filter?.matchCounts(store: r.new.store, analysis: r.new.analysis) ?? [:]
        list.rows = Self.listRows(list, r.new)
        if let id = selectedTrace, let t = r.traceIndex[id], let row = list.rows.firstIndex(of: t) {
            list.selected = row
            list.top = max(0, row - listOffset)
        }
    }

    /// The open trace (or the list, when it was evicted) and the tree the dashboard returns to.
    private mutating func adoptTrees(_ r: Renumbering) {
        if let open = tree {
            if let moved = r.tree(open) {
                tree = moved
                screen = .tree(trace: moved.trace)
            } else {
                tree = nil
                screen = .traceList
                detailOpen = false
                detailFocused = false
                message = "the open trace was evicted to stay under --max-spans"
            }
        }
        // The screens the dashboard and a diff return to hold old indices too.
        dashboard?.adoptReturnTree(r.tree)
        diff?.adoptReturnTree(r.tree)
    }
}

/// Trace and span indices of older data found again in newer data, by id.
private struct Renumbering {
    let old: ViewData
    let new: ViewData
    /// Trace id to its index in the new forest.
    var traceIndex: [TraceID: Int] { new.analysis.forest.traceIndex }

    init(old: ViewData, new: ViewData) {
        self.old = old
        self.new = new
    }

    func trace(_ trace: Int) -> Int? {
        let oldTraces = old.analysis.forest.traces
        return oldTraces.indices.contains(trace) ? traceIndex[oldTraces[trace].traceID] : nil
    }

    func spans(_ spans: Set<Int32>) -> Set<Int32> {
        Set(
            spans.compactMap { old -> Int32? in
                let span = self.old.store.spans[Int(old)]
                guard let t = traceIndex[span.traceID] else { return nil }
                return new.analysis.forest.traces[t].spans.first { new.store.spans[Int($0)].spanID == span.spanID }
            })
    }

    /// The same tree in the new data: trace, folds and selected span found again by id.
    func tree(_ tree: TreeState) -> TreeState? {
        guard let nt = trace(tree.trace) else { return nil }
        var tree = tree
        var byID: [SpanID: Int32] = [:]
        for s in new.analysis.forest.traces[nt].spans where byID[new.store.spans[Int(s)].spanID] == nil {
            byID[new.store.spans[Int(s)].spanID] = s
        }
        let selectedSpan =
            tree.rows.indices.contains(tree.selected)
            ? old.store.spans[Int(tree.rows[tree.selected])].spanID : nil
        let treeOffset = tree.selected - tree.top
        tree.folded = Set(tree.folded.compactMap { byID[old.store.spans[Int($0)].spanID] })
        tree.trace = nt
        tree.setFilter(tree.filter, new)
        if tree.criticalPath != nil { tree.criticalPath = Set(new.analysis.criticalPath(ofTrace: nt, in: new.store)) }
        tree.rows = AppState.visibleRows(tree, new)
        if let id = selectedSpan, let s = byID[id], let row = tree.rows.firstIndex(of: s) {
            tree.selected = row
            tree.top = max(0, row - treeOffset)
        }
        return tree
    }
}
