#ifndef TRACETUI_NCURSES_SHIM_H
#define TRACETUI_NCURSES_SHIM_H
// SwiftPM drops pkg-config's -D flags: the wide-character API needs this before curses.h.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
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
#endif
