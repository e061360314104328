@preconcurrency import CNcursesw
#if canImport(Glibc)
import Glibc
#endif
import TraceUI

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
    private var previous: CellGrid?
    private let colors: Bool

    /// Opens the terminal named by `TERM` on the process's tty (stdin/stdout).
    public init(color: Bool) throws {
        setlocale(LC_ALL, "")
        guard let term = newterm(nil, stdout, stdin) else {
            let name = String(cString: getenv("TERM") ?? strdup("(unset)"))
            throw TerminalError(description: "cannot open the terminal (TERM=\(name)); try TERM=xterm-256color, or --plain")
        }
        screen = term
        set_term(term)
        window = tt_stdscr()!
        if getenv("ESCDELAY") == nil { set_escdelay(25) }
        raw()
        noecho()
        nonl()
        keypad(window, true)
        curs_set(0)
        colors = color && has_colors()
        if colors {
            start_color()
            use_default_colors()
            let map: [(Color, Int16)] = [(.red, Int16(COLOR_RED)), (.green, Int16(COLOR_GREEN)), (.yellow, Int16(COLOR_YELLOW)),
                                         (.blue, Int16(COLOR_BLUE)), (.magenta, Int16(COLOR_MAGENTA)), (.cyan, Int16(COLOR_CYAN)),
                                         (.gray, Int16(COLOR_WHITE))]
            for (c, n) in map { init_pair(Int16(c.rawValue), n, -1) }
        }
        Terminal.installSignalHandlers()
    }

    public var size: (width: Int, height: Int) { (Int(tt_getmaxx(window)), Int(tt_getmaxy(window))) }

    /// How long `nextMessage` waits for a key before returning nil; negative waits for ever.
    public func setInputTimeout(milliseconds: Int) { wtimeout(window, Int32(milliseconds)) }

    /// Blocks until the next key or resize (or the input timeout).
    public func nextMessage() -> Msg? {
        var ch: wint_t = 0
        let r = wget_wch(window, &ch)
        if r == ERR { return nil }
        if r == tt_key_code_yes() {
            let code = Int32(ch)
            if code == tt_key_resize() { return .resize(width: size.width, height: size.height) }
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
        endwin()
        delscreen(screen)
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

/// Runs the UI loop until the user quits: message in, `update`, `render`, draw. Redraws only after a
/// message changed the state.
@MainActor
public func runTerminalUI(data: ViewData, start: Screen, appearance: Appearance) throws {
    let terminal = try Terminal(color: appearance.color)
    defer { terminal.close() }
    var state = AppState(screen: start, width: terminal.size.width, height: terminal.size.height, data: data)
    terminal.draw(render(state, data, appearance))
    while !state.quit {
        guard let msg = terminal.nextMessage() else { continue }
        let before = state
        update(&state, msg, data)
        if state != before || msg == .resize(width: state.width, height: state.height) {
            terminal.draw(render(state, data, appearance))
        }
    }
}
