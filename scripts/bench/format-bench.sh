#!/usr/bin/env bash
# File format benchmark (not a test): the same N spans (default 1,000,000, from gen_spans.py) as OTLP
# JSON Lines, as one Jaeger JSON document (otlp_to_jaeger.py) and as a length-delimited OTLP protobuf
# stream (one ExportTraceServiceRequest per line, encoded by opentelemetry-proto's Python classes from
# .venv-tests), each opened with `tracetui view --plain --trace <one id>` (decode + analysis of every
# span, one trace printed). Prints wall time, peak memory and spans/s per format, best of RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
spans=${1:-1000000}
runs=${2:-3}
otlp=bench-data/spans-$spans.jsonl
jaeger=bench-data/spans-$spans.jaeger.json
proto=bench-data/spans-$spans.pb
mkdir -p bench-data
[ -f "$otlp" ] || python3 scripts/bench/gen_spans.py "$spans" "$otlp"
[ -f "$jaeger" ] || python3 scripts/bench/otlp_to_jaeger.py "$otlp" "$jaeger"
if [ ! -f "$proto" ]; then
  ./scripts/setup-test-venv.sh >/dev/null
  .venv-tests/bin/python - "$otlp" "$proto" <<'EOF'
import base64, json, sys
from google.protobuf import json_format
from google.protobuf.internal.encoder import _VarintBytes
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

def base64_ids(v):
    if isinstance(v, list):
        return [base64_ids(x) for x in v]
    if not isinstance(v, dict):
        return v
    return {k: base64.b64encode(bytes.fromhex(x)).decode() if k in ("traceId", "spanId", "parentSpanId") and x
            else base64_ids(x) for k, x in v.items()}

with open(sys.argv[1]) as lines, open(sys.argv[2], "wb") as out:
    for line in lines:
        request = json_format.ParseDict(base64_ids(json.loads(line)), trace_service_pb2.ExportTraceServiceRequest())
        data = request.SerializeToString()
        out.write(_VarintBytes(len(data)) + data)
EOF
fi
swift build -c release --product tracetui >/dev/null
bin=.build/release/tracetui
first=$(head -c 300 "$otlp" | grep -o '"traceId":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)

best() {  # best wall time and its peak memory over $runs runs: "seconds maxKB"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" "$bin" view --plain --trace "$first" "$1" 2>&1 >/dev/null | tail -1
  done | sort -n | head -1
}
echo "$spans spans; machine: $(nproc) cores, $(uname -m); best of $runs"
printf "%-28s %10s %8s %10s %12s\n" "file" "MB" "seconds" "peak MB" "spans/s"
for f in "$otlp" "$jaeger" "$proto"; do
  read -r t m < <(best "$f")
  printf "%-28s %10.0f %8s %10.0f %12.0f\n" "$(basename "$f")" "$(awk "BEGIN{print $(stat -c %s "$f")/1048576}")" \
    "$t" "$(awk "BEGIN{print $m/1024}")" "$(awk "BEGIN{print $spans/$t}")"
done
