#ifndef TRACETUI_ZLIB_SHIM_H
#define TRACETUI_ZLIB_SHIM_H
#include <zlib.h>
/// inflateInit2 is a macro; Swift needs a function.
static inline int tt_inflate_init_gzip(z_stream *s) { return inflateInit2(s, 15 + 32); }
#endif
