#!/usr/bin/env bash
# Compares two tracetui binaries on one file (not a test): alternating runs of
# `view --plain --trace <first trace id>` (decode + full analysis) and `summary --json` (the same plus
# the dashboard), printing the best and median wall time and the peak memory of each, and new/old.
# Build the old binary from another revision first, e.g. (same build folder, only our modules rebuild):
#   git stash -u; git checkout REV -- Sources; swift build -c release --product tracetui
#   cp .build/release/tracetui /tmp/tracetui-old; git checkout HEAD -- Sources; git stash pop
# (remove source files that REV does not have before building). Data: scripts/bench/gen_spans.py
# (add --wrapped for calls described by two spans) or scripts/bench/gen_call_chain.py.
# Usage: compare-binaries.sh OLD_BIN NEW_BIN FILE [RUNS=5] [COMMANDS="view summary"]
# (Before 2026-12-02, `view --plain` indented every level, so a very deep chain needed COMMANDS=summary.)
set -euo pipefail
old=$1 new=$2 file=$3 runs=${4:-5} commands=${5:-view summary}
first=$(head -c 300 "$file" | grep -o '"traceId": *"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cmd in $commands; do
  for ((i = 0; i < runs; i++)); do
    for which in old new; do
      bin=$old; [ "$which" = new ] && bin=$new
      args=(view --plain --trace "$first" "$file"); [ "$cmd" = summary ] && args=(summary --json "$file")
      /usr/bin/time -f "%e %M" -o "$tmp/t" "$bin" "${args[@]}" >/dev/null 2>&1 || true
      cat "$tmp/t" >>"$tmp/$cmd-$which"
    done
  done
done
echo "file: $file ($(stat -c %s "$file") bytes), $runs alternating runs each; machine: $(nproc) cores"
printf "%-8s %-4s %8s %8s %9s\n" command bin best median "peak MB"
for cmd in $commands; do
  for which in old new; do
    sort -n "$tmp/$cmd-$which" | awk -v c="$cmd" -v w="$which" '{t[NR]=$1; if ($2>m) m=$2}
      END {printf "%-8s %-4s %8.2f %8.2f %9.0f\n", c, w, t[1], t[int((NR+1)/2)], m/1024}'
  done
  best_old=$(sort -n "$tmp/$cmd-old" | head -1 | cut -d' ' -f1)
  best_new=$(sort -n "$tmp/$cmd-new" | head -1 | cut -d' ' -f1)
  echo "$cmd: new/old best = $(awk "BEGIN{printf \"%.2f\", $best_new/$best_old}")"
done
