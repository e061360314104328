#!/usr/bin/env bash
# Scale benchmark (not a test) for issue 10: every row of its targets table that can be measured
# from the command line today, each beside its baseline measured in the same run on the same file.
#
#   load + full analysis  `tracetui view --plain --trace <one id>` (decode every span, build the trees,
#                         facts, costs and totals of every trace, print one) of SPANS realistic spans
#                         (gen_realistic.py) as one JSON document and as JSON Lines, against a one-core
#                         simdjson On-Demand walk of every span and attribute key (simdjson_walk.cpp,
#                         g++ -O3 -march=native, under taskset -c 0), jq counting the spans, and
#                         Python's json module counting them; ratios;
#   peak memory           tracetui's peak RSS against the file's size, per span, and per span beyond
#                         the attributes' payload (keys + string values + 8 bytes a scalar, counted by
#                         simdjson_walk --payload);
#   dashboard             `summary --json` against `view --plain` (the list and every tree) on the same
#                         file, and against the load + analysis row (and the difference of the two);
#   terminal UI           through a pseudo-terminal (tui_timing.py): time to the first frame, then
#                         tracetui's own per-key figures (TRACETUI_FRAME_LOG: update + render + draw)
#                         for moves, pages, folding the span with 5,000 children, expand all, the
#                         dashboard, a filter and a bare-word search over every span; then a second
#                         run that presses D as soon as the first frame is drawn;
#   deep chain            the 100,000-deep parent chain (gen_call_chain.py) with `view --plain` and
#                         `view --json`, and the 50,000-deep one (the time ratio says linear or not);
#   gzip bomb             a ~1 MB gzip of 1 GiB of whitespace (one span after it) against a 128 MiB
#                         one: time and peak memory of `view --plain`, beside `gzip -dc` of the same file.
#
# Times are /usr/bin/time's wall seconds (%e), peak memory its maximum RSS (%M); the fast commands
# (tracetui's, the simdjson walk) run RUNS times (default 3) and print the median time and the largest
# peak; jq and Python run once. Live ingest and the pure-core key replay are not measured here
# (BENCHMARKS.md says what would measure them).
#
# Usage: scripts/bench/scale-bench.sh [SPANS]     (default 1000000; 200000 for a quick run)
# Environment: BIN (default .build/release/tracetui; when unset the release build is made first),
#              BIN_COMMIT (the commit BIN was built from, printed with it), RUNS (3), CHAIN_TIMEOUT (300 seconds a deep-chain command), TUI=0 to skip the terminal UI,
#              CHAIN_DEPTHS ("50000 100000") and BOMB_MIB ("128 1024"): two sizes each, smaller first.
# Data (generated once, reused) goes to bench-data/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/../.."
spans=${1:-1000000}
runs=${RUNS:-3}
chain_timeout=${CHAIN_TIMEOUT:-300}
read -r -a depths <<<"${CHAIN_DEPTHS:-50000 100000}"
read -r -a bombs <<<"${BOMB_MIB:-128 1024}"
if [ -z "${BIN:-}" ]; then
  swift build -c release --product tracetui >/dev/null
fi
bin=${BIN:-.build/release/tracetui}
[ -x "$bin" ] || { echo "scale-bench.sh: no tracetui at $bin" >&2; exit 1; }
mkdir -p bench-data
tmp=$(mktemp -d /tmp/scale-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# --- machine and run --------------------------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
echo "# tracetui scale benchmark"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $cpu, $ram RAM, $(uname -sm)"
if [ -n "${BIN:-}" ]; then from=${BIN_COMMIT:-"(BIN_COMMIT not given)"}; else from=$(git rev-parse --short HEAD); fi
echo "scripts at commit $(git rev-parse --short HEAD) ($(git rev-parse --abbrev-ref HEAD)); binary: $bin ($("$bin" --version 2>/dev/null || echo '?'), built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$bin" | cut -c1-12)), from $from"
settings="BIN=$bin RUNS=$runs"
for v in BIN_COMMIT TUI CHAIN_DEPTHS CHAIN_TIMEOUT BOMB_MIB; do
  [ -z "${!v:-}" ] || settings+=" $v=\"${!v}\""
done
echo "command: $settings scripts/bench/scale-bench.sh $spans"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"

# --- inputs -----------------------------------------------------------------------------------------
json=bench-data/realistic-$spans.json
jsonl=bench-data/realistic-$spans.jsonl
for f in "$json" "$jsonl"; do
  [ -f "$f" ] || python3 scripts/bench/gen_realistic.py "$spans" "$f" >"$tmp/gen"
done
walker=bench-data/simdjson_walk
if [ ! -x "$walker" ] || [ scripts/bench/simdjson_walk.cpp -nt "$walker" ]; then
  g++ -O3 -march=native -std=c++17 scripts/bench/simdjson_walk.cpp -lsimdjson -o "$walker"
fi
for n in "${depths[@]}"; do
  [ -f "bench-data/chain-$n.json" ] || python3 scripts/bench/gen_call_chain.py "$n" "bench-data/chain-$n.json"
done
# gzip bombs: '{"resourceSpans":[' + whitespace + the rest of a one-span request, deflated at level 9.
for mib in "${bombs[@]}"; do
  bomb=bench-data/gzip-bomb-$mib-MiB.json.gz
  [ -f "$bomb" ] || python3 - "$bomb" "$mib" <<'EOF'
import sys, zlib
path, mib = sys.argv[1], int(sys.argv[2])
tail = '{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bomb"}}]},' \
    '"scopeSpans":[{"scope":{"name":"bomb"},"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",' \
    '"spanId":"00f067aa0ba902b7","name":"after-the-whitespace","startTimeUnixNano":"1700000000000000000",' \
    '"endTimeUnixNano":"1700000000000000500"}]}]}]}'
z = zlib.compressobj(9, zlib.DEFLATED, 31)
block = b" " * (1 << 20)
with open(path, "wb") as f:
    f.write(z.compress(b'{"resourceSpans":['))
    for _ in range(mib):
        f.write(z.compress(block))
    f.write(z.compress(tail.encode()))
    f.write(z.flush())
EOF
done

# --- measuring --------------------------------------------------------------------------------------
# once CMD...: runs CMD (stdout to $tmp/out, stderr to $tmp/err); sets secs, kb, cpu (user+sys s), status.
once() {
  status=0
  /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
  local u s
  read -r secs kb u s < <(tail -1 "$tmp/time")
  cpu=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
}
# median CMD...: runs CMD $runs times; sets secs (the median), kb (the largest), cpu (of the median run).
median() {
  local all=()
  local maxkb=0
  for _ in $(seq 1 "$runs"); do
    once "$@"
    if [ "$status" != 0 ]; then
      echo "scale-bench.sh: exit $status from: $*" >&2
      head -5 "$tmp/err" >&2
      exit 1
    fi
    all+=("$secs $cpu")
    [ "$kb" -gt "$maxkb" ] && maxkb=$kb
  done
  read -r secs cpu < <(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  kb=$maxkb
}
calc() { awk "BEGIN{printf \"$1\", $2}"; }
# verdict VALUE OP TARGET: "met" or "not met" (by how much, as a factor).
verdict() {
  awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN{
    ok = (op == "<=") ? (v <= t) : (v >= t)
    if (ok) print "met"; else printf "not met (%.1fx off)\n", (op == "<=") ? v / t : t / v }'
}
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
mib() { calc "%.0f" "$1 / 1048576"; }

first_trace() { head -c 4096 "$1" | grep -o '"traceId":"[0-9a-f]*"' | head -1 | cut -d'"' -f4; }

echo
echo "## Inputs"
for f in "$json" "$jsonl"; do
  size=$(stat -c %s "$f")
  echo "- $f: $spans spans, $(mib "$size") MiB, $(calc "%.0f" "$size / $spans") bytes a span"
done

echo
echo "## Load + full analysis, against one-core baselines"
echo
row "what" "tracetui" "baseline (same file, same run)" "ratio" "target" "verdict"
row "---" "---" "---" "---" "---" "---"
declare -A load_secs load_kb payload
notes=()
for f in "$json" "$jsonl"; do
  form=JSON; lines=()
  case $f in *.jsonl) form="JSON Lines"; lines=(--lines) ;; esac
  size=$(stat -c %s "$f")
  id=$(first_trace "$f")
  median "$bin" view --plain --trace "$id" "$f"
  t_tui=$secs kb_tui=$kb cpu_tui=$cpu
  warnings=$(wc -l <"$tmp/err")
  [ "$warnings" = 0 ] || notes+=("tracetui's stderr on $f ($warnings lines), first: $(head -1 "$tmp/err")")
  load_secs[$f]=$t_tui load_kb[$f]=$kb_tui
  median taskset -c 0 "$walker" "${lines[@]}" "$f"
  t_simd=$secs kb_simd=$kb
  walked=$(cut -d' ' -f2 "$tmp/out")
  [ "$walked" = "$spans" ] || { echo "simdjson_walk counted $walked spans in $f, not $spans" >&2; exit 1; }
  once jq -n '[inputs | .resourceSpans[]?.scopeSpans[].spans | length] | add' "$f"
  t_jq=$secs kb_jq=$kb
  [ "$(cat "$tmp/out")" = "$spans" ] || { echo "jq counted $(cat "$tmp/out") spans in $f" >&2; exit 1; }
  once python3 -c '
import json, sys
path, lines = sys.argv[1], sys.argv[2] == "1"
docs = (json.loads(l) for l in open(path, "rb") if l.strip()) if lines else [json.load(open(path, "rb"))]
print(sum(len(ss["spans"]) for d in docs for rs in d.get("resourceSpans", []) for ss in rs["scopeSpans"]))' \
    "$f" "$([ "$form" = JSON ] && echo 0 || echo 1)"
  t_py=$secs kb_py=$kb
  [ "$(cat "$tmp/out")" = "$spans" ] || { echo "python counted $(cat "$tmp/out") spans in $f" >&2; exit 1; }
  ratio=$(calc "%.2f" "$t_tui / $t_simd")
  row "$form, $(mib "$size") MiB: \`view --plain --trace ID\`" \
    "$t_tui s, $(mib "$((kb_tui * 1024))") MiB peak, CPU $cpu_tui s ($(calc "%.2f" "$cpu_tui / $t_tui") cores); stderr $warnings line(s)" \
    "simdjson On-Demand walk, one core: $t_simd s, $(mib "$((kb_simd * 1024))") MiB peak" "tracetui ${ratio}x the walk" "<= 1.5x, both cores" \
    "$(verdict "$ratio" "<=" 1.5)"
  ratio=$(calc "%.1f" "$t_jq / $t_tui")
  row "$form: against jq" "$t_tui s" "\`jq\` counting spans: $t_jq s, $(mib "$((kb_jq * 1024))") MiB peak" \
    "tracetui ${ratio}x faster" ">= 15x faster" "$(verdict "$ratio" ">=" 15)"
  ratio=$(calc "%.1f" "$t_py / $t_tui")
  row "$form: against Python" "$t_tui s" "Python \`json\` counting spans: $t_py s, $(mib "$((kb_py * 1024))") MiB peak" \
    "tracetui ${ratio}x faster" "(no target)" "-"
  payload[$f]=$(taskset -c 0 "$walker" "${lines[@]}" --payload "$f" | sed -n 's/^attribute payload bytes //p')
done
echo
for n in "${notes[@]}"; do echo "- $n"; done

echo
echo "## Peak memory"
echo
row "file" "tracetui peak" "file size" "peak / file" "target" "verdict"
row "---" "---" "---" "---" "---" "---"
for f in "$json" "$jsonl"; do
  size=$(stat -c %s "$f")
  peak=$((load_kb[$f] * 1024))
  ratio=$(calc "%.2f" "$peak / $size")
  beyond=$(calc "%.0f" "($peak - ${payload[$f]}) / $spans")
  row "$f" "$(mib "$peak") MiB ($(calc "%.0f" "$peak / $spans") B a span)" "$(mib "$size") MiB" "$ratio" \
    "<= 1.2x the file" "$(verdict "$ratio" "<=" 1.2)"
  row "$f, beyond the attributes' payload ($(mib "${payload[$f]}") MiB)" "$beyond B a span" "-" "-" \
    "<= 512 B a span" "$(verdict "$beyond" "<=" 512)"
done

echo
echo "## Dashboard (JSON Lines file)"
echo
row "what" "tracetui" "baseline" "ratio" "target" "verdict"
row "---" "---" "---" "---" "---" "---"
median "$bin" summary --json "$jsonl"
t_sum=$secs kb_sum=$kb
median "$bin" view --plain "$jsonl"
t_list=$secs
ratio=$(calc "%.2f" "$t_sum / $t_list")
row "\`summary --json\`" "$t_sum s, $(mib "$((kb_sum * 1024))") MiB peak" "\`view --plain\` (the list and every tree as text): $t_list s" \
  "${ratio}x" "<= 1.2x" "$(verdict "$ratio" "<=" 1.2)"
ratio=$(calc "%.2f" "$t_sum / ${load_secs[$jsonl]}")
row "\`summary --json\`" "$t_sum s" "\`view --plain --trace ID\` (load + analysis): ${load_secs[$jsonl]} s" \
  "${ratio}x" "<= 1.2x" "$(verdict "$ratio" "<=" 1.2)"
extra=$(calc "%.2f" "$t_sum - ${load_secs[$jsonl]}")
share=$(calc "%.0f" "100 * ($t_sum - ${load_secs[$jsonl]}) / ${load_secs[$jsonl]}")
row "dashboard extraction (\`summary --json\` minus load + analysis)" "$extra s" \
  "load + analysis (\`view --plain --trace ID\`): ${load_secs[$jsonl]} s" "${share} % of the load" "<= 10 %" \
  "$(verdict "$share" "<=" 10)"

if [ "${TUI:-1}" != 0 ]; then
  echo
  echo "## Terminal UI through a pseudo-terminal (JSON Lines file; tui_timing.py)"
  echo
  python3 scripts/bench/tui_timing.py "$bin" "$jsonl" 600 >"$tmp/tui"
  first=$(sed -n 's/^first-frame \([0-9.]*\) s$/\1/p' "$tmp/tui")
  echo "- first frame: $first s (target <= 2.5 s: $(verdict "$first" "<=" 2.5))"
  echo "- $(grep '^keys ' "$tmp/tui")"
  echo "  (tracetui's own update + render + draw per key, through the terminal: not the target's pure-core replay)"
  for k in open-Enter fold-5000-Enter unfold-5000-Enter expand-all-L list-sort-s dashboard-first-D \
    dashboard-again-D filter-Enter search-Enter; do
    grep -m1 "^key $k " "$tmp/tui" | awk '{printf "  - %s: %s ms (wall %s ms)\n", $2, $3, $6}'
  done
  python3 scripts/bench/tui_timing.py "$bin" "$jsonl" 600 --dashboard-at-once >"$tmp/tui-d"
  echo "- D pressed as soon as the first frame is drawn (a second run; the dashboard's data is prepared in the background after the first frame): $(sed -n 's/^dashboard-at-once //p' "$tmp/tui-d") until it is drawn (first frame of that run: $(sed -n 's/^first-frame //p' "$tmp/tui-d"))"
  search=$(grep -m1 '^key search-Enter ' "$tmp/tui" | awk '{print $3}')
  echo "- bare-word search over every span (/ refund Enter in the list): $search ms until the list is redrawn (target: first hit <= 200 ms: $(verdict "$search" "<=" 200))"
fi

echo
echo "## Deep parent chain"
echo
row "command" "${depths[0]} deep" "${depths[1]} deep" "ratio of the times" "target" "verdict"
row "---" "---" "---" "---" "---" "---"
for mode in --plain --json; do
  cells=()
  times=()
  for n in "${depths[@]}"; do
    once timeout -s KILL "$chain_timeout" "$bin" view "$mode" "bench-data/chain-$n.json"
    if [ "$status" = 137 ]; then
      cells+=("killed after $chain_timeout s")
      times+=("$chain_timeout")
    else
      out=$(stat -c %s "$tmp/out")
      shape=""
      if [ "$mode" = --plain ]; then  # the indentation's cap and the depth said after it
        shape=", indent <= $(awk '{ match($0, /^ */); if (RLENGTH > m) m = RLENGTH } END { print m + 0 }' "$tmp/out") columns, last: $(grep -o '\[depth [0-9]*\]' "$tmp/out" | tail -1)"
      fi
      cells+=("$secs s, $(mib "$((kb * 1024))") MiB peak, $(mib "$out") MiB out$shape, exit $status")
      times+=("$secs")
    fi
  done
  growth=$(calc "%.1f" "${times[1]} / (${times[0]} > 0 ? ${times[0]} : 0.01)")
  if [ "$mode" = --json ]; then
    target="<= 1 s at ${depths[1]} deep"
    v=$(verdict "${times[1]}" "<=" 1)
  else
    target="linear (about 2x)"
    v=$(verdict "$growth" "<=" 2.5)
  fi
  row "\`view $mode\`" "${cells[0]}" "${cells[1]}" "${growth}x" "$target" "$v"
done

echo
echo "## gzip bomb (whitespace, then one span)"
echo
row "file" "tracetui \`view --plain\`" "baseline: \`gzip -dc > /dev/null\`" "" "target" "verdict"
row "---" "---" "---" "---" "---" "---"
peaks=()
for mib in "${bombs[@]}"; do
  bomb=bench-data/gzip-bomb-$mib-MiB.json.gz
  once "$bin" view --plain "$bomb"
  t_tui=$secs kb_tui=$kb st=$status
  peaks+=("$kb_tui")
  once gzip -dc "$bomb"
  if [ "${#peaks[@]}" = 1 ]; then
    target="(for comparison)" v="-"
  else
    target="peak independent of the inflated size" v=$(verdict "$(calc "%.2f" "${peaks[1]} / ${peaks[0]}")" "<=" 1.25)
  fi
  row "$(calc "%.2f" "$(stat -c %s "$bomb") / 1048576") MiB gzip, $mib MiB inflated" \
    "$t_tui s, $(mib "$((kb_tui * 1024))") MiB peak, exit $st" "$secs s" "" "$target" "$v"
done
echo
echo "(the larger bomb's verdict compares its peak with the smaller one's: met when within 25 %)"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
