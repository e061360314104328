import CNcursesw
import TraceUI

#if canImport(Glibc)
    import Glibc
#endif

public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// The ncurses terminal: the only code that talks to ncurses. It turns key presses and resizes into
/// `Msg`s and copies changed cells of each rendered `CellGrid` to the screen. One owner: everything
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
    private var previous: CellGrid?
    private let colors: Bool
    /// The keyboard side went away (the SSH connection or the terminal window closed): nothing more
    /// will come, and waiting again would spin.
    public private(set) var inputClosed = false

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
        screen = term
        set_term(term)
        window = tt_stdscr()!
        if getenv("ESCDELAY") == nil { set_escdelay(25) }
        raw()
        noecho()
        nonl()
        keypad(window, true)
        Terminal.defineCommonKeySequences()
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
        Terminal.installSignalHandlers()
        tt_announce_resizes_to(resizes.writeEnd)
    }

    public var size: (width: Int, height: Int) { (Int(tt_getmaxx(window)), Int(tt_getmaxy(window))) }

    /// Sleeps until there is something to do — a key, a resize, or messages posted to `inbox` — and
    /// returns it. Keys ncurses has already buffered (the rest of an escape sequence, a paste) come
    /// first, since `poll` cannot see them.
    public func nextMessages(inbox: Inbox?) -> [Msg] {
        wtimeout(window, 0)
        if let key = readKey() { return [key] }
        var fds = [
            pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: resizes.readEnd, events: Int16(POLLIN), revents: 0),
        ]
        if let inbox { fds.append(pollfd(fd: inbox.fd, events: Int16(POLLIN), revents: 0)) }
        guard poll(&fds, nfds_t(fds.count), -1) > 0 else { return [] }
        var messages = inbox.map { fds[2].revents != 0 ? $0.take() : [] } ?? []
        if fds[1].revents != 0 {
            resizes.drain()
            messages.append(resized())
        }
        if fds[0].revents != 0 {
            if let key = readKey() {
                messages.append(key)
            } else if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                inputClosed = true
            }
        }
        return messages
    }

    /// Tells ncurses the terminal's new size (asked from the terminal itself) and says it as a message.
    private func resized() -> Msg {
        var size = winsize()
        if ioctl(outputFD, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 {
            resizeterm(Int32(size.ws_row), Int32(size.ws_col))
        }
        return .resize(width: self.size.width, height: self.size.height)
    }

    /// The next key or resize ncurses can read without waiting (beyond `ESCDELAY` inside an escape
    /// sequence), or nil.
    private func readKey() -> Msg? {
        var ch: wint_t = 0
        let r = wget_wch(window, &ch)
        if r == ERR { return nil }
        if r == tt_key_code_yes() {
            let code = Int32(ch)
            // Queued by our own `resizeterm` call; the resize was reported when it was made.
            if code == tt_key_resize() { return nil }
            switch code {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_BTAB: return .key(.backTab)
            default: return nil
            }
        }
        switch ch {
        case 13, 10: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 127, 8: return .key(.backspace)
        case 3: return .key(.char("q"))  // Ctrl-C in raw mode
        default:
            guard ch >= 32, let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .key(.char(Character(scalar)))
        }
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
        endwin()
        delscreen(screen)
        fclose(input)
        fclose(output)
    }

    /// Sequences terminals send whatever `TERM` says (PuTTY or tmux under `TERM=xterm`, the Linux
    /// console, rxvt; cursor keys in normal and application mode), so that none arrives as Esc
    /// followed by letters, which would close a screen or quit. `define_key` skips nothing the
    /// terminal's own description defines.
    private static func defineCommonKeySequences() {
        let sequences: [(String, Int32)] = [
            ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME),
            ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END),
            ("\u{1B}[5~", KEY_PPAGE), ("\u{1B}[6~", KEY_NPAGE),
            ("\u{1B}[A", KEY_UP), ("\u{1B}[B", KEY_DOWN), ("\u{1B}[C", KEY_RIGHT), ("\u{1B}[D", KEY_LEFT),
            ("\u{1B}OA", KEY_UP), ("\u{1B}OB", KEY_DOWN), ("\u{1B}OC", KEY_RIGHT), ("\u{1B}OD", KEY_LEFT),
            ("\u{1B}[Z", KEY_BTAB),
        ]
        for (sequence, key) in sequences where key_defined(sequence) == 0 { define_key(sequence, key) }
    }

    /// On a fatal signal the terminal is restored before anything else, so the user's shell is usable.
    private static func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM, SIGSEGV, SIGABRT, SIGBUS, SIGHUP] {
            signal(sig) { s in
                endwin()
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }
}

/// Runs the UI loop until the user quits: messages in (keys, resizes, and what other threads post to
/// `inbox`), `update`, `render`, draw. Sleeps until there is a message; redraws after every batch of
/// messages that changed the state or the data. `demand` sees the state after each batch, for the
/// shell to tell background work what the screen needs next (the dashboard's data, live). With
/// `TRACETUI_FRAME_LOG=FILE` in the environment, each batch's messages and the time spent on them
/// (update, render and draw, in ms) are appended to FILE: what `scripts/bench/live-keys.sh` reads.
@MainActor
public func runTerminalUI(
    data: ViewData, start: Screen, appearance: Appearance, inbox: Inbox? = nil,
    demand: (AppState) -> Void = { _ in }
) throws {
    let terminal = try Terminal(color: appearance.color)
    defer { terminal.close() }
    let frameLog = getenv("TRACETUI_FRAME_LOG").flatMap { fopen($0, "a") }
    defer { if let frameLog { fclose(frameLog) } }
    var data = data
    var state = AppState(screen: start, width: terminal.size.width, height: terminal.size.height, data: data)
    terminal.draw(render(state, data, appearance))
    while !state.quit && !terminal.inputClosed {
        let messages = terminal.nextMessages(inbox: inbox)
        let started = monotonicNanos()
        let before = state
        var changed = false
        for msg in messages {
            update(&state, msg, &data)
            if case .key = msg {} else { changed = true }
        }
        demand(state)
        if changed || state != before { terminal.draw(render(state, data, appearance)) }
        if let frameLog {
            let kinds = messages.map(\.kind).joined(separator: ",")
            fputs("\(kinds) \(Double(monotonicNanos() - started) / 1e6)\n", frameLog)
            fflush(frameLog)
        }
    }
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
        }
    }
}
