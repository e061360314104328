#!/usr/bin/env bash
# Benchmark (not a test): the OTLP receivers of a release `tracetui listen --no-tui` under fault and
# load (scripts/bench/receiver_faults.py): CONNECTIONS idle connections held on each receiver,
# slow-loris clients trickling heads and bodies (time until cut off, memory), bodies over the limit
# (announced, chunked without end, a gzip bomb), clients gone mid-body, a burst far above
# --queue-spans over HTTP and gRPC. After each scenario, the accounting identity from tracetui's
# status line; at the end, its final report. Loopback only; about a minute (the body deadline is 30 s).
# Usage: scripts/bench/receiver-faults.sh [CONNECTIONS] [QUEUE_SPANS]
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-1000}
queue=${2:-2000}
./scripts/setup-test-venv.sh
swift build -c release --product tracetui >/dev/null
bin=$(swift build -c release --show-bin-path)/tracetui
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
grpc_port=$(free_port)
http_port=$(free_port)
err=$(mktemp /tmp/tracetui-faults-XXXXXX.err)
# The client side holds 2 x CONNECTIONS sockets too.
ulimit -n "$(ulimit -Hn)"

echo "machine: $(nproc) cores; tracetui: $bin (release); open-file limit $(ulimit -n)"
"$bin" listen --no-tui --grpc "127.0.0.1:$grpc_port" --http "127.0.0.1:$http_port" --status-interval 0.5 \
  --queue-spans "$queue" --max-spans 2000000 2>"$err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$err"' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$err" && break; sleep 0.1; done
.venv-tests/bin/python scripts/bench/receiver_faults.py --http "$http_port" --grpc "$grpc_port" \
  --stderr "$err" --pid "$pid" --queue "$queue" --connections "$connections"
kill -TERM "$pid"
wait "$pid" || true
echo "tracetui's final report:"
grep -E "stopped;|spans received [0-9]+ =" "$err" | sed 's/^/  /'
