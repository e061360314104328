#!/usr/bin/env bash
# Runs tracetui on every file of a hostile-input corpus (scripts/hostile/make-corpus.py) and prints a
# markdown table: per case, the exit status of `view --plain`, `view --json` and `summary --json` (each
# under a timeout) and whether the TUI in tmux took G (bottom), L (expand all), D (dashboard) and q
# and exited; the first stderr line; the longest wall time and the largest peak memory of the four.
# A crash (signal), a timeout, or an exit 0 with no output and no message is flagged with "!!".
# Usage: run-corpus.sh BIN CORPUSDIR [TIMEOUT_SECONDS=60]
set -uo pipefail
bin=$(readlink -f "$1") dir=$2 limit=${3:-60}
tmp=$(mktemp -d)
sock=hostile-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# One command under time and timeout: sets status, secs, kb and the files out/err.
measure() {
  /usr/bin/time -f "%e %M" -o "$tmp/time" timeout -s KILL "$limit" "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  # time says "Command exited with non-zero status N" first when it did; the figures are the last line.
  read -r secs kb < <(tail -1 "$tmp/time" 2>/dev/null) || { secs=$limit kb=0; }
  [ "$status" = 137 ] && secs=">$limit"
}

# Judges one run: the status, flagged when it crashed, hung or said nothing.
verdict() {
  if [ "$status" = 137 ]; then echo "!!timeout"
  elif [ "$status" -ge 128 ]; then echo "!!signal $((status - 128))"
  elif [ "$status" = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then echo "!!silent 0"
  else echo "$status"; fi
}

# The TUI in tmux: keys G, Enter (opens the first trace of a list), L, G, D, then q until it exits.
# Sets tui_outcome and tui_kb; the seconds in the outcome include the pauses between keys.
tui() {
  local file=$1
  rm -f "$tmp/tui.time" "$tmp/tui.err"
  tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 \
    "/usr/bin/time -f '%e %M' -o $tmp/tui.time env TERM=xterm-256color LANG=C.UTF-8 $bin view '$file' 2>$tmp/tui.err"
  local deadline=$((SECONDS + limit)) keys=(G Enter L G D q q q q q q) i=0
  sleep 0.5
  while tmux -L "$sock" has-session 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      tmux -L "$sock" kill-server 2>/dev/null
      tui_outcome="!!hung" tui_kb=0; return
    fi
    # Wait for a drawn screen before each key, so keys are not lost while the file loads.
    if [ $i -lt ${#keys[@]} ] && [ -n "$(tmux -L "$sock" capture-pane -p 2>/dev/null | tr -d ' \n')" ]; then
      tmux -L "$sock" send-keys "${keys[$i]}" 2>/dev/null
      i=$((i + 1))
      sleep 0.3
    else
      sleep 0.2
    fi
  done
  local code secs
  read -r secs tui_kb < <(tail -1 "$tmp/tui.time" 2>/dev/null) || { secs=? tui_kb=0; }
  code=$(grep -o 'exited with non-zero status [0-9]*' "$tmp/tui.time" 2>/dev/null | grep -o '[0-9]*$')
  if grep -q 'terminated by signal' "$tmp/tui.time" 2>/dev/null; then tui_outcome="tui !!$(head -1 "$tmp/tui.time")"
  elif [ "$i" -ge 6 ] && [ -z "$code" ]; then tui_outcome="tui ok (${secs} s)"
  elif [ -n "$code" ]; then tui_outcome="tui exit $code"
  else tui_outcome="tui !!ended early"; fi
}

echo "| case | outcome: view --plain · view --json · summary --json · TUI | first stderr line | time (longest of the three commands) | peak memory (of all four) |"
echo "| --- | --- | --- | --- | --- |"
for file in "$dir"/*; do
  name=$(basename "$file")
  outcomes=() maxsecs=0 maxkb=0 first=""
  for args in "view --plain" "view --json" "summary --json"; do
    # shellcheck disable=SC2086
    measure $args "$file"
    outcomes+=("$(verdict)")
    [ -z "$first" ] && first=$(head -1 "$tmp/err" | sed "s|$dir/||g" | cut -c1-110)
    maxsecs=$(awk -v a="$maxsecs" -v b="${secs#>}" 'BEGIN{print (b + 0 > a + 0) ? b : a}')
    [ "${kb:-0}" -gt "$maxkb" ] && maxkb=$kb
  done
  tui "$file"
  [ "${tui_kb:-0}" -gt "$maxkb" ] 2>/dev/null && maxkb=$tui_kb
  printf "| %s | %s · %s · %s · %s | %s | %s s | %s MB |\n" "$name" "${outcomes[@]}" "$tui_outcome" \
    "${first//|/\\|}" "$maxsecs" "$((maxkb / 1024))"
done
