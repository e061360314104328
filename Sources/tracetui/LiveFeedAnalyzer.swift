import ArgumentParser
import Foundation
import Synchronization
import TerminalBackend
import TraceAnalysis
import TraceModel
import TraceSources
import TraceUI

/// The analysis thread of a live session. Woken by the session when spans arrive, it analyses the
/// newest store (trees, costs, totals, and the dashboard's data and figures while the screen needs them) and posts
/// the result to the UI as a message, so the UI thread only swaps it in. One analysis at a time:
/// spans that arrive meanwhile wait for the next round, and the store is copied only as often as it
/// is analysed.
final class LiveFeedAnalyzer: Sendable {
    private let session: LiveSession
    private let prices: PriceTable
    private let title: String
    private let inbox: Inbox
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Set between a wake-up and the round it starts, so a burst of changes wakes the thread once.
    private let wakeUpPending = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// What the screen needs from each round beyond the analysis (set by the UI thread).
    private let wanted = Mutex<(data: Bool, figures: DashboardFilter?)>((false, nil))
    private let done = DispatchSemaphore(value: 0)

    init(session: LiveSession, prices: PriceTable, title: String, inbox: Inbox) {
        self.session = session
        self.prices = prices
        self.title = title
        self.inbox = inbox
    }

    /// What the UI shows before the first spans arrive.
    var empty: ViewData {
        let store = SpanStore()
        return ViewData(store: store, analysis: Analysis(store: store, prices: prices), title: title, warnings: [])
    }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "tracetui-analysis"
        t.start()
    }

    /// Called by the session (on its thread) when it holds something new.
    func sessionChanged() {
        if !wakeUpPending.exchange(true, ordering: .acquiringAndReleasing) { wakeUp.signal() }
    }

    /// Whether the screen shows the dashboard (with which filter) or filters the list by it: then each
    /// round also extracts the dashboard's data and computes its figures, off the UI thread.
    func want(dashboardData: Bool, figures filter: DashboardFilter?) {
        wanted.withLock { $0 = (dashboardData, filter) }
    }

    /// Ends the thread after the round in progress.
    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeUp.signal()
        done.wait()
    }

    private func run() {
        var seen: UInt64 = 0
        while true {
            wakeUp.wait()
            wakeUpPending.store(false, ordering: .releasing)
            if stopped.load(ordering: .acquiring) { break }
            guard let (store, generation) = session.snapshot(after: seen) else { continue }
            seen = generation
            let analysis = Analysis(store: store, prices: prices)
            // Live, the dashboard's windows end at the clock, not at the newest span.
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let data = ViewData(store: store, analysis: analysis, title: title, warnings: analysis.warnings, now: now)
            // Read after the round, so what `D` asked for while it ran is ready when it is adopted
            // (until then the UI asks for the figures itself, off its thread: `UIRequest.dashboard`).
            let (wantsData, figures) = wanted.withLock { $0 }
            if wantsData { data.prepareDashboardData() }
            if let figures { data.prepareDashboard(filter: figures) }
            inbox.post(.liveData(data))
        }
        done.signal()
    }
}

/// Runs the terminal UI over a live session that is not started yet: starts it with the analysis
/// thread and the status line wired to the UI's inbox, and returns when the user quits (a stop signal
/// becomes the exit status 128 + signal, after the callers' cleanup).
@MainActor
func runLiveTerminalUI(
    session: LiveSession, prices: PriceTable, title: String,
    extraStatus: @escaping @Sendable () -> String? = { nil }
) throws {
    let inbox = try Inbox()
    let analyzer = LiveFeedAnalyzer(session: session, prices: prices, title: title, inbox: inbox)
    analyzer.start()
    defer { analyzer.stop() }
    let statusLine: @Sendable () -> String = {
        var line = "▲ " + session.currentStatus.line
        if let extra = extraStatus() { line += " · " + extra }
        return line
    }
    inbox.post(.liveStatus(statusLine()))
    session.start {
        inbox.post(.liveStatus(statusLine()))
        analyzer.sessionChanged()
    }
    let look = Appearance.from(environment: ProcessInfo.processInfo.environment)
    do {
        // No store here: `w` saves a trace of the live session; `S` says a store is needed.
        let requests = RequestHandler(
            client: nil, inbox: inbox, prices: prices, featureKeys: analyzer.empty.featureKeys)
        try runTerminalUI(
            data: analyzer.empty, start: .traceList, appearance: look, inbox: inbox,
            demand: { state in analyzer.want(dashboardData: state.needsDashboardData, figures: state.dashboardFilter) },
            requests: requests.handle)
    } catch let stop as StoppedBySignal {
        throw ExitCode(128 + stop.signal)
    }
}
