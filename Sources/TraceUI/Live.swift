import TraceAnalysis
import TraceText
import TraceModel

extension AppState {
    /// Swaps in newer data for the same session, keeping the user's place: the selected trace (by
    /// trace id) and its row on screen, the open trace, its folds and the selected span (by span id,
    /// so eviction that renumbers spans does not move them). Spans that arrived fill in around them.
    public mutating func adopt(_ new: ViewData, replacing old: ViewData) {
        let oldForest = old.analysis.forest, newForest = new.analysis.forest, oldStore = old.store
        var traceIndex: [TraceID: Int] = Dictionary(minimumCapacity: newForest.traces.count)
        for (i, t) in newForest.traces.enumerated() { traceIndex[t.traceID] = i }
        func renumbered(_ trace: Int) -> Int? {
            oldForest.traces.indices.contains(trace) ? traceIndex[oldForest.traces[trace].traceID] : nil
        }

        let selectedTrace = list.rows.indices.contains(list.selected) ? oldForest.traces[list.rows[list.selected]].traceID : nil
        let listOffset = list.selected - list.top
        if var jump = list.jump {
            // The traces and spans behind a dashboard figure, found again by id.
            jump.rows = jump.rows.compactMap(renumbered)
            jump.spans = Set(jump.spans.compactMap { old -> Int32? in
                let span = oldStore.spans[Int(old)]
                guard let t = traceIndex[span.traceID] else { return nil }
                return newForest.traces[t].spans.first { new.store.spans[Int($0)].spanID == span.spanID }
            })
            list.jump = jump
        }
        list.rows = Self.listRows(list, new)
        if let id = selectedTrace, let t = traceIndex[id], let row = list.rows.firstIndex(of: t) {
            list.selected = row
            list.top = max(0, row - listOffset)
        }

        /// The same tree in the new data: trace, folds and selected span found again by id.
        func carried(_ tree: TreeState) -> TreeState? {
            guard let nt = renumbered(tree.trace) else { return nil }
            var tree = tree
            var byID: [SpanID: Int32] = [:]
            for s in newForest.traces[nt].spans where byID[new.store.spans[Int(s)].spanID] == nil {
                byID[new.store.spans[Int(s)].spanID] = s
            }
            let selectedSpan = tree.rows.indices.contains(tree.selected) ? old.store.spans[Int(tree.rows[tree.selected])].spanID : nil
            let treeOffset = tree.selected - tree.top
            tree.folded = Set(tree.folded.compactMap { byID[old.store.spans[Int($0)].spanID] })
            tree.trace = nt
            tree.rows = Self.visibleRows(tree, new)
            if let id = selectedSpan, let s = byID[id], let row = tree.rows.firstIndex(of: s) {
                tree.selected = row
                tree.top = max(0, row - treeOffset)
            }
            return tree
        }

        if let open = tree {
            if let moved = carried(open) {
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
        if var d = dashboard {
            // The screen the dashboard returns to holds old indices too.
            d.returnTree = d.returnTree.flatMap(carried)
            if case .tree? = d.returnTo { d.returnTo = d.returnTree.map { .tree(trace: $0.trace) } ?? .traceList }
            dashboard = d
        }
        refreshDashboard(new)
        clamp(&self)
    }
}
