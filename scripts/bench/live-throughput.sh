#!/usr/bin/env bash
# Benchmark (not a test): sustained spans/s that `tracetui listen` takes in, with its terminal UI
# running (in a detached tmux session, 120x40, showing the live trace list), from the real
# OpenTelemetry Python SDK: a TracerProvider with a BatchSpanProcessor (512 spans per export) and the
# OTLPSpanExporter over HTTP protobuf, then over gRPC, each for DURATION seconds of agent-workflow
# traces (6 spans each, with LLM attributes). The figure is spans acknowledged by tracetui per second
# of the sender's wall time, flush included; tracetui's own count is read off its status line.
# A second figure per protocol takes the SDK's span creation out of the timing: PREBUILT traces are
# created first, then exported through the same OTLPSpanExporter in 512-span batches, timed, with
# SENDERS such processes at once. Loopback only; each run stops by itself.
# Usage: scripts/bench/live-throughput.sh [DURATION] [PREBUILT] [SENDERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15}
prebuilt=${2:-20000}
senders=${3:-2}
./scripts/setup-test-venv.sh
swift build -c release --product tracetui >/dev/null
bin=$(swift build -c release --show-bin-path)/tracetui
py=.venv-tests/bin/python
sender=Tests/otlp-senders/send_workflow.py
sock="tracetui-bench-$$"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "tracetui: $bin (release); sender: OpenTelemetry Python SDK $($py -c 'from importlib.metadata import version; print(version("opentelemetry-sdk"))') with its OTLPSpanExporter, on the same machine"
for proto in http-protobuf grpc; do
  grpc_port=$(free_port); http_port=$(free_port)
  tmux -L "$sock" -f /dev/null new-session -d -s bench -x 120 -y 40 \
    "env LANG=C.UTF-8 TERM=xterm-256color $bin listen --grpc 127.0.0.1:$grpc_port --http 127.0.0.1:$http_port --max-spans 2000000"
  for _ in $(seq 1 100); do tmux -L "$sock" capture-pane -p -t bench | grep -q "listening on" && break; sleep 0.1; done
  if [ "$proto" = grpc ]; then endpoint="127.0.0.1:$grpc_port"; else endpoint="http://127.0.0.1:$http_port"; fi
  result=$(timeout $((duration + 180)) "$py" "$sender" --protocol "$proto" --endpoint "$endpoint" --duration "$duration")
  sleep 1
  status=$(tmux -L "$sock" capture-pane -p -t bench | grep -o '▲ [0-9]* spans received · [0-9]* traces held' || true)
  echo "$proto, SDK creating and exporting spans for ${duration}s: $result; tracetui status: $status"
  # Prebuilt: SENDERS processes at once, each creating PREBUILT traces (untimed), then timing its exports.
  pids=()
  for s in $(seq 1 "$senders"); do
    timeout 600 "$py" "$sender" --protocol "$proto" --endpoint "$endpoint" --prebuilt "$prebuilt" --seed "$((s + 100))" > "/tmp/tracetui-bench-$$-$s.json" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  sleep 1
  status=$(tmux -L "$sock" capture-pane -p -t bench | grep -o '▲ [0-9]* spans received · [0-9]* traces held' || true)
  summary=$(cat /tmp/tracetui-bench-$$-*.json | python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; print(" + ".join(str(x["spansPerSecond"]) for x in r), "=", sum(x["spansPerSecond"] for x in r))')
  rm -f /tmp/tracetui-bench-$$-*.json
  tpid=$(pgrep -f "^$bin listen --grpc 127.0.0.1:$grpc_port" | head -1)
  cpu=$(ps -o times= -p "$tpid" | tr -d ' ')
  echo "$proto, $senders senders exporting $prebuilt prebuilt traces ($((prebuilt * 6)) spans) each, export rates: $summary spans/s; tracetui status: $status; tracetui CPU time for both phases: ${cpu}s"
  tmux -L "$sock" send-keys -t bench q q
  sleep 0.5
  tmux -L "$sock" kill-server 2>/dev/null || true
done
