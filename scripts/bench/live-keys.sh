#!/usr/bin/env bash
# Benchmark (not a test): how long the UI thread of `tracetui listen` takes per key while spans
# arrive and the dashboard is open. Runs the release binary in a detached tmux session (120x40) with
# TRACETUI_FRAME_LOG set, opens the dashboard, starts SENDERS OpenTelemetry Python SDK processes that
# export PREBUILT agent-workflow traces (6 spans each) over gRPC as fast as tracetui takes them, and
# presses j/k every 50 ms meanwhile. Prints, per kind of message batch (keys, new data, status), the
# count and the p50/p99/max of update + render + draw in milliseconds (wall time: on a busy 2-core
# machine it includes time the thread waited for a core), the spans received, and the UI's total busy
# time beside the CPU time of the whole process.
# Usage: scripts/bench/live-keys.sh [PREBUILT] [SENDERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
prebuilt=${1:-15000}
senders=${2:-2}
./scripts/setup-test-venv.sh
swift build -c release --product tracetui >/dev/null
bin=$(swift build -c release --show-bin-path)/tracetui
py=.venv-tests/bin/python
log=$(mktemp /tmp/tracetui-frames-XXXXXX)
sock="tracetui-keys-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
tmux -L "$sock" -f /dev/null new-session -d -s bench -x 120 -y 40 \
  "env LANG=C.UTF-8 TERM=xterm-256color TRACETUI_FRAME_LOG=$log $bin listen --grpc 127.0.0.1:$port --no-http --max-spans 2000000"
for _ in $(seq 1 100); do tmux -L "$sock" capture-pane -p -t bench | grep -q "listening on" && break; sleep 0.1; done
tmux -L "$sock" send-keys -t bench D
start=$(python3 -c "import time; print(time.time())")
pids=()
for s in $(seq 1 "$senders"); do
  timeout 600 "$py" Tests/otlp-senders/send_workflow.py --protocol grpc --endpoint "127.0.0.1:$port" \
    --prebuilt "$prebuilt" --seed "$((s + 200))" > /dev/null &
  pids+=($!)
done
while kill -0 "${pids[0]}" 2>/dev/null; do
  tmux -L "$sock" send-keys -t bench j; sleep 0.05
  tmux -L "$sock" send-keys -t bench k; sleep 0.05
done
for pid in "${pids[@]}"; do wait "$pid"; done
sleep 2
status=$(tmux -L "$sock" capture-pane -p -t bench | grep -o '▲ [0-9]* spans received · [0-9]* traces held' || true)
# CPU time of the whole process (utime + stime), to set the UI's busy time (from the log) beside.
pid=$(tmux -L "$sock" list-panes -t bench -F '#{pane_pid}')
all_cpu=$(awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat")
elapsed=$(python3 -c "import time; print(round(time.time() - $start, 1))")
tmux -L "$sock" send-keys -t bench q q
sleep 0.5
tmux -L "$sock" kill-server 2>/dev/null || true
echo "machine: $(nproc) cores; tracetui $bin; $senders senders x $prebuilt traces over gRPC; status: $status"
echo "over ${elapsed}s: tracetui used ${all_cpu}s of CPU"
python3 - "$log" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def report(name, test):
    ms = sorted(float(t) for kinds, t in rows if test(kinds.split(",")))
    if not ms: print(f"{name}: none"); return
    q = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
    print(f"{name}: {len(ms)} batches, p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms, max {ms[-1]:.2f} ms")
report("batches with a key", lambda k: "key" in k)
report("batches with new data", lambda k: "data" in k)
report("status only", lambda k: set(k) == {"status"})
print(f"the UI was busy {sum(float(t) for _, t in rows) / 1000:.2f}s in all ({len(rows)} batches)")
PY
rm -f "$log"
