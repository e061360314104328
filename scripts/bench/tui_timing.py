#!/usr/bin/env python3
"""Times tracetui's terminal UI through a pseudo-terminal (120x40, TERM=xterm-256color), for the scale
benchmark (issue 10). Not the target's pure-core key benchmark: every figure includes the terminal.

  first frame  wall time from starting `tracetui view FILE` until the trace list's header ("ROOT")
               has been written to the terminal (the file is loaded and analysed before that);
  keys         then a fixed script of keys, one at a time; for each, tracetui's own figure from
               TRACETUI_FRAME_LOG (update + render + draw of that key's batch, in ms) once the batch
               is logged, and the wall time from sending the key to the last batch it caused.

The keys, in the trace list: j x20 (move), Space x5 (page), G, g (bottom, top), s s (sort), / nightly
Enter (a filter that keeps the trace with the 5,000-child span), Enter (open it); in its tree: / Enter
Backspace x7 Enter (clear the filter: the whole tree), Enter Enter (fold and unfold the span with 5,000 children), j x5, f x3 (page), G, g, H, L (collapse and
expand all), G, q; / Backspace x7 Enter (clear the filter), D (dashboard, first time), q, D (again), q, / refund
Enter (a bare word searched in every span), G.
Prints `first-frame S s`, then a line a key: the ms tracetui logged for the batches the key caused
(each batch's kind and ms listed) and the wall time until the last of them; then a summary line
`keys N: median, p99, max; slowest: ...` (over tracetui's figures).
The first D's figures are computed off the UI thread on a large file: the time until they are drawn
is printed on a line of its own, not as a key. With --dashboard-at-once, only: the first frame, then D
at once (while the dashboard's data may still be computed in the background after the first frame)
and the wall time until "OVERVIEW" is drawn.
Usage: tui_timing.py BIN FILE [TIMEOUT_SECONDS=300] [--dashboard-at-once]
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time

QUIET = 0.25
CSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class Session:
    def __init__(self, binary, path, timeout):
        self.timeout = timeout
        fd, self.log = tempfile.mkstemp(prefix="tracetui-frames-")
        os.close(fd)
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", TRACETUI_FRAME_LOG=self.log)
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(binary, [binary, "view", path], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.screen = b""  # everything written since the last mark, escapes removed

    def pump(self, wait):
        r, _, _ = select.select([self.fd], [], [], wait)
        if r:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                raise SystemExit("tui_timing.py: tracetui exited")
            self.screen += CSI.sub(b"", data)

    def wait_text(self, text):
        deadline = time.monotonic() + self.timeout
        while text.encode() not in self.screen:
            if time.monotonic() > deadline:
                raise SystemExit("tui_timing.py: no %r on the screen after %d s" % (text, self.timeout))
            self.pump(0.05)
        return time.monotonic()

    def log_lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def key(self, keys):
        """Sends one key; waits for its batch in the frame log, then until nothing more is logged
        for QUIET seconds (a filter's matches come back as a later message). Returns the batches'
        kinds and ms, and the wall time from the key to the last of them."""
        before = len(self.log_lines())
        self.screen = b""
        sent = time.monotonic()
        os.write(self.fd, keys.encode())
        deadline = sent + self.timeout
        seen, last = before, None
        while True:
            lines = self.log_lines()
            if len(lines) > seen:
                seen, last = len(lines), time.monotonic()
            elif last is not None and time.monotonic() - last > QUIET:
                batches = [(ln.split()[0], float(ln.split()[-1])) for ln in lines[before:]]
                return batches, last - sent
            if time.monotonic() > deadline:
                raise SystemExit("tui_timing.py: key %r not handled after %d s" % (keys, self.timeout))
            self.pump(0.01)

    def close(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.unlink(self.log)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    at_once = "--dashboard-at-once" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--dashboard-at-once"]
    binary, path = args[0], args[1]
    timeout = int(args[2]) if len(args) > 2 else 300
    s = Session(binary, path, timeout)

    timings = []  # (ms, name)

    def press(name, k):
        batches, wall = s.key(k)
        total = sum(ms for _, ms in batches)
        timings.append((total, name))
        detail = ",".join("%s:%.2f" % b for b in batches)
        print("key %-18s %9.3f ms  wall %8.1f ms  batches %s" % (name, total, wall * 1000, detail), flush=True)

    try:
        t = s.wait_text("ROOT")
        print("first-frame %.2f s" % (t - s.started), flush=True)
        if at_once:
            s.screen = b""
            sent = time.monotonic()
            os.write(s.fd, b"D")
            shown = s.wait_text("OVERVIEW")
            print("dashboard-at-once %.2f s" % (shown - sent), flush=True)
            return
        time.sleep(QUIET)
        s.pump(0.1)
        script = ([("list-move-j", "j")] * 20 + [("list-page-Space", " ")] * 5
                  + [("list-bottom-G", "G"), ("list-top-g", "g"), ("list-sort-s", "s"), ("list-sort-s", "s")]
                  + [("filter-/", "/")] + [("filter-type", c) for c in "nightly"] + [("filter-Enter", "\r")]
                  + [("open-Enter", "\r"), ("tree-filter-/", "/")] + [("filter-Backspace", "\x7f")] * 7
                  + [("tree-filter-clear-Enter", "\r"),
                     ("fold-5000-Enter", "\r"), ("unfold-5000-Enter", "\r")]
                  + [("tree-move-j", "j")] * 5 + [("tree-page-f", "f")] * 3
                  + [("tree-bottom-G", "G"), ("tree-top-g", "g"), ("collapse-all-H", "H"), ("expand-all-L", "L"),
                     ("tree-bottom-G", "G"), ("back-q", "q"), ("filter-/", "/")] + [("filter-Backspace", "\x7f")] * 7
                  + [("filter-clear-Enter", "\r")])
        for name, k in script:
            press(name, k)
        sent = time.monotonic()
        press("dashboard-first-D", "D")
        # Past 20,000 spans D opens the dashboard at once and its figures follow as a message,
        # computed off the UI thread: the time until they are drawn is not a key's.
        shown = s.wait_text("OVERVIEW")
        time.sleep(QUIET)
        s.pump(0.05)
        arrived = [float(ln.split()[-1]) for ln in s.log_lines() if ln.split()[0] == "dashboard"]
        print("dashboard figures drawn %.2f s after D (computed off the UI thread)%s"
              % (shown - sent, "; their message %.3f ms" % arrived[-1] if arrived else ""), flush=True)
        for name, k in ([("back-q", "q"), ("dashboard-again-D", "D"), ("back-q", "q"), ("filter-/", "/")]
                        + [("filter-type", c) for c in "refund"] + [("search-Enter", "\r"), ("list-bottom-G", "G")]):
            press(name, k)
        ms = sorted(t for t, _ in timings)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        worst = sorted(timings, reverse=True)[:3]
        print("keys %d: median %.2f ms, p99 %.2f ms, max %.2f ms; slowest: %s"
              % (len(ms), ms[len(ms) // 2], p99, ms[-1], ", ".join("%s %.1f ms" % (n, t) for t, n in worst)))
    finally:
        s.close()


if __name__ == "__main__":
    main()
