import TraceAnalysis
import TraceModel

/// Where new data comes from while spans arrive (`tracetui listen`, `view --follow`). Polled by the
/// UI loop on the UI thread; implementations do their work on threads of their own.
public protocol LiveFeed: AnyObject {
    /// The newest data, when it is newer than `generation` (0 the first time).
    func latest(after generation: UInt64) -> (data: ViewData, generation: UInt64)?
    /// One line for the footer: spans received, traces held, spans/s, dropped or rejected.
    var statusLine: String { get }
}

extension AppState {
    /// Swaps in newer data for the same session, keeping the user's place: the selected trace (by
    /// trace id) and its row on screen, the open trace, its folds and the selected span (by span id,
    /// so eviction that renumbers spans does not move them). Spans that arrived fill in around them.
    public mutating func adopt(_ new: ViewData, replacing old: ViewData) {
        let oldForest = old.analysis.forest, newForest = new.analysis.forest
        var traceIndex: [TraceID: Int] = Dictionary(minimumCapacity: newForest.traces.count)
        for (i, t) in newForest.traces.enumerated() { traceIndex[t.traceID] = i }

        let selectedTrace = list.rows.indices.contains(list.selected) ? oldForest.traces[list.rows[list.selected]].traceID : nil
        let listOffset = list.selected - list.top
        list.rows = Self.listRows(list, new)
        if let id = selectedTrace, let t = traceIndex[id], let row = list.rows.firstIndex(of: t) {
            list.selected = row
            list.top = max(0, row - listOffset)
        }

        if var tree = tree {
            guard oldForest.traces.indices.contains(tree.trace), let nt = traceIndex[oldForest.traces[tree.trace].traceID] else {
                self.tree = nil
                screen = .traceList
                detailOpen = false
                detailFocused = false
                message = "the open trace was evicted to stay under --max-spans"
                clamp(&self)
                return
            }
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
            self.tree = tree
            screen = .tree(trace: nt)
        }
        refreshDashboard(new)
        clamp(&self)
    }
}
