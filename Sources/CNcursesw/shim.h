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
static inline int tt_key_resize(void) { return KEY_RESIZE; }
static inline int tt_key_code_yes(void) { return KEY_CODE_YES; }
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
#endif
