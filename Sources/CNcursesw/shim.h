#ifndef TRACETUI_NCURSES_SHIM_H
#define TRACETUI_NCURSES_SHIM_H
// SwiftPM drops pkg-config's -D flags: the wide-character API needs this before curses.h.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros Swift cannot import, as functions.
static inline attr_t tt_a_bold(void) { return A_BOLD; }
static inline attr_t tt_a_reverse(void) { return A_REVERSE; }
static inline attr_t tt_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tt_a_dim(void) { return A_DIM; }
static inline attr_t tt_a_normal(void) { return A_NORMAL; }
static inline attr_t tt_color_pair(short n) { return COLOR_PAIR(n); }
static inline int tt_lines(void) { return LINES; }
static inline int tt_cols(void) { return COLS; }
static inline int tt_colors(void) { return COLORS; }
static inline WINDOW *tt_stdscr(void) { return stdscr; }
static inline int tt_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int tt_getmaxx(WINDOW *w) { return getmaxx(w); }
/// Draws one cell: a base character (and no combining marks) with attributes and a colour pair.
static inline int tt_put_cell(WINDOW *w, int y, int x, wchar_t ch, attr_t attrs, short pair) {
    cchar_t cell;
    wchar_t text[2] = { ch, 0 };
    setcchar(&cell, text, attrs, pair, NULL);
    return mvwadd_wch(w, y, x, &cell);
}

/// Where SIGWINCH is announced: the write end of the terminal's resize pipe. The signal may be
/// delivered to any thread of the process, so the handler only writes a byte, which wakes the UI
/// loop's poll wherever the signal landed.
static int tt_resize_fd = -1;
static void tt_on_resize(int sig) {
    (void)sig;
    if (tt_resize_fd >= 0) { char b = 1; ssize_t n = write(tt_resize_fd, &b, 1); (void)n; }
}
/// Replaces ncurses' own SIGWINCH handler (which only notices a resize in the thread that reads
/// keys) with one that writes to `fd`.
static inline int tt_announce_resizes_to(int fd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tt_on_resize;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    tt_resize_fd = fd;
    return sigaction(SIGWINCH, &sa, NULL);
}

/// Where SIGINT, SIGTERM and SIGHUP (the SSH connection dropped) are announced: the write end of a
/// pipe the UI loop polls, so it ends the way `q` does and the program cleans up (a recording is
/// flushed). A second such signal, before the loop got to the first, restores the terminal and ends
/// the process at once, in case the loop is busy.
static int tt_stop_fd = -1;
static volatile sig_atomic_t tt_stop_signal = 0;
static void tt_on_stop(int sig) {
    if (tt_stop_signal != 0 || tt_stop_fd < 0) {
        endwin();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    tt_stop_signal = sig;
    char b = 1;
    ssize_t n = write(tt_stop_fd, &b, 1);
    (void)n;
}
static inline int tt_stop_signal_received(void) { return tt_stop_signal; }

/// The actions that were there before ours (for crash signals, the Swift runtime's backtracer), put
/// back when the UI ends, and for a crash once the terminal is restored, so the crash report prints
/// on a usable screen.
/// (A static inside a function: Swift's importer emits a file-level static array nowhere.)
static inline struct sigaction *tt_previous_actions(void) {
    static struct sigaction actions[NSIG];
    return actions;
}
static void tt_on_crash(int sig) {
    endwin();
    sigaction(sig, &tt_previous_actions()[sig], NULL);
    raise(sig);
}

/// With `stop_fd` >= 0, installs both: stop signals announced to `stop_fd`, crash signals restoring
/// the terminal first. With -1 (the UI has ended), puts the previous actions back.
static inline void tt_restore_terminal_on_signals(int stop_fd) {
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    tt_stop_fd = stop_fd;
    tt_stop_signal = 0;
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        int sig = signals[i];
        if (stop_fd < 0) {
            sigaction(sig, &tt_previous_actions()[sig], NULL);
            continue;
        }
        int stop = sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
        sa.sa_handler = stop ? tt_on_stop : tt_on_crash;
        sigaction(sig, &sa, &tt_previous_actions()[sig]);
    }
}
#endif
