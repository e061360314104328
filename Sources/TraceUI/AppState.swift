import Foundation
import Synchronization
import TraceAnalysis
import TraceModel
import TraceText

/// What the UI shows: the loaded spans and everything derived from them. Read-only for the UI.
public struct ViewData: Sendable {
    public let store: SpanStore
    public let analysis: Analysis
    public let title: String
    public let warnings: [String]
    /// The dashboard's "now": nil for files (the newest span end); the clock when live.
    public let now: Int64?
    public let featureKeys: [String]
    private let dashboardCache = ComputedOnce<DashboardData>()
    private let figuresCache = LastComputed<DashboardFilter, Dashboard>()
    private let matchesCache = LastComputed<SpanFilter, [Int: Int]>()
    private let sessionsCache = ComputedOnce<[Session]>()
    private let filterValuesCache = ComputedOnce<(models: [String], features: [String], services: [String])>()
    public init(
        store: SpanStore, analysis: Analysis, title: String, warnings: [String],
        featureKeys: [String] = Conventions.featureKeys, now: Int64? = nil
    ) {
        self.store = store
        self.analysis = analysis
        self.title = title
        self.warnings = warnings
        self.featureKeys = featureKeys
        self.now = now
    }

    /// What the dashboard and the shared filters read (calls, rate-limit events, feedback), extracted
    /// on first use: about 2 s for a million spans, which opening the tree should not pay. The
    /// terminal front end extracts it on another thread while the user looks at the list or the tree
    /// (`prepareDashboardData`). Waits while another thread extracts it: the UI thread reads it only
    /// once the dashboard's figures are there, which need it.
    public var dashboardData: DashboardData {
        dashboardCache.get { DashboardData(store: store, analysis: analysis, featureKeys: featureKeys) }
    }

    /// Extracts the dashboard's data (and the shared filters' values) now unless they are there
    /// already; for a thread other than the UI's.
    public func prepareDashboardData() { _ = filterValues }

    /// The values the shared filters step through (`m`, `f`, `v`), most frequent first: counted once
    /// over every call, which at a million spans takes longer than a key may.
    public var filterValues: (models: [String], features: [String], services: [String]) {
        filterValuesCache.get { dashboardData.filterValues(store: store) }
    }

    /// The dashboard's figures for a filter; the last ones computed are kept, so figures a live
    /// session's analysis thread prepared (`prepareDashboard`) cost the UI thread nothing. Computes
    /// them (and the data they need) when they are not there, waiting for another thread doing so.
    public func dashboard(filter: DashboardFilter) -> Dashboard {
        figuresCache.get(filter) {
            Dashboard(data: dashboardData, store: store, analysis: analysis, filter: filter, now: now)
        }
    }

    /// The figures for `filter` if they are computed already; never waits.
    public func preparedDashboard(filter: DashboardFilter) -> Dashboard? { figuresCache.peek(filter) }

    /// Computes the figures for `filter` now; for a thread other than the UI's.
    public func prepareDashboard(filter: DashboardFilter) { _ = dashboard(filter: filter) }

    /// The conversations (`C`), grouped on first use and kept: about 0.2 s for a million spans, so
    /// beyond `AppState.inlineWorkSpans` the shell groups them off the UI thread
    /// (`UIRequest.sessions`). Waits while another thread groups them.
    public var sessions: [Session] { sessionsCache.get { analysis.sessions(in: store) } }

    /// The conversations if they are grouped already; never waits.
    public var preparedSessions: [Session]? { sessionsCache.peek() }

    /// Groups the conversations now unless they are already; for a thread other than the UI's.
    public func prepareSessions() { _ = sessions }

    /// For each trace with a span matching `filter`, how many of its spans match; the last ones
    /// counted are kept. A word over a million spans takes longer than a frame, so beyond
    /// `AppState.inlineWorkSpans` the shell counts them off the UI thread (`UIRequest.countMatches`).
    public func matchCounts(_ filter: SpanFilter) -> [Int: Int] {
        matchesCache.get(filter) { filter.matchCounts(store: store, analysis: analysis) }
    }

    /// The matches of `filter` if they are counted already; never waits.
    public func preparedMatchCounts(_ filter: SpanFilter) -> [Int: Int]? { matchesCache.peek(filter) }

    /// Counts the matches of `filter` now; for a thread other than the UI's.
    public func prepareMatchCounts(_ filter: SpanFilter) { _ = matchCounts(filter) }
}

/// The value last computed for one `ViewData` (the dashboard's figures for a filter, the list's
/// matches of one), with the key it was computed for.
final class LastComputed<Key: Equatable & Sendable, Value: Sendable>: Sendable {
    private let last = Mutex<(key: Key, value: Value)?>(nil)
    func get(_ key: Key, _ make: () -> Value) -> Value {
        last.withLock { last in
            if let last, last.key == key { return last.value }
            let made = make()
            last = (key, made)
            return made
        }
    }

    /// The value for `key` if it is the last computed; nil while another thread computes.
    func peek(_ key: Key) -> Value? {
        last.withLockIfAvailable { last in last.flatMap { $0.key == key ? $0.value : nil } } ?? nil
    }
}

/// A value computed once per `ViewData` (and its copies), whichever thread asks first; a second
/// asker waits for the first one's result.
final class ComputedOnce<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    func get(_ make: () -> Value) -> Value {
        value.withLock { v in
            if let v { return v }
            let made = make()
            v = made
            return made
        }
    }

    /// The value if it is computed; nil while another thread computes it.
    func peek() -> Value? { value.withLockIfAvailable { $0 } ?? nil }
}

public enum Screen: Equatable, Sendable {
    case traceList
    case tree(trace: Int)
    case dashboard
    /// The traces a store search found (`search`, or `S`).
    case storeResults
    /// The conversations (`C`, `view --sessions`), and one conversation's turns.
    case sessions, session
    /// Two traces compared span by span (`d`, `tracetui diff`).
    case diff
}

public enum SortKey: Int, CaseIterable, Sendable {
    case start, duration, cost, tokens, llmCalls, errors, spans
    public var title: String { ["start", "duration", "cost", "tokens", "LLM calls", "errors", "spans"][rawValue] }
}

public struct TraceListState: Equatable, Sendable {
    public var selected = 0
    public var top = 0
    public var sort = SortKey.start
    public var descending = false
    /// The filter typed after `/`: a trace is listed when any of its spans matches.
    public var filter: SpanFilter?
    /// For each trace with a matching span, how many of its spans match (computed when the filter or
    /// the data changes, not on every sort).
    public var matchCounts: [Int: Int] = [:]
    /// A filter typed whose matches are being counted off the UI thread (`UIRequest.countMatches`);
    /// until they come, the list stays as `filter` shows it.
    public var counting: SpanFilter?
    /// Trace indices shown, in order (filtered and sorted).
    public var rows: [Int] = []
    /// The filters shared with the dashboard (service, model, feature, time range).
    public var facets = DashboardFilter()
    /// Set when the list shows the traces behind a dashboard figure.
    public var jump: ListJump?
}

public struct TreeState: Equatable, Sendable {
    public var trace: Int
    public var folded: Set<Int32> = []
    /// Visible spans in display order.
    public var rows: [Int32] = []
    public var selected = 0
    public var top = 0
    /// The filter typed after `/`: only matching spans and their ancestors are shown.
    public var filter: SpanFilter?
    /// The spans of the trace that match the filter.
    public var matches: Set<Int32> = []
    /// The matches and their ancestors: the spans shown while the filter is on.
    public var kept: Set<Int32> = []
    /// The spans on the trace's critical path while `c` shows it; nil when hidden.
    public var criticalPath: Set<Int32>?

    /// Sets the filter and works out which spans it keeps.
    mutating func setFilter(_ filter: SpanFilter?, _ data: ViewData) {
        self.filter = filter
        (matches, kept) =
            filter?.matchesWithAncestors(inTrace: trace, store: data.store, analysis: data.analysis) ?? ([], [])
    }
}

/// The whole UI state. Changed only by `update`; drawn only by `render`.
public struct AppState: Equatable, Sendable {
    public var screen: Screen
    public var width: Int
    public var height: Int
    public var list = TraceListState()
    public var tree: TreeState?
    public var detailOpen = false
    public var detailFocused = false
    public var detailScroll = 0
    public var helpOpen = false
    public var helpScroll = 0
    /// Text being typed after `/`, or nil.
    public var prompt: String?
    /// What is wrong with the prompt's filter, once Enter was pressed on it; cleared by typing.
    public var promptError: FilterError?
    public var message: String?
    /// Live sessions (`listen`, `view --follow`): the status shown in the footer; nil for files.
    public var liveStatus: String?
    public var quit = false
    /// The dashboard while it is open or waiting to be returned to from a jump.
    public var dashboard: DashboardState?
    /// The trace store searched and fetched from, when there is one.
    public var store: StoreBrowserState?
    /// The conversations while their list or one of them is open (or a turn's trace is).
    public var sessions: SessionsState?
    /// What the shell is asked to do (search, fetch, save, compute the dashboard); it takes them
    /// after each message.
    public var requests: [UIRequest] = []
    /// Up to this many spans, work that may take longer than a frame on a million (the dashboard's
    /// figures) is done in `update`, so small files show it in the same frame; beyond, it is asked of
    /// the shell and arrives as a message.
    public var inlineWorkSpans = 20_000
    /// The open diff, and the trace `d` marked as its A side.
    public var diff: DiffState?
    public var diffMark: TraceID?

    /// `filter` (`view --filter`) filters the list and the trees opened from it, as `/` does.
    public init(
        screen: Screen, width: Int, height: Int, data: ViewData, filter: SpanFilter? = nil,
        store: StoreBrowserState? = nil
    ) {
        self.screen = screen
        self.width = width
        self.height = height
        self.store = store
        setListFilter(filter, data)
        if case .tree(let t) = screen { openTree(t, data) }
        if screen == .dashboard { openDashboard(data, returnTo: nil) }
        if screen == .sessions {
            self.screen = .traceList
            openSessions(data)
        }
        if !data.warnings.isEmpty {
            message = "\(data.warnings.count) warning(s): " + data.warnings[0]
        }
    }

    /// Whether the screen reads the dashboard's data: the dashboard is open (or waits behind a jump)
    /// or the list is filtered by its facets.
    public var needsDashboardData: Bool { dashboard != nil || !list.facets.isEmpty }

    /// The filter of the dashboard's figures while the dashboard is open (or waits behind a jump).
    public var dashboardFilter: DashboardFilter? { dashboard == nil ? nil : list.facets }

    public var context: KeyContext {
        if detailOpen && detailFocused { return .detail }
        if case .tree = screen { return .tree }
        if screen == .dashboard { return .dashboard }
        if screen == .storeResults { return .storeResults }
        if screen == .sessions { return .sessions }
        if screen == .session { return .session }
        if screen == .diff { return .diff }
        return .traceList
    }

    /// Opens trace `t`, filtered as the list is: the filter that found the trace shows where.
    mutating func openTree(_ t: Int, _ data: ViewData) {
        var tree = TreeState(trace: t)
        tree.setFilter(list.filter, data)
        tree.rows = Self.visibleRows(tree, data)
        self.tree = tree
        screen = .tree(trace: t)
        detailScroll = 0
    }

    static func visibleRows(_ tree: TreeState, _ data: ViewData) -> [Int32] {
        let forest = data.analysis.forest
        var rows: [Int32] = []
        var stack = Array(forest.traces[tree.trace].roots.reversed())
        let filtered = tree.filter != nil
        while let s = stack.popLast() {
            if filtered && !tree.kept.contains(s) { continue }
            rows.append(s)
            if !tree.folded.contains(s) { stack.append(contentsOf: forest.children(of: s).reversed()) }
        }
        return rows
    }

    static func listRows(_ list: TraceListState, _ data: ViewData) -> [Int] {
        let a = data.analysis
        var rows = list.jump?.rows ?? Array(a.forest.traces.indices)
        if !list.facets.isEmpty && list.jump == nil {
            let passing = data.dashboardData.traces(passing: list.facets, store: data.store, analysis: a, now: data.now)
            rows = rows.filter { passing.contains($0) }
        }
        if list.filter != nil { rows = rows.filter { list.matchCounts[$0] != nil } }
        func key(_ t: Int) -> Double {
            let tt = a.traceTotals[t]
            let tr = a.forest.traces[t]
            switch list.sort {
            case .start: return Double(tr.start)
            case .duration: return Double(tr.durationNanos)
            case .cost: return tt.costUSD
            case .tokens: return Double(tt.inputTokens + tt.outputTokens)
            case .llmCalls: return Double(tt.llmCalls)
            case .errors: return Double(tt.errors)
            case .spans: return Double(tt.spans)
            }
        }
        // The traces behind a dashboard figure keep its order until the user sorts.
        if list.jump?.ordered == true { return rows }
        // Figures sort largest first by default; start time oldest first.
        let descending = list.sort == .start ? list.descending : !list.descending
        // Each trace's key worked out once, not in every comparison.
        var keyed = rows.map { (key: key($0), trace: $0) }
        keyed.sort { a, b in
            if a.key == b.key { return a.trace < b.trace }
            return descending ? a.key > b.key : a.key < b.key
        }
        return keyed.map(\.trace)
    }
}
