import CNcursesw
import Dispatch
import TraceAnalysis
import TraceUI

#if canImport(Glibc)
    import Glibc
#endif

public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// The UI ended because of SIGINT, SIGTERM or SIGHUP; the terminal is restored. Commands exit with
/// 128 + `signal`, as a shell reports a process the signal ended.
public struct StoppedBySignal: Error {
    public let signal: Int32
}

/// The ncurses terminal: the only code that talks to ncurses. It turns key presses (bytes read from
/// the tty, decoded by `KeyDecoder`) and resizes into `Msg`s and copies changed cells of each rendered `CellGrid` to the screen. One owner: everything
/// here runs on the main actor, so no other thread can reach ncurses.
@MainActor
public final class Terminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let input: UnsafeMutablePointer<FILE>
    private let output: UnsafeMutablePointer<FILE>
    private let inputFD: Int32
    private let outputFD: Int32
    /// Written to by the SIGWINCH handler; polled with the keyboard.
    private let resizes: WakePipe
    /// Written to by the SIGINT/SIGTERM/SIGHUP handler; polled with the keyboard.
    private let stops: WakePipe
    private var previous: CellGrid?
    private let colors: Bool
    private var keys = KeyDecoder()
    /// How long the rest of an escape sequence may take to arrive (`ESCDELAY`, as ncurses calls it).
    private let escapeDelayMs: Int32
    /// The keyboard side went away (the SSH connection or the terminal window closed): nothing more
    /// will come, and waiting again would spin.
    public private(set) var inputClosed = false
    /// The stop signal that arrived, if one did: the loop ends as on `q`.
    public private(set) var stoppedBy: Int32?

    /// Opens the terminal named by `TERM` (or `type`) on the process's tty (stdin/stdout), or on the
    /// given descriptors (a pseudo-terminal in tests).
    public init(color: Bool, type: String? = nil, inputFD: Int32 = STDIN_FILENO, outputFD: Int32 = STDOUT_FILENO) throws
    {
        setlocale(LC_ALL, "")
        guard let input = fdopen(dup(inputFD), "r"), let output = fdopen(dup(outputFD), "w") else {
            throw TerminalError(description: "cannot open the terminal: \(String(cString: strerror(errno)))")
        }
        guard let term = newterm(type, output, input) else {
            fclose(input)
            fclose(output)
            let name = type ?? getenv("TERM").map { String(cString: $0) } ?? "(unset)"
            throw TerminalError(
                description: "cannot open the terminal (TERM=\(name)); try TERM=xterm-256color, or --plain")
        }
        self.input = input
        self.output = output
        self.inputFD = fileno(input)
        self.outputFD = fileno(output)
        resizes = try WakePipe()
        stops = try WakePipe()
        screen = term
        set_term(term)
        window = tt_stdscr()!
        escapeDelayMs = getenv("ESCDELAY").flatMap { Int32(String(cString: $0)) } ?? 25
        raw()
        noecho()
        nonl()
        // Keys are read as bytes and decoded by `KeyDecoder`, not by ncurses from the terminfo entry
        // `TERM` names, which misses what many terminals really send; ncurses only draws, and must
        // not read ahead on the keyboard to look for typeahead either.
        keypad(window, false)
        typeahead(-1)
        curs_set(0)
        colors = color && has_colors()
        if colors {
            start_color()
            use_default_colors()
            let map: [(Color, Int16)] = [
                (.red, Int16(COLOR_RED)), (.green, Int16(COLOR_GREEN)), (.yellow, Int16(COLOR_YELLOW)),
                (.blue, Int16(COLOR_BLUE)), (.magenta, Int16(COLOR_MAGENTA)), (.cyan, Int16(COLOR_CYAN)),
                (.gray, Int16(COLOR_WHITE)),
            ]
            for (c, n) in map { init_pair(Int16(c.rawValue), n, -1) }
        }
        tt_restore_terminal_on_signals(stops.writeEnd)
        tt_announce_resizes_to(resizes.writeEnd)
    }

    public var size: (width: Int, height: Int) { (Int(tt_getmaxx(window)), Int(tt_getmaxy(window))) }

    /// Sleeps until there is something to do — keys, a resize, or messages posted to `inbox` — and
    /// returns it. While the keys read so far end in the start of an escape sequence, waits at most
    /// the escape delay for the rest; if none comes, a lone ESC is the Esc key.
    public func nextMessages(inbox: Inbox?) -> [Msg] {
        var fds = [
            pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: resizes.readEnd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stops.readEnd, events: Int16(POLLIN), revents: 0),
        ]
        if let inbox { fds.append(pollfd(fd: inbox.fd, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&fds, nfds_t(fds.count), keys.isWaiting ? escapeDelayMs : -1)
        if ready == 0 { return keys.flush().map { .key($0) } }
        guard ready > 0 else { return [] }
        if fds[2].revents != 0 {
            stoppedBy = tt_stop_signal_received()
            return []
        }
        var messages = inbox.map { fds[3].revents != 0 ? $0.take() : [] } ?? []
        if fds[1].revents != 0 {
            resizes.drain()
            messages.append(resized())
        }
        if fds[0].revents != 0 { messages += readKeys() }
        return messages
    }

    /// Reads what the keyboard sent and decodes it; end of input (the terminal went away) ends the
    /// loop instead of spinning.
    private func readKeys() -> [Msg] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(inputFD, &buffer, buffer.count)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return [] }
        guard n > 0 else {
            inputClosed = true
            return []
        }
        return keys.feed(Array(buffer[..<n])).map { .key($0) }
    }

    /// Tells ncurses the terminal's new size (asked from the terminal itself) and says it as a message.
    private func resized() -> Msg {
        var size = winsize()
        if ioctl(outputFD, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 {
            resizeterm(Int32(size.ws_row), Int32(size.ws_col))
        }
        return .resize(width: self.size.width, height: self.size.height)
    }

    /// Copies the cells that changed since the last frame and refreshes once.
    public func draw(_ grid: CellGrid) {
        let full = previous.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if full { werase(window) }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.continuation { continue }
                if !full, let p = previous, p[x, y] == cell { continue }
                var attrs = tt_a_normal()
                if cell.style.bold { attrs |= tt_a_bold() }
                if cell.style.reverse { attrs |= tt_a_reverse() }
                if cell.style.dim { attrs |= tt_a_dim() }
                let pair: Int16 = colors ? Int16(cell.style.fg.rawValue) : 0
                // The last cell of the screen: writing it scrolls on some terminals; ncurses handles it via insch.
                _ = tt_put_cell(window, Int32(y), Int32(x), wchar_t(bitPattern: cell.scalar.value), attrs, pair)
            }
        }
        previous = grid
        wrefresh(window)
    }

    public func close() {
        tt_announce_resizes_to(-1)
        tt_restore_terminal_on_signals(-1)
        endwin()
        delscreen(screen)
        fclose(input)
        fclose(output)
    }
}

/// Runs the UI loop until the user quits (or SIGINT, SIGTERM or SIGHUP arrives: then it throws
/// `StoppedBySignal` once the terminal is restored): messages in (keys, resizes, and what other threads post to
/// `inbox`), `update`, `render`, draw. Sleeps until there is a message; redraws after every batch of
/// messages that changed the state or the data. `demand` sees the state after each batch, for the
/// shell to tell background work what the screen needs next (the dashboard's data, live);
/// `requests` is handed each `UIRequest` the UI makes (search, fetch, save, the dashboard's figures), whose answers come
/// back as messages through `inbox`. A `diff` opens on the diff screen, `q` quitting from it. With
/// `TRACETUI_FRAME_LOG=FILE` in the environment, each batch's messages and the time spent on them
/// (update, render and draw, in ms) are appended to FILE: what `scripts/bench/live-keys.sh` reads.
@MainActor
public func runTerminalUI(
    data: ViewData, start: Screen, filter: SpanFilter? = nil, appearance: Appearance, inbox: Inbox? = nil,
    store: StoreBrowserState? = nil, diff: DiffState? = nil, demand: (AppState) -> Void = { _ in },
    requests: (UIRequest, ViewData) -> Void
) throws {
    let terminal = try Terminal(color: appearance.color)
    defer { terminal.close() }
    let frameLog = getenv("TRACETUI_FRAME_LOG").flatMap { fopen($0, "a") }
    defer { if let frameLog { fclose(frameLog) } }
    var data = data
    var state = AppState(
        screen: start, width: terminal.size.width, height: terminal.size.height, data: data, filter: filter,
        store: store)
    if let diff { state.openDiff(diff, returnTo: nil) }
    // The first screen may ask for work already (the dashboard's figures, `view --dashboard`).
    for request in state.requests { requests(request, data) }
    state.requests.removeAll()
    terminal.draw(render(state, data, appearance))
    while !state.quit && !terminal.inputClosed && terminal.stoppedBy == nil {
        let messages = terminal.nextMessages(inbox: inbox)
        let started = monotonicNanos()
        let before = state
        var changed = false
        for msg in messages {
            let replaced: ViewData? = if case .liveData = msg { data } else { nil }
            update(&state, msg, &data)
            if let replaced { release(replaced) }
            if case .key = msg {} else { changed = true }
            // The shell takes what the UI asked for; answers come back through the inbox.
            for request in state.requests { requests(request, data) }
            state.requests.removeAll()
        }
        demand(state)
        if changed || state != before { terminal.draw(render(state, data, appearance)) }
        if let frameLog {
            let kinds = messages.map(\.kind).joined(separator: ",")
            fputs("\(kinds) \(Double(monotonicNanos() - started) / 1e6)\n", frameLog)
            fflush(frameLog)
        }
    }
    if let signal = terminal.stoppedBy { throw StoppedBySignal(signal: signal) }
}

/// Lets go of data a newer generation replaced on another thread: freeing the analysis of a million
/// live spans (hundreds of MB of per-span arrays) is work the UI thread should not wait for.
private func release(_ data: ViewData) {
    let replaced = data
    DispatchQueue.global(qos: .utility).async { withExtendedLifetime(replaced) {} }
}

private func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

extension Msg {
    /// The message's case, for the frame log.
    fileprivate var kind: String {
        switch self {
        case .key: return "key"
        case .resize: return "resize"
        case .liveData: return "data"
        case .liveStatus: return "status"
        case .storeResults: return "results"
        case .storeTrace: return "trace"
        case .storeVocabulary, .storeOperations: return "words"
        case .storeFailed: return "failed"
        case .notice: return "notice"
        case .dashboardPrepared: return "dashboard"
        case .sessionsPrepared: return "sessions"
        case .matchesCounted: return "matches"
        }
    }
}
