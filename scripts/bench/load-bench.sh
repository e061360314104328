#!/usr/bin/env bash
# Load benchmark (not a test): time to open a file of N spans (default 1,000,000) with
# `tracetui view --plain --trace <one id>` (decode + trees + facts + costs + totals of everything,
# printing one trace), against baselines run in the same command on the same file: `jq` counting the
# spans, and Python's json module doing the same. Prints wall time, peak memory and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
spans=${1:-1000000}
file=bench-data/spans-$spans.jsonl
mkdir -p bench-data
[ -f "$file" ] || python3 scripts/bench/gen_spans.py "$spans" "$file"
swift build -c release --product tracetui >/dev/null
bin=.build/release/tracetui
size=$(stat -c %s "$file")
first=$(head -c 300 "$file" | grep -o '"traceId":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)

measure() {  # prints "seconds maxKB"
  /usr/bin/time -f "%e %M" "$@" >/dev/null 2>/tmp/tracetui-bench-time || { cat /tmp/tracetui-bench-time; exit 1; }
  tail -1 /tmp/tracetui-bench-time
}
read -r t_tui m_tui < <(measure "$bin" view --plain --trace "$first" "$file")
read -r t_py m_py < <(measure python3 -c "import json,sys
n=0
for line in open(sys.argv[1]):
    for rs in json.loads(line)['resourceSpans']:
        for ss in rs['scopeSpans']: n+=len(ss['spans'])
print(n)" "$file")
read -r t_jq m_jq < <(measure jq -c '[.resourceSpans[].scopeSpans[].spans | length] | add' "$file")
mb=$(awk "BEGIN{printf \"%.0f\", $size/1048576}")
echo "file: $file, $spans spans, $mb MB; machine: $(nproc) cores, $(uname -m)"
printf "%-34s %8s %10s %12s\n" "command" "seconds" "peak MB" "MB/s"
row() { printf "%-34s %8s %10.0f %12.0f\n" "$1" "$2" "$(awk "BEGIN{print $3/1024}")" "$(awk "BEGIN{print $size/1048576/$2}")"; }
row "tracetui view (load+analyse)" "$t_tui" "$m_tui"
row "python3 json.loads (count only)" "$t_py" "$m_py"
row "jq (count only)" "$t_jq" "$m_jq"
echo "ratios: python/tracetui $(awk "BEGIN{printf \"%.1f\", $t_py/$t_tui}")x, jq/tracetui $(awk "BEGIN{printf \"%.1f\", $t_jq/$t_tui}")x"
