import TerminalBackend
import TraceUI
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The ncurses backend against a real pseudo-terminal: `newterm` on the pty, a grid drawn as the
/// terminal's own escape sequences, keys and escape sequences read back as messages, SIGWINCH as a
/// resize, and messages from another thread waking the loop.
@MainActor
final class PseudoTerminalTests: XCTestCase {
    var master: Int32 = -1
    var slave: Int32 = -1

    override func setUp() async throws {
        setenv("LC_ALL", "C.UTF-8", 1)
        // posix_openpt and friends are hidden from Swift's Glibc module; these are their Linux ioctls.
        let getPTYNumber: UInt = 0x8004_5430
        let setPTYLock: UInt = 0x4004_5431  // TIOCGPTN, TIOCSPTLCK
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(master, 0)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        XCTAssertEqual(ioctl(master, setPTYLock, &unlock), 0)
        XCTAssertEqual(ioctl(master, getPTYNumber, &number), 0)
        slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(slave, 0)
        setSize(width: 40, height: 10)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    override func tearDown() async throws {
        close(slave)
        if master >= 0 { close(master) }
    }

    func setSize(width: Int, height: Int) {
        var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Everything the program wrote to the terminal so far.
    func output() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<50 {
            let n = read(master, &chunk, chunk.count)
            if n > 0 {
                bytes += chunk[0..<n]
                continue
            }
            if !bytes.isEmpty { break }
            usleep(10_000)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func type(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
    }

    func testDrawsKeysResizesAndPostedMessages() async throws {
        let terminal = try Terminal(color: true, type: "xterm-256color", inputFD: slave, outputFD: slave)
        defer { terminal.close() }
        XCTAssertEqual(terminal.size.width, 40)
        XCTAssertEqual(terminal.size.height, 10)

        var grid = CellGrid(width: 40, height: 10)
        grid.put("trace 模型 ok", x: 2, y: 3, style: Style(fg: .red, bold: true))
        terminal.draw(grid)
        let drawn = output()
        XCTAssertTrue(drawn.contains("trace 模型 ok"), drawn.debugDescription)
        XCTAssertTrue(drawn.contains("\u{1B}[?1049h"), "xterm's alternate screen is entered: \(drawn.debugDescription)")
        XCTAssertTrue(drawn.contains("\u{1B}[0;1m\u{1B}[31mtrace 模型 ok"), "bold and red: \(drawn.debugDescription)")

        // Only changed cells are sent the second time.
        grid.put("X", x: 2, y: 3, style: Style(fg: .red, bold: true))
        terminal.draw(grid)
        let redrawn = output()
        XCTAssertTrue(redrawn.contains("X"), redrawn.debugDescription)
        XCTAssertFalse(redrawn.contains("ok"), "unchanged cells are not sent again: \(redrawn.debugDescription)")

        type("j")
        guard case .key(.char("j"))? = terminal.nextMessages(inbox: nil).first else { return XCTFail("j") }
        type("\u{1B}OB")  // cursor down in the keypad mode ncurses turned on (`ESC [ ? 1 h`)
        guard case .key(.down)? = terminal.nextMessages(inbox: nil).first else { return XCTFail("cursor down") }
        // Sequences other terminals send whatever TERM says: none may arrive as Esc (which quits).
        for (sequence, name) in [
            ("\u{1B}[1~", "home"), ("\u{1B}[4~", "end"), ("\u{1B}[H", "home"), ("\u{1B}[F", "end"),
        ] {
            type(sequence)
            let got = terminal.nextMessages(inbox: nil)
            switch (got.first, name) {
            case (.key(.home)?, "home"), (.key(.end)?, "end"): break
            default: XCTFail("\(sequence.debugDescription) gave \(got), not \(name)")
            }
        }
        type("\u{1B}[B")
        guard case .key(.down)? = terminal.nextMessages(inbox: nil).first else { return XCTFail("ESC [ B") }
        type("\t")
        guard case .key(.tab)? = terminal.nextMessages(inbox: nil).first else { return XCTFail("tab") }

        setSize(width: 100, height: 30)
        raise(SIGWINCH)
        guard case .resize(let w, let h)? = terminal.nextMessages(inbox: nil).first else { return XCTFail("resize") }
        XCTAssertEqual([w, h], [100, 30])

        let inbox = try Inbox()
        let poster = Thread {
            inbox.post(.liveStatus("▲ 1 spans received"))
            inbox.post(.liveStatus("▲ 2 spans received"))
        }
        poster.start()
        var messages: [Msg] = []
        while messages.isEmpty { messages = terminal.nextMessages(inbox: inbox) }
        guard case .liveStatus(let line)? = messages.last else { return XCTFail("status") }
        XCTAssertTrue(["▲ 1 spans received", "▲ 2 spans received"].contains(line))
        if messages.count == 1 && line == "▲ 1 spans received" {
            // The second status arrived after the loop woke: it is the next message.
            guard case .liveStatus("▲ 2 spans received")? = terminal.nextMessages(inbox: inbox).last else {
                return XCTFail("second")
            }
        }
    }

    /// The terminal going away (a dropped SSH connection) ends the loop instead of spinning on it.
    func testAClosedTerminalIsNoticed() async throws {
        let terminal = try Terminal(color: false, type: "xterm-256color", inputFD: slave, outputFD: slave)
        defer { terminal.close() }
        close(master)
        master = -1
        XCTAssertFalse(terminal.inputClosed)
        var messages: [Msg] = []
        for _ in 0..<3 where !terminal.inputClosed { messages += terminal.nextMessages(inbox: nil) }
        XCTAssertTrue(terminal.inputClosed)
        XCTAssertTrue(messages.isEmpty)
    }

    func testAnUnknownTerminalTypeIsAClearError() async {
        XCTAssertThrowsError(try Terminal(color: false, type: "no-such-terminal-xyz", inputFD: slave, outputFD: slave))
        { error in
            XCTAssertEqual(
                String(describing: error),
                "cannot open the terminal (TERM=no-such-terminal-xyz); try TERM=xterm-256color, or --plain")
        }
    }
}
