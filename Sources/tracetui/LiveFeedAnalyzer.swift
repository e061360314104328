import Foundation
import TraceAnalysis
import TraceModel
import TraceSources
import TraceUI

/// Feeds the live TUI: a thread of its own takes the session's newest store, analyses it (trees,
/// costs, totals) and publishes the `ViewData`, so the UI thread only swaps it in. One analysis at a
/// time: while a big store is analysed, new spans wait for the next round, and the store is copied
/// only as often as it is analysed.
final class LiveFeedAnalyzer: LiveFeed, @unchecked Sendable {
    private let session: LiveSession
    private let prices: PriceTable
    private let title: String
    private let extraStatus: () -> String?
    private let lock = NSLock()
    private var published: (data: ViewData, generation: UInt64)
    private var stopped = false
    private var thread: Thread?

    init(session: LiveSession, prices: PriceTable, title: String, extraStatus: @escaping () -> String? = { nil }) {
        self.session = session
        self.prices = prices
        self.title = title
        self.extraStatus = extraStatus
        let empty = SpanStore()
        published = (ViewData(store: empty, analysis: Analysis(store: empty, prices: prices), title: title, warnings: []), 0)
    }

    var initial: ViewData { lock.lock(); defer { lock.unlock() }; return published.data }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "tracetui-analysis"
        thread = t
        t.start()
    }

    func stop() { lock.lock(); stopped = true; lock.unlock() }

    private func run() {
        var seen: UInt64 = 0
        while true {
            lock.lock(); let stop = stopped; lock.unlock()
            if stop { return }
            guard let (store, generation) = session.snapshot(after: seen) else {
                usleep(15_000)
                continue
            }
            seen = generation
            let analysis = Analysis(store: store, prices: prices)
            // Live, the dashboard's windows end at the clock, not at the newest span.
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let data = ViewData(store: store, analysis: analysis, title: title, warnings: analysis.warnings, now: now)
            lock.lock()
            published = (data, generation)
            lock.unlock()
        }
    }

    func latest(after generation: UInt64) -> (data: ViewData, generation: UInt64)? {
        lock.lock(); defer { lock.unlock() }
        return published.generation > generation ? published : nil
    }

    var statusLine: String {
        let status = session.currentStatus
        var line = "▲ " + status.line
        if let extra = extraStatus() { line += " · " + extra }
        return line
    }
}
