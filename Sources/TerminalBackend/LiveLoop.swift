#if canImport(Glibc)
import Glibc
#endif
import TraceUI

/// Runs the UI loop on live data until the user quits. Keys are handled as they come; new data from
/// `feed` (analysed on the feed's own thread) is swapped in keeping the user's place, selection and
/// folds (`AppState.adopt`). The screen is redrawn only when something changed, and for new data at
/// most about 30 times a second.
@MainActor
public func runLiveTerminalUI(feed: LiveFeed, initial: ViewData, appearance: Appearance) throws {
    let terminal = try Terminal(color: appearance.color)
    defer { terminal.close() }
    let frameNanos: UInt64 = 33_000_000
    terminal.setInputTimeout(milliseconds: 33)
    var data = initial
    var generation: UInt64 = 0
    if let first = feed.latest(after: 0) { data = first.data; generation = first.generation }
    var state = AppState(screen: .traceList, width: terminal.size.width, height: terminal.size.height, data: data)
    state.liveStatus = feed.statusLine
    terminal.draw(render(state, data, appearance))
    var lastDraw = nowNanos()
    var dirty = false
    while !state.quit {
        let msg = terminal.nextMessage()
        if let msg {
            let before = state
            update(&state, msg, data)
            if state != before || msg == .resize(width: state.width, height: state.height) {
                terminal.draw(render(state, data, appearance))
                lastDraw = nowNanos()
            }
            if state.quit { break }
        }
        if let next = feed.latest(after: generation) {
            state.adopt(next.data, replacing: data)
            data = next.data
            generation = next.generation
            dirty = true
        }
        let status = feed.statusLine
        if status != state.liveStatus { state.liveStatus = status; dirty = true }
        if dirty && nowNanos() - lastDraw >= frameNanos {
            terminal.draw(render(state, data, appearance))
            lastDraw = nowNanos()
            dirty = false
        }
    }
}

private func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
