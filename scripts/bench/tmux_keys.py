#!/usr/bin/env python3
"""Presses keys in a tracetui running in tmux while something else goes on, and reads what its UI
thread logged per key (TRACETUI_FRAME_LOG: each batch of messages, its kinds and the ms its update +
render + draw took). For scripts/bench/live-ingest.sh.

Repeats a cycle of key blocks until STOP_FILE exists (or --max-seconds pass): j x8, k x8 (the trace
list), D (the dashboard), j x4 (its panels), q, Enter (a trace's tree), j x4, q, G, g. Keys are 60 ms
apart, and each block is followed by a pause; a batch logged during a block (or its pause) that holds a
key is that block's key's, so no change of the log's format is needed. Starts once the first data
batch is logged; a q is skipped when the trace list is on screen (it would quit). Prints one JSON line: per key,
the count and p50/p99/max ms of the batches it caused, and the same for batches of new data and of
status only (a key that arrives while one of those runs waits for it).
Usage: tmux_keys.py SOCKET SESSION FRAME_LOG STOP_FILE [--max-seconds S]
"""
import argparse
import json
import os
import subprocess
import time

CYCLE = [("j", 8), ("k", 8), ("D", 1), ("j", 4), ("q", 1), ("Enter", 1), ("j", 4), ("q", 1), ("G", 1), ("g", 1)]
GAP = 0.06
PAUSE = 0.25


def lines(path):
    try:
        with open(path) as f:
            return [ln.split() for ln in f.read().splitlines() if ln.strip()]
    except FileNotFoundError:
        return []


def on_trace_list(socket, session):
    screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", session], check=True,
                            capture_output=True, text=True).stdout.splitlines()
    return len(screen) > 1 and "ROOT" in screen[1]


def stats(ms):
    if not ms:
        return None
    ms = sorted(ms)
    q = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
    return {"n": len(ms), "p50": round(q(0.5), 2), "p99": round(q(0.99), 2), "max": round(ms[-1], 2)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("socket")
    p.add_argument("session")
    p.add_argument("log")
    p.add_argument("stop_file")
    p.add_argument("--max-seconds", type=float, default=600)
    a = p.parse_args()
    per_key = {}
    deadline = time.monotonic() + a.max_seconds
    start = len(lines(a.log))
    # Keys start once the first spans are on screen: Enter on an empty list opens nothing.
    while not any("data" in k.split(",") for k, _ in lines(a.log)[start:]) and time.monotonic() < deadline:
        time.sleep(0.05)
    while not os.path.exists(a.stop_file) and time.monotonic() < deadline:
        for key, times in CYCLE:
            if key == "q" and on_trace_list(a.socket, a.session):
                continue  # q there would quit (the key before it was not taken yet): skip it
            before = len(lines(a.log))
            for _ in range(times):
                subprocess.run(["tmux", "-L", a.socket, "send-keys", "-t", a.session, key], check=True)
                time.sleep(GAP)
            time.sleep(PAUSE)
            for kinds, ms in lines(a.log)[before:]:
                if "key" in kinds.split(","):
                    per_key.setdefault(key, []).append(float(ms))
    rows = lines(a.log)[start:]
    out = {"keys": {k: stats(v) for k, v in per_key.items()},
           "allKeys": stats([x for v in per_key.values() for x in v]),
           "data": stats([float(ms) for kinds, ms in rows if "data" in kinds.split(",")]),
           "statusOnly": stats([float(ms) for kinds, ms in rows if set(kinds.split(",")) == {"status"}]),
           "uiBusySeconds": round(sum(float(ms) for _, ms in rows) / 1000, 2)}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
