#!/usr/bin/env bash
# Benchmark (not a test): issue 10's live-ingest rows. How many spans a second `tracetui listen` takes
# in from SENDERS (default 2) local sender processes that cost almost nothing (scripts/bench/
# otlp_blast.py: prebuilt 512-span protobuf requests of realistic agent runs, over keep-alive HTTP
# connections, raw bytes over a gRPC channel; every refused request waits as told, is sent again and
# counted), for DURATION seconds each:
#   1. headless (`listen --no-tui`), over HTTP protobuf and then over gRPC: spans/s acknowledged,
#      refusals and retries, tracetui's own accounting (its last status line after SIGINT), its CPU
#      time; "nothing dropped" is checked: every span acknowledged is stored;
#   2. with the terminal UI open (tmux, 120x40, the live trace list), over HTTP protobuf and then gRPC,
#      while scripts/bench/tmux_keys.py presses keys (j/k, D and the dashboard, Enter and the tree, q,
#      G, g) and reads TRACETUI_FRAME_LOG: per key, p50/p99/max of the UI thread's update + render +
#      draw; the same for batches of new data (a key waits for the one in progress).
# Builds the release binary first (-j 1: the machine's two cores are shared). Loopback only; each
# sender stops by itself after DURATION seconds. Senders build their requests before the clock starts.
# Usage: scripts/bench/live-ingest.sh [DURATION] (env: SENDERS, BODIES, PROTOCOLS="http grpc",
#        PHASES="headless tui", BIN=a tracetui to measure instead of building one)
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15}
senders=${SENDERS:-2}
bodies=${BODIES:-64}
protocols=${PROTOCOLS:-http grpc}
phases=${PHASES:-headless tui}
py=.venv-tests/bin/python
if [ -z "${BIN:-}" ]; then
  swift build -c release -j 1 --product tracetui >/dev/null
  bin=$(swift build -c release -j 1 --show-bin-path)/tracetui
else
  bin=$BIN  # a binary built before, e.g. to compare two commits
fi
tmp=$(mktemp -d /tmp/tracetui-ingest-XXXXXX)
sock="tracetui-ingest-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_of() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$1/stat"; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources || echo ' (+ uncommitted changes)')"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tracetui: $bin (release); senders: $senders x scripts/bench/otlp_blast.py ($bodies prebuilt 512-span requests each), ${duration}s a run"

# run_senders PROTO ENDPOINT TAG: the senders build their requests, then start together; prints their
# sum as one line of JSON.
run_senders() {
  local proto=$1 endpoint=$2 tag=$3 pids=()
  rm -f "$tmp"/ready-* "$tmp/go"
  for s in $(seq 1 "$senders"); do
    timeout $((duration + 300)) "$py" scripts/bench/otlp_blast.py --protocol "$proto" --endpoint "$endpoint" \
      --duration "$duration" --bodies "$bodies" --sender "$s" --ready-file "$tmp/ready-$s" --go-file "$tmp/go" \
      > "$tmp/$tag-$s.json" &
    pids+=($!)
  done
  for s in $(seq 1 "$senders"); do while [ ! -e "$tmp/ready-$s" ]; do sleep 0.1; done; done
  touch "$tmp/go"
  local failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  python3 - "$tmp"/"$tag"-*.json <<'PY'
import json, sys
r = [json.loads(open(p).read()) for p in sys.argv[1:]]
secs = max(x["seconds"] for x in r)
s = {k: sum(x[k] for x in r) for k in ("spans", "requests", "refusals", "retries", "cpuSeconds")}
s["seconds"] = secs
s["spansPerSecond"] = round(s["spans"] / secs)
s["perSender"] = [x["spansPerSecond"] for x in r]
s["senderCpuCeiling"] = [x["cpuCeilingSpansPerSecond"] for x in r]
errors = [x["error"] for x in r if "error" in x]
if errors: s["errors"] = errors
print(json.dumps(s))
PY
  return $failed
}

for phase in $phases; do
  for proto in $protocols; do
    grpc_port=$(free_port); http_port=$(free_port)
    if [ "$proto" = grpc ]; then endpoint="127.0.0.1:$grpc_port"; else endpoint="127.0.0.1:$http_port"; fi
    if [ "$phase" = headless ]; then
      "$bin" listen --no-tui --grpc "127.0.0.1:$grpc_port" --http "127.0.0.1:$http_port" --max-spans 20000000 \
        --status-interval 1 2> "$tmp/listen.err" &
      lpid=$!
      for _ in $(seq 1 100); do grep -q "listening on" "$tmp/listen.err" && break; sleep 0.1; done
      sent=$(run_senders "$proto" "$endpoint" "$phase-$proto")
      sleep 1
      cpu=$(cpu_of "$lpid")
      kill -INT "$lpid"
      wait "$lpid" || true
      accounting=$(grep -o 'spans received .*' "$tmp/listen.err" | tail -1)
      rate=$(grep -o '[0-9]* spans/s' "$tmp/listen.err" | sort -n | tail -1)
      echo "headless, $proto: senders $sent"
      echo "  tracetui: $accounting; highest rate on its status line: $rate; CPU ${cpu}s"
      python3 - "$sent" "$accounting" <<'PY'
import json, re, sys
sent = json.loads(sys.argv[1]); m = re.search(r"stored (\d+) \+ evicted (\d+) \+ rejected (\d+)", sys.argv[2])
stored = int(m.group(1)) + int(m.group(2)) if m else -1
print("  nothing dropped: %s (acknowledged %d, stored %d)" % ("yes" if stored == sent["spans"] else "NO", sent["spans"], stored))
PY
    else
      log="$tmp/frames-$proto.log"
      : > "$log"
      tmux -L "$sock" -f /dev/null new-session -d -s s -x 120 -y 40 \
        "env LANG=C.UTF-8 TERM=xterm-256color TRACETUI_FRAME_LOG=$log $bin listen --grpc 127.0.0.1:$grpc_port --http 127.0.0.1:$http_port --max-spans 20000000"
      for _ in $(seq 1 100); do tmux -L "$sock" capture-pane -p -t s | grep -q "listening on" && break; sleep 0.1; done
      tpid=$(tmux -L "$sock" list-panes -t s -F '#{pane_pid}')
      rm -f "$tmp/done"
      ( while [ ! -e "$tmp/go" ]; do sleep 0.01; done
        "$py" scripts/bench/tmux_keys.py "$sock" s "$log" "$tmp/done" --max-seconds $((duration + 300)) > "$tmp/keys.json" ) &
      kpid=$!
      rm -f "$tmp/go"
      sent=$(run_senders "$proto" "$endpoint" "tui-$proto")
      touch "$tmp/done"
      wait "$kpid"
      sleep 2
      cpu=$(cpu_of "$tpid")
      status=$(tmux -L "$sock" capture-pane -p -t s | grep -o '▲ [0-9]* spans received.*' | sed 's/ *$//' || true)
      tmux -L "$sock" send-keys -t s q q q
      sleep 0.5
      tmux -L "$sock" kill-server 2>/dev/null || true
      echo "TUI, $proto: senders $sent"
      echo "  tracetui: $status; CPU ${cpu}s"
      echo "  UI thread, ms per batch (update + render + draw) while spans arrived: $(cat "$tmp/keys.json")"
    fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
