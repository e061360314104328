/// A key press, as the backend decodes it.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end, enter, tab, backTab, escape, backspace
}

public enum Action: Sendable, Hashable {
    case up, down, pageUp, pageDown, top, bottom
    case open, toggleFold, collapse, expand, collapseAll, expandAll
    case search, nextMatch, previousMatch, nextError
    case toggleDetail, help, back, sortNext, sortReverse
    case dashboard, filterModel, filterFeature, filterService, filterRange, clearFilters
    case storeSearch, save, criticalPath, sessions, compare
}

/// Where a binding applies.
public enum KeyContext: Sendable, CaseIterable {
    case traceList, tree, detail, dashboard, storeResults, sessions, session, diff
    public var title: String {
        switch self {
        case .sessions: return "Sessions"
        case .session: return "A session's turns"
        case .storeResults: return "Store search results"
        case .traceList: return "Trace list"
        case .tree: return "Tree"
        case .detail: return "Detail pane"
        case .dashboard: return "Dashboard"
        case .diff: return "Diff of two traces"
        }
    }
}

public struct KeyBinding: Sendable {
    public var keys: [Key]
    /// How the keys are written in help and hints.
    public var label: String
    public var action: Action
    public var help: String
    public var contexts: [KeyContext]
    /// Shown in the footer hint line of these contexts.
    public var hint: String?
}

/// The one key table: dispatch, the help screen and the footer hints are all generated from it.
public let keyBindings: [KeyBinding] = [
    KeyBinding(
        keys: [.up, .char("k")], label: "↑/k", action: .up, help: "move up", contexts: KeyContext.allCases, hint: nil),
    KeyBinding(
        keys: [.down, .char("j")], label: "↓/j", action: .down, help: "move down", contexts: KeyContext.allCases,
        hint: nil),
    KeyBinding(
        keys: [.pageUp, .char("b")], label: "PgUp/b", action: .pageUp, help: "page up", contexts: KeyContext.allCases,
        hint: nil),
    KeyBinding(
        keys: [.pageDown, .char(" ")], label: "PgDn", action: .pageDown, help: "page down",
        contexts: [.traceList, .detail, .dashboard, .storeResults, .sessions, .session], hint: nil),
    KeyBinding(
        keys: [.pageDown, .char("f")], label: "PgDn/f", action: .pageDown, help: "page down", contexts: [.tree, .diff],
        hint: nil),
    KeyBinding(
        keys: [.home, .char("g")], label: "g/Home", action: .top, help: "go to the top", contexts: KeyContext.allCases,
        hint: nil),
    KeyBinding(
        keys: [.end, .char("G")], label: "G/End", action: .bottom, help: "go to the bottom",
        contexts: KeyContext.allCases, hint: nil),
    KeyBinding(
        keys: [.enter], label: "Enter", action: .open, help: "open the trace", contexts: [.traceList], hint: "open"),
    KeyBinding(
        keys: [.enter], label: "Enter", action: .open, help: "fetch the trace from the store and open it",
        contexts: [.storeResults], hint: "open"),
    KeyBinding(
        keys: [.enter], label: "Enter", action: .open, help: "show the session's turns", contexts: [.sessions],
        hint: "turns"),
    KeyBinding(
        keys: [.enter], label: "Enter", action: .open, help: "open the turn's trace", contexts: [.session],
        hint: "open"),
    KeyBinding(
        keys: [.char("C")], label: "C", action: .sessions,
        help: "sessions: the traces grouped by conversation, turn by turn", contexts: [.traceList], hint: nil),
    KeyBinding(
        keys: [.char("S")], label: "S", action: .storeSearch,
        help: "search the trace store (Tempo: TraceQL; Jaeger: service, operation, attributes)",
        contexts: [.storeResults], hint: "search"),
    // The same key where `/` is the hinted search: listed in help, not in the footer.
    KeyBinding(
        keys: [.char("S")], label: "S", action: .storeSearch, help: "search the trace store (--tempo, --jaeger)",
        contexts: [.traceList, .tree], hint: nil),
    KeyBinding(
        keys: [.char("w")], label: "w", action: .save, help: "save the trace as OTLP JSON (trace-ID.json)",
        contexts: [.tree], hint: nil),
    KeyBinding(
        keys: [.enter, .char(" ")], label: "Enter/Space", action: .toggleFold, help: "fold or unfold the span",
        contexts: [.tree, .diff], hint: "fold"),
    KeyBinding(
        keys: [.left, .char("h")], label: "←/h", action: .collapse, help: "collapse, or go to the parent",
        contexts: [.tree], hint: nil),
    KeyBinding(
        keys: [.right, .char("l")], label: "→/l", action: .expand, help: "expand, or go to the first child",
        contexts: [.tree], hint: nil),
    KeyBinding(
        keys: [.char("H")], label: "H", action: .collapseAll, help: "collapse all", contexts: [.tree], hint: nil),
    KeyBinding(keys: [.char("L")], label: "L", action: .expandAll, help: "expand all", contexts: [.tree], hint: nil),
    KeyBinding(
        keys: [.char("/")], label: "/", action: .search,
        help: "filter: cost>0.05, model=gpt-4o*, words… (fields below; empty clears)", contexts: [.traceList, .tree],
        hint: "filter"),
    KeyBinding(keys: [.char("n")], label: "n", action: .nextMatch, help: "next match", contexts: [.tree], hint: nil),
    KeyBinding(
        keys: [.char("N")], label: "N", action: .previousMatch, help: "previous match", contexts: [.tree], hint: nil),
    KeyBinding(
        keys: [.char("n")], label: "n", action: .nextMatch, help: "next difference (a changed, added or removed span)",
        contexts: [.diff], hint: "next change"),
    KeyBinding(
        keys: [.char("N")], label: "N", action: .previousMatch, help: "previous difference", contexts: [.diff],
        hint: nil),
    KeyBinding(
        keys: [.char("d")], label: "d", action: .compare,
        help: "diff: mark as A, then d on another trace compares", contexts: [.traceList, .tree],
        hint: nil),
    KeyBinding(
        keys: [.char("e")], label: "e", action: .nextError, help: "next span with an error", contexts: [.tree],
        hint: "error"),
    KeyBinding(
        keys: [.char("c")], label: "c", action: .criticalPath,
        help: "show or hide the critical path (the spans the end-to-end latency waits on)", contexts: [.tree],
        hint: nil),
    KeyBinding(
        keys: [.char("s")], label: "s", action: .sortNext, help: "sort by the next column", contexts: [.traceList],
        hint: "sort"),
    KeyBinding(
        keys: [.char("r")], label: "r", action: .sortReverse, help: "reverse the sort order", contexts: [.traceList],
        hint: nil),
    KeyBinding(
        keys: [.tab, .backTab], label: "Tab", action: .toggleDetail, help: "open the detail pane / switch focus",
        contexts: [.tree, .diff, .detail], hint: "detail"),
    KeyBinding(
        keys: [.enter], label: "Enter", action: .open, help: "show the traces behind the selected figure",
        contexts: [.dashboard], hint: "traces"),
    KeyBinding(
        keys: [.char("D")], label: "D", action: .dashboard, help: "dashboard: cost, latency, quality of the calls",
        contexts: [.traceList, .tree, .dashboard], hint: "dashboard"),
    KeyBinding(
        keys: [.char("m")], label: "m", action: .filterModel, help: "filter by the next model (list and dashboard)",
        contexts: [.traceList, .dashboard], hint: "model"),
    KeyBinding(
        keys: [.char("f")], label: "f", action: .filterFeature, help: "filter by the next feature",
        contexts: [.traceList, .dashboard], hint: nil),
    KeyBinding(
        keys: [.char("v")], label: "v", action: .filterService, help: "filter by the next service",
        contexts: [.traceList, .dashboard], hint: nil),
    KeyBinding(
        keys: [.char("t")], label: "t", action: .filterRange, help: "time range: all, last 1h, 24h, 7d",
        contexts: [.traceList, .dashboard], hint: "range"),
    KeyBinding(
        keys: [.char("x")], label: "x", action: .clearFilters, help: "clear the filters",
        contexts: [.traceList, .dashboard], hint: nil),
    KeyBinding(
        keys: [.char("?")], label: "?", action: .help, help: "this help", contexts: KeyContext.allCases, hint: "help"),
    KeyBinding(
        keys: [.char("q"), .escape], label: "q/Esc", action: .back, help: "back; quit from the first screen",
        contexts: KeyContext.allCases, hint: "back"),
]

/// The action a key means in a context, from `keyBindings`.
public func action(for key: Key, in context: KeyContext) -> Action? {
    keyBindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }?.action
}
