import Foundation
import TraceUI

/// The TUI's loop without the terminal: each key goes through `update`, then `render` draws the
/// whole grid (the loop skips the render when nothing changed; here every key pays it). Both are
/// timed together on the monotonic clock, per kind of key.
struct Replay {
    var state: AppState
    var data: ViewData
    let look = Appearance()
    /// Milliseconds per key, by kind, with the kinds in the order they were first pressed.
    private(set) var samples: [String: [Double]] = [:]
    private(set) var kinds: [String] = []
    /// The keys of each kind, as the table shows them.
    private var keyLabels: [String: [String]] = [:]
    /// Every key pressed: its kind, label and time, for the slowest ones.
    private(set) var presses: [(kind: String, key: String, ms: Double)] = []
    /// The last frame drawn, kept so that the render is used.
    private(set) var frame: CellGrid

    init(state: AppState, data: ViewData) {
        self.state = state
        self.data = data
        frame = render(state, data, look)
    }

    /// The work the shell does off the UI thread for the keys, in ms each, by the kind of the message
    /// that brings it (the dashboard's figures, the conversations, a list filter's matches): a
    /// filter's first hit shows after its key, this work and its message.
    private(set) var background: [(kind: String, ms: Double)] = []

    /// Presses `key` (`label` as the user would write it) and records its time under `kind`. What the
    /// key asked of the shell is then done as the shell does it: the dashboard's figures, the
    /// conversations or a list filter's matches are computed (off the clock of keys: the TUI does it
    /// on another thread, timed in `background`) and their message is fed to `update` and timed as
    /// one more message.
    mutating func press(_ key: Key, _ label: String, as kind: String) {
        time(.key(key), label, as: kind)
        let requests = state.requests
        state.requests.removeAll()
        for request in requests {
            let start = monotonicNanos()
            let message: (Msg, kind: String)
            switch request {
            case .dashboard(let filter):
                data.prepareDashboard(filter: filter)
                message = (.dashboardPrepared, "dashboard: figures arrive")
            case .sessions:
                data.prepareSessions()
                message = (.sessionsPrepared, "sessions: grouped, arrive")
            case .countMatches(let filter):
                data.prepareMatchCounts(filter)
                message = (.matchesCounted, "list: a filter's matches arrive")
            default: continue
            }
            background.append((message.kind, Double(monotonicNanos() - start) / 1e6))
            time(message.0, "(message)", as: message.kind)
        }
    }

    private mutating func time(_ msg: Msg, _ label: String, as kind: String) {
        let start = monotonicNanos()
        update(&state, msg, &data)
        frame = render(state, data, look)
        let ms = Double(monotonicNanos() - start) / 1e6
        if samples[kind] == nil { kinds.append(kind) }
        samples[kind, default: []].append(ms)
        if !(keyLabels[kind]?.contains(label) ?? false) { keyLabels[kind, default: []].append(label) }
        presses.append((kind, label, ms))
    }

    /// Presses `key` `times` times.
    mutating func press(_ key: Key, _ label: String, times: Int, as kind: String) {
        for _ in 0..<times { press(key, label, as: kind) }
    }

    /// Types `text` one character at a time.
    mutating func type(_ text: String, as kind: String) {
        for c in text { press(.char(c), String(c), as: kind) }
    }

    func labels(of kind: String) -> String { keyLabels[kind]?.joined(separator: " ") ?? "" }
}

/// Nearest-rank percentile of sorted values: with fewer than 100 samples, p99 is the maximum.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
}

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Stops the run when the script did not reach the screen it meant to time: a changed key binding
/// must not leave a figure that measures something else.
func expect(_ condition: Bool, _ what: String) {
    guard condition else {
        FileHandle.standardError.write(Data("tracetui-keybench: the script went wrong: \(what)\n".utf8))
        exit(2)
    }
}
