#!/usr/bin/env bash
# What fetching a trace from a store costs beyond reading it from a file. One trace of SPANS spans
# (gen_spans.py's agent runs, all given one trace id) is served as a Tempo v2 answer by
# scripts/stores/replay_server.py on loopback, and timed RUNS times each (best and mean, peak memory):
#   curl         the body over HTTP to /dev/null: the transfer alone
#   file         tracetui view FILE --json: the same trace from disk
#   tempo        tracetui view --tempo URL ID --json: fetch + decode + the same output
# and the ratio tempo / (curl + file): near 1 means the client adds nothing of its own.
# Usage: scripts/bench/store-bench.sh [SPANS] [RUNS]   (BIN=path/to/tracetui to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
spans=${1:-200000}
runs=${2:-5}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

if [ -z "${BIN:-}" ]; then
  swift build -c release --product tracetui >/dev/null
  BIN=.build/release/tracetui
fi

python3 scripts/bench/gen_spans.py "$spans" "$work/spans.jsonl"
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
resource_spans = []
with open(f"{work}/spans.jsonl") as f:
    for line in f:
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    span["traceId"] = trace_id
            resource_spans.append(rs)
with open(f"{work}/trace.json", "w") as f:
    json.dump({"resourceSpans": resource_spans}, f, separators=(",", ":"))
with open(f"{work}/tempo-v2.json", "w") as f:
    json.dump({"trace": {"resourceSpans": resource_spans}, "status": "COMPLETE"}, f, separators=(",", ":"))
with open(f"{work}/routes.json", "w") as f:
    json.dump({"routes": [{"path": f"/api/v2/traces/{trace_id}", "file": "tempo-v2.json"}]}, f)
EOF
python3 scripts/stores/replay_server.py "$work/routes.json" 2>"$work/server.err" &
server=$!
for _ in $(seq 50); do grep -q listening "$work/server.err" 2>/dev/null && break; sleep 0.1; done
url="http://$(sed -n 's/.*listening on //p' "$work/server.err")"
id=4bf92f3577b34da6a3ce929d0e0e4736

measure() {  # name command...: best and mean seconds, peak MB over $runs runs
  local name=$1; shift
  local times=() peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null
    read -r t m <"$work/t"
    times+=("$t"); [ "$m" -gt "$peak" ] && peak=$m
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$name" -v p="$peak" \
    '{s+=$1; a[NR]=$1} END {printf "%-6s best %.3f s  mean %.3f s  peak %d MB\n", n, a[1], s/NR, p/1024}'
}

size=$(stat -c %s "$work/tempo-v2.json")
echo "one trace of $spans spans, $((size / 1048576)) MB as a Tempo v2 answer; $runs runs each"
curl_line=$(measure curl curl -sf "$url/api/v2/traces/$id" -o /dev/null)
file_line=$(measure file "$BIN" view "$work/trace.json" --json)
tempo_line=$(measure tempo "$BIN" view --tempo "$url" "$id" --json)
printf '%s\n%s\n%s\n' "$curl_line" "$file_line" "$tempo_line"
best() { awk '{print $3}' <<<"$1"; }
awk -v c="$(best "$curl_line")" -v f="$(best "$file_line")" -v t="$(best "$tempo_line")" \
  'BEGIN {printf "tempo / (curl + file), best runs: %.2f\n", t / (c + f)}'
"$BIN" view "$work/trace.json" --json | cmp -s - <("$BIN" view --tempo "$url" "$id" --json) \
  && echo "the two --json outputs are identical" || echo "!! the two --json outputs differ"
