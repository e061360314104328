/// A screen opened over the trace list or a tree (the dashboard, a diff) that `q` returns from to
/// where it was opened, the tree as it was.
protocol ReturnsToScreen {
    /// The screen it was opened from (nil: it was the first screen, `q` quits).
    var returnTo: Screen? { get set }
    /// The tree as it was when it was opened from it.
    var returnTree: TreeState? { get set }
}

extension ReturnsToScreen {
    /// After live data was adopted: the tree to return to, found again in the new data (the list when
    /// its trace is gone).
    mutating func adoptReturnTree(_ moved: (TreeState) -> TreeState?) {
        returnTree = returnTree.flatMap(moved)
        if case .tree? = returnTo { returnTo = returnTree.map { .tree(trace: $0.trace) } ?? .traceList }
    }
}

extension AppState {
    /// Back to the screen `place` was opened from, with the tree as it was (quits when it was the
    /// first screen).
    mutating func goBack(from place: some ReturnsToScreen, _ data: ViewData) {
        switch place.returnTo {
        case .tree(let t)?:
            tree = place.returnTree
            if tree == nil { openTree(t, data) } else { screen = .tree(trace: t) }
        case .traceList?: screen = .traceList
        default: quit = true
        }
    }
}
